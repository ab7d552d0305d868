"use client";
// Every password field of the app: a label, a "Show password" toggle (a real button: aria-pressed says
// whether the password is shown, aria-controls names the field), and for a password being chosen the
// policy's hint and a strength meter announced politely to screen readers.
import { useRef, useState } from "react";
import { PASSWORD_HINT, PASSWORD_MIN_LENGTH } from "@/lib/auth/password-rules";
import type { Strength } from "@/lib/client/password-strength";

interface PasswordFieldProps {
  id: string;
  name: string;
  label: string;
  /** "new": a password being chosen (hint, minimum length, strength meter); "current": one being checked. */
  purpose: "new" | "current";
  /** Other words typed in the form (the email): a password made of them is weak. */
  related?: string[];
  autoFocus?: boolean;
}

const WORDS = ["Very weak", "Weak", "Fair", "Good", "Strong"] as const;

type Estimate = (password: string, related?: string[]) => Strength;
let estimator: Promise<Estimate> | undefined;

/** The estimator's code and dictionaries, fetched once, the first time it is needed. */
function loadEstimator(): Promise<Estimate> {
  estimator ??= import("@/lib/client/password-strength").then((module) => module.passwordStrength);
  return estimator;
}

function describe(strength: Strength): string {
  if (strength.common) return "Password strength: very weak. This is a common password and will be refused.";
  return `Password strength: ${WORDS[strength.score].toLowerCase()}.${strength.score < 3 ? " Longer, with unrelated words, is stronger." : ""}`;
}

export function PasswordField({ id, name, label, purpose, related = [], autoFocus }: PasswordFieldProps) {
  const [shown, setShown] = useState(false);
  const [strength, setStrength] = useState<Strength | null>(null);
  const latest = useRef("");
  const chosen = purpose === "new";

  async function estimate(password: string) {
    latest.current = password;
    if (!password) return setStrength(null);
    const passwordStrength = await loadEstimator();
    if (latest.current === password) setStrength(passwordStrength(password, related));
  }

  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="password-input">
        <input
          id={id}
          name={name}
          type={shown ? "text" : "password"}
          autoComplete={chosen ? "new-password" : "current-password"}
          autoCapitalize="off"
          autoCorrect="off"
          spellCheck={false}
          required
          autoFocus={autoFocus}
          minLength={chosen ? PASSWORD_MIN_LENGTH : undefined}
          aria-describedby={chosen ? `${id}-hint ${id}-strength` : undefined}
          onChange={chosen ? (event) => void estimate(event.currentTarget.value) : undefined}
        />
        <button type="button" className="reveal" aria-pressed={shown} aria-controls={id} onClick={() => setShown(!shown)}>
          Show password
        </button>
      </div>
      {chosen && (
        <>
          <span id={`${id}-hint`} className="hint">
            {PASSWORD_HINT}
          </span>
          <div className="strength" data-score={strength ? strength.score : undefined} aria-hidden="true">
            <span />
          </div>
          <span id={`${id}-strength`} className="hint strength-text" aria-live="polite">
            {strength ? describe(strength) : ""}
          </span>
        </>
      )}
    </div>
  );
}
