// What a request body may hold, and the normalisation rules for emails and passwords.
//
// Emails: trimmed, Unicode NFC, lower-cased, at most 254 characters (RFC 5321's path limit).
// Case folding the whole address (local part too) is deliberate: people type their email in whatever case,
// and two accounts differing only by case would be a support and phishing hazard.
// Passwords: NFC-normalised (the same password typed on macOS and Windows yields the same bytes), never
// trimmed, 8 to 128 Unicode code points, checked before any hashing so a huge password costs nothing. A
// new password must also not be a common one (common-passwords.ts).
import { z } from "zod";
import { isCommonPassword } from "./common-passwords";
import { COMMON_PASSWORD_MESSAGE, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "./password-rules";

export { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "./password-rules";
export const EMAIL_MAX_LENGTH = 254;

export function normalizeEmail(email: string): string {
  return email.trim().normalize("NFC").toLowerCase();
}

export function normalizePassword(password: string): string {
  return password.normalize("NFC");
}

function codePoints(text: string): number {
  return [...text].length;
}

const email = z
  .string({ error: "Email must be a string." })
  .transform(normalizeEmail)
  .pipe(
    z
      .string()
      .max(EMAIL_MAX_LENGTH, { error: `Email must be at most ${EMAIL_MAX_LENGTH} characters.` })
      .pipe(z.email({ error: "Enter a valid email address." })),
  );

/** A password being chosen (sign-up, change, reset): the length policy applies, and no common password. */
export const newPassword = z
  .string({ error: "Password must be a string." })
  .refine((value) => codePoints(value) >= PASSWORD_MIN_LENGTH, {
    error: `Password must be at least ${PASSWORD_MIN_LENGTH} characters.`,
  })
  .refine((value) => codePoints(value) <= PASSWORD_MAX_LENGTH, {
    error: `Password must be at most ${PASSWORD_MAX_LENGTH} characters.`,
    abort: true,
  })
  .transform(normalizePassword)
  .refine((value) => !isCommonPassword(value), { error: COMMON_PASSWORD_MESSAGE });

/** A password being checked: any non-empty string up to the maximum, so old passwords still work. */
const presentedPassword = z
  .string({ error: "Password must be a string." })
  .min(1, { error: "Enter your password." })
  .refine((value) => codePoints(value) <= PASSWORD_MAX_LENGTH, {
    error: `Password must be at most ${PASSWORD_MAX_LENGTH} characters.`,
  })
  .transform(normalizePassword);

export const registerInput = z.object({ email, password: newPassword });
export const loginInput = z.object({ email, password: presentedPassword });
export const passwordChangeInput = z.object({ currentPassword: presentedPassword, newPassword });

export const emailInput = z.object({ email });
/** A link's token: any string is looked up (an unknown one is the link's own error, not invalid input). */
const linkToken = z.string({ error: "Token must be a string." });
export const passwordResetInput = z.object({ token: linkToken, newPassword });
export const linkTokenInput = z.object({ token: linkToken });

export type RegisterInput = z.infer<typeof registerInput>;
export type LoginInput = z.infer<typeof loginInput>;
export type PasswordChangeInput = z.infer<typeof passwordChangeInput>;
export type PasswordResetInput = z.infer<typeof passwordResetInput>;
