// The generated signing secret's file, as an attacker on the same machine would try it: racing two
// starts, planting a symbolic link, handing over a file of their own, or reading one left open to others.
import { spawn } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SECRET_FILE_NAME, SecretFileError, createSecretFile, loadOrCreateSecret, readSecretFile } from "./secret-file.mjs";

const GOOD_SECRET = "a-secret-of-an-operator-that-is-over-32-bytes";
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "secret-file-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A separate Node process that loads or creates the secret in `dataDir` at `startAt` (all of them at the
 * same instant, however long each took to start) and prints it.
 */
function childLoad(dataDir: string, startAt: number): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const modulePath = path.join(__dirname, "secret-file.mjs");
  const code =
    `import(${JSON.stringify(modulePath)}).then((m) => { while (Date.now() < ${startAt}); ` +
    `process.stdout.write(m.loadOrCreateSecret(${JSON.stringify(dataDir)})); })`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["-e", code]);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

describe("a generated secret", () => {
  it("is created once, 0600 in a 0700 folder, and read back unchanged", () => {
    const dataDir = path.join(dir, "data");
    const created: string[] = [];
    const secret = loadOrCreateSecret(dataDir, (file) => created.push(file));
    expect(Buffer.byteLength(secret)).toBeGreaterThanOrEqual(32);
    expect(created).toEqual([path.join(dataDir, SECRET_FILE_NAME)]);
    expect(statSync(path.join(dataDir, SECRET_FILE_NAME)).mode & 0o777).toBe(0o600);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(loadOrCreateSecret(dataDir, (file) => created.push(file))).toBe(secret);
    expect(created).toHaveLength(1);
    expect(readdirSync(dataDir)).toEqual([SECRET_FILE_NAME]); // no temporary file left behind
  });

  it("is the same for every process that starts at once: none crashes, all get the winner's", async () => {
    const startAt = Date.now() + 3_000;
    const results = await Promise.all(Array.from({ length: 4 }, () => childLoad(dir, startAt)));
    for (const result of results) expect(result).toMatchObject({ status: 0, stderr: "" });
    const secrets = new Set(results.map((result) => result.stdout));
    expect(secrets.size).toBe(1);
    expect([...secrets][0]).toBe(readFileSync(path.join(dir, SECRET_FILE_NAME), "utf8"));
    expect(readdirSync(dir)).toEqual([SECRET_FILE_NAME]);
  });

  it("found missing and then created by another process first, is read from the winner's file", () => {
    const file = path.join(dir, SECRET_FILE_NAME);
    writeFileSync(file, GOOD_SECRET, { mode: 0o600 }); // the winner's, linked after this process looked
    const created: string[] = [];
    expect(createSecretFile(file, (name) => created.push(name))).toBe(GOOD_SECRET);
    expect(created).toEqual([]);
    expect(readdirSync(dir)).toEqual([SECRET_FILE_NAME]);
  });
});

describe("an existing secret file", () => {
  const file = () => path.join(dir, SECRET_FILE_NAME);

  it("is used as it is when it is its owner's alone", () => {
    writeFileSync(file(), `${GOOD_SECRET}\n`, { mode: 0o600 });
    expect(loadOrCreateSecret(dir)).toBe(GOOD_SECRET);
  });

  it("is refused when it is a symbolic link, even to a good file", () => {
    const target = path.join(dir, "elsewhere");
    writeFileSync(target, GOOD_SECRET, { mode: 0o600 });
    symlinkSync(target, file());
    expect(() => loadOrCreateSecret(dir)).toThrow(SecretFileError);
    expect(() => loadOrCreateSecret(dir)).toThrow("is a symbolic link");
    // A dangling link (to where an attacker would write later) is refused too, not replaced.
    rmSync(target);
    expect(() => loadOrCreateSecret(dir)).toThrow("is a symbolic link");
  });

  it("is refused when another user owns it", () => {
    let foreign: string;
    if (process.getuid!() === 0) {
      foreign = file();
      writeFileSync(foreign, GOOD_SECRET, { mode: 0o600 });
      chownSync(foreign, 65534, 65534); // nobody
    } else {
      foreign = "/etc/passwd"; // root's, and this process is not root
    }
    expect(() => readSecretFile(foreign)).toThrow(/belongs to user \d+, not to the user running the app/);
  });

  it("is refused when group or others may read or write it", () => {
    writeFileSync(file(), GOOD_SECRET, { mode: 0o600 });
    for (const mode of [0o640, 0o604, 0o620, 0o602, 0o644, 0o666]) {
      chmodSync(file(), mode);
      expect(() => loadOrCreateSecret(dir)).toThrow(`is open to group or others (mode ${mode.toString(8)})`);
    }
    chmodSync(file(), 0o400);
    expect(loadOrCreateSecret(dir)).toBe(GOOD_SECRET);
  });

  it("is refused when it holds a secret under 32 bytes, or is not a file", () => {
    writeFileSync(file(), "too-short", { mode: 0o600 });
    expect(() => loadOrCreateSecret(dir)).toThrow("must be at least 32 bytes");
    rmSync(file());
    mkdirSync(file(), { mode: 0o700 }); // a folder in the secret's place
    expect(() => loadOrCreateSecret(dir)).toThrow("is not a regular file");
  });
});
