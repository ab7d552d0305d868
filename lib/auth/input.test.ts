import { describe, expect, it } from "vitest";
import { loginInput, normalizeEmail, normalizePassword, passwordChangeInput, registerInput } from "./input";
import { COMMON_PASSWORD_MESSAGE } from "./password-rules";

const GOOD_PASSWORD = "correct horse";
const domain = "@example.com";

/** An address of exactly `length` characters. */
function emailOfLength(length: number): string {
  return "a".repeat(length - domain.length) + domain;
}

describe("normalizeEmail", () => {
  it("trims and lower-cases the whole address", () => {
    expect(normalizeEmail("  Alice.Smith@Example.COM \n")).toBe("alice.smith@example.com");
  });

  it("composes to NFC, so decomposed and precomposed spellings are one address", () => {
    const decomposed = "Jose\u0301@example.com"; // e + combining acute
    expect(normalizeEmail(decomposed)).toBe("jos\u00e9@example.com");
    expect(normalizeEmail(decomposed)).toBe(normalizeEmail("JOS\u00c9@example.com"));
  });
});

describe("normalizePassword", () => {
  it("composes to NFC but never trims", () => {
    expect(normalizePassword("  cafe\u0301  ")).toBe("  caf\u00e9  ");
  });
});

describe("registerInput", () => {
  it("normalises the email it accepts", () => {
    const parsed = registerInput.parse({ email: "  Bob@Example.COM ", password: GOOD_PASSWORD });
    expect(parsed.email).toBe("bob@example.com");
  });

  it("accepts an email of 254 characters and refuses 255", () => {
    expect(registerInput.safeParse({ email: emailOfLength(254), password: GOOD_PASSWORD }).success).toBe(true);
    expect(registerInput.safeParse({ email: emailOfLength(255), password: GOOD_PASSWORD }).success).toBe(false);
  });

  it("counts the length after trimming", () => {
    const padded = `   ${emailOfLength(254)}   `;
    expect(registerInput.safeParse({ email: padded, password: GOOD_PASSWORD }).success).toBe(true);
  });

  it.each(["", "not-an-email", "a@", "@example.com", "a b@example.com"])("refuses the malformed email %j", (email) => {
    expect(registerInput.safeParse({ email, password: GOOD_PASSWORD }).success).toBe(false);
  });

  it("refuses fields of the wrong type", () => {
    expect(registerInput.safeParse({ email: 42, password: GOOD_PASSWORD }).success).toBe(false);
    expect(registerInput.safeParse({ email: "a@example.com", password: 12345678 }).success).toBe(false);
    expect(registerInput.safeParse({ email: "a@example.com" }).success).toBe(false);
  });

  it("accepts passwords of 8 and 128 code points, refuses 7 and 129", () => {
    const withPassword = (password: string) => registerInput.safeParse({ email: "a@example.com", password }).success;
    expect(withPassword("x".repeat(7))).toBe(false);
    expect(withPassword("x".repeat(8))).toBe(true);
    expect(withPassword("x".repeat(128))).toBe(true);
    expect(withPassword("x".repeat(129))).toBe(false);
  });

  it("counts an emoji as one character, not two UTF-16 units", () => {
    const withPassword = (password: string) => registerInput.safeParse({ email: "a@example.com", password }).success;
    const emoji = "\u{1F511}"; // 🔑: one code point, two UTF-16 code units
    expect(emoji.length).toBe(2);
    expect(withPassword(emoji.repeat(8))).toBe(true); // 16 UTF-16 units, 8 code points
    expect(withPassword(emoji.repeat(4))).toBe(false); // 8 UTF-16 units, but only 4 code points
    expect(withPassword(emoji.repeat(128))).toBe(true); // 256 UTF-16 units
    expect(withPassword(emoji.repeat(129))).toBe(false);
  });

  it("keeps leading and trailing spaces in the password", () => {
    expect(registerInput.parse({ email: "a@example.com", password: "  spaced out  " }).password).toBe(
      "  spaced out  ",
    );
  });
});

describe("loginInput", () => {
  it("accepts a short existing password but not an empty one", () => {
    expect(loginInput.safeParse({ email: "a@example.com", password: "short" }).success).toBe(true);
    expect(loginInput.safeParse({ email: "a@example.com", password: "" }).success).toBe(false);
  });

  it("refuses a password of 129 code points before any hashing", () => {
    expect(loginInput.safeParse({ email: "a@example.com", password: "\u{1F511}".repeat(128) }).success).toBe(true);
    expect(loginInput.safeParse({ email: "a@example.com", password: "\u{1F511}".repeat(129) }).success).toBe(false);
  });

  it("normalises email and password", () => {
    const parsed = loginInput.parse({ email: " A@Example.com", password: "cafe\u0301cafe\u0301" });
    expect(parsed).toEqual({ email: "a@example.com", password: "caf\u00e9caf\u00e9" });
  });
});

describe("passwordChangeInput", () => {
  it("applies the length policy to the new password only", () => {
    expect(passwordChangeInput.safeParse({ currentPassword: "old", newPassword: GOOD_PASSWORD }).success).toBe(true);
    expect(passwordChangeInput.safeParse({ currentPassword: GOOD_PASSWORD, newPassword: "short" }).success).toBe(false);
  });
});

describe("common passwords", () => {
  const withPassword = (password: string) => registerInput.safeParse({ email: "a@example.com", password });

  it("refuses a password on the leaked-password list, whatever its letter case, and says why", () => {
    for (const password of ["password", "Password", "iloveyou", "QWERTYUIOP", "trustno1", "1qaz2wsx"]) {
      const parsed = withPassword(password);
      expect(parsed.success, password).toBe(false);
      expect(parsed.error?.issues[0]?.message).toBe(COMMON_PASSWORD_MESSAGE);
    }
  });

  it("accepts what is not on it", () => {
    expect(withPassword(GOOD_PASSWORD).success).toBe(true);
    expect(withPassword("marmalade tuesday orbit").success).toBe(true);
  });

  it("applies to a changed password too, never to the current one being checked", () => {
    expect(passwordChangeInput.safeParse({ currentPassword: "password", newPassword: GOOD_PASSWORD }).success).toBe(true);
    expect(passwordChangeInput.safeParse({ currentPassword: GOOD_PASSWORD, newPassword: "password1" }).success).toBe(false);
    expect(loginInput.safeParse({ email: "a@example.com", password: "password" }).success).toBe(true);
  });
});
