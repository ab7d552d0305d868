// The strength meter's estimate (zxcvbn-ts with its common dictionaries). Heavy: it is loaded with a
// dynamic import the first time someone types a new password, never with the page.
import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import { adjacencyGraphs, dictionary } from "@zxcvbn-ts/language-common";
import { isCommonPassword } from "../auth/common-passwords";
import { normalizePassword } from "../auth/input";

const zxcvbn = new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs });

export type StrengthScore = 0 | 1 | 2 | 3 | 4;

export interface Strength {
  score: StrengthScore;
  /** On the list the server refuses: the form says it will be refused. */
  common: boolean;
}

/** `related`: words the person typed elsewhere in the form (the email), which make a password weaker. */
export function passwordStrength(password: string, related: string[] = []): Strength {
  const normalized = normalizePassword(password);
  const common = isCommonPassword(normalized);
  return { score: common ? 0 : (zxcvbn.check(normalized, related).score as StrengthScore), common };
}
