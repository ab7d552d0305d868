// Passwords people choose most and that leaks have published, which guessing attacks try first (NIST SP
// 800-63B §5.1.1.2 asks to refuse them). The list is zxcvbn-ts's "passwords-common", shipped in an npm
// package, so nothing is looked up over the network. Compared without case: "Password1" is as guessable
// as "password1".
import { dictionary } from "@zxcvbn-ts/language-common";
import { PASSWORD_MIN_LENGTH } from "./password-rules";

let common: ReadonlySet<string> | undefined;

/** Only entries long enough to pass the length rule: the shorter ones are refused anyway. */
function commonPasswords(): ReadonlySet<string> {
  common ??= new Set(dictionary["passwords-common"].filter((entry) => [...entry].length >= PASSWORD_MIN_LENGTH));
  return common;
}

/** `password` already NFC-normalised. */
export function isCommonPassword(password: string): boolean {
  return commonPasswords().has(password.toLowerCase());
}
