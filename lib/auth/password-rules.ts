// The password policy's numbers and words, with no dependency: the server's rule (input.ts) and the
// browser's form hints both read them here, so the two cannot drift apart.
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

export const PASSWORD_HINT = `${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters, not a common password. A few unrelated words make a strong one.`;

export const COMMON_PASSWORD_MESSAGE =
  "This password is too common: it is on a public list of leaked passwords that attackers try first. Choose another one, for example a few unrelated words.";
