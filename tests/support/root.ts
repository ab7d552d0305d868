// The project folder, for the test support that runs its scripts. Found from the working folder (every
// test and bench command runs inside the project): this code is loaded by vitest, by Playwright (which
// compiles it to CommonJS, and cannot load the scripts' .mjs helpers) and by tsx as an ES module for the
// bench (where __dirname is not this file's folder), and those agree on no other way to name it.
import { existsSync } from "node:fs";
import path from "node:path";

function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json")) && existsSync(path.join(dir, "scripts", "start.mjs"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`run the tests from inside the project, not from ${from}`);
  }
}

export const projectRoot = findProjectRoot(process.cwd());
