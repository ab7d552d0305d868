// `npm run admin -- <command>`: account administration from a shell, on the app's own database and core.
// Run through tsx (a dev dependency; see README, "Administration").
import { readFileSync } from "node:fs";
import { buildAuthApp, type AuthApp } from "../lib/app/service";
import type { AccountAdmin } from "../lib/auth/admin";
import { loadAuthConfig } from "../lib/auth/config";
import { isAuthError } from "../lib/auth/errors";
import { openDatabase } from "../lib/db/client";
import { jsonLine } from "../lib/ops/log";
import { appEnvironment } from "./app-environment.mjs";
import { migrate } from "./migrate.mjs";

const HELP = `Account administration for Keep Signed In.

Usage: npm run admin -- <command> [arguments]

Commands:
  add-user <email>         Create an account (also when sign-up is turned off).
  list-users [--json]      List every account with its number of signed-in sessions.
  reset-password <email>   Set a new password and end every session of the account.
  end-sessions <email>     Sign the account out on every device.
  end-all-sessions         Sign every account out on every device, in one statement: the step after
                           AUTH_SECRET leaked (README, "Rotating the signing secret").
  cleanup                  Delete ended sessions, their refresh tokens, old login failures and old
                           activity now (the server also does this on a schedule).
  help                     Show this text.

Passwords are never taken as arguments (they would land in the shell history and the process list):
they are read from standard input, one line, or prompted for without echo on a terminal.
  printf '%s\\n' "$PASSWORD" | npm run admin -- add-user ann@example.com

The database is the app's: DATABASE_URL, by default file:./data/app.db in the project folder. Pending
migrations are applied first, as \`npm start\` does.

Exit codes: 0 done; 1 refused or failed (unknown account, email taken, password rejected, database
error); 2 wrong usage.`;

class UsageError extends Error {}

/** The password: one line from standard input, or a prompt without echo (asked twice) on a terminal. */
async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    const line = readFileSync(0, "utf8").split(/\r?\n/)[0] ?? "";
    if (line === "") throw new UsageError("Give the password on standard input (one line).");
    return line; // not trimmed: spaces are part of a password
  }
  const first = await promptHidden("New password: ");
  if ((await promptHidden("Repeat it: ")) !== first) throw new UsageError("The two passwords differ.");
  return first;
}

function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stdout.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = "";
    const finish = (done: () => void) => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stdout.write("\n");
      done();
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === "\r" || char === "\n") return finish(() => resolve(value));
        if (char === "\u0003" || char === "\u0004") return finish(() => reject(new UsageError("Cancelled.")));
        value = char === "\u007f" || char === "\b" ? [...value].slice(0, -1).join("") : value + char;
      }
    };
    stdin.on("data", onData);
  });
}

/**
 * The app exactly as `npm start` builds it (same environment, secret and database, migrations applied),
 * with its log lines on standard error so that standard output holds only the command's answer.
 */
async function openApp(): Promise<AuthApp> {
  loadAuthConfig(process.env); // a bad setting stops here, before the database is touched
  const { env } = appEnvironment(process.env);
  await migrate(env.DATABASE_URL, (message) => console.error(message));
  return buildAuthApp(env, {
    database: openDatabase(env.DATABASE_URL, env),
    log: (entry) => process.stderr.write(`${jsonLine(entry)}\n`),
  });
}

function oneEmail(args: string[], command: string): string {
  if (args.length !== 1 || !args[0]) throw new UsageError(`Usage: npm run admin -- ${command} <email>`);
  return args[0];
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** Runs a command; arguments (and a password) are checked before `connect` opens the database. */
async function run(command: string, args: string[], connect: () => Promise<AccountAdmin>): Promise<void> {
  switch (command) {
    case "add-user": {
      const email = oneEmail(args, command);
      const password = await readPassword();
      const user = await (await connect()).addUser(email, password);
      console.log(`Created ${user.email} (id ${user.id}).`);
      return;
    }
    case "list-users": {
      const json = args.includes("--json");
      if (args.some((arg) => arg !== "--json")) throw new UsageError("Usage: npm run admin -- list-users [--json]");
      const users = await (await connect()).listUsers();
      if (json) return void console.log(JSON.stringify(users, null, 2));
      if (users.length === 0) return void console.log("No accounts yet.");
      for (const user of users) {
        console.log(`${user.email}\t${user.id}\tcreated ${user.createdAt.toISOString()}\t${plural(user.liveSessions, "session")}`);
      }
      return;
    }
    case "reset-password": {
      const email = oneEmail(args, command);
      const password = await readPassword();
      const { user, sessionsEnded } = await (await connect()).resetPassword(email, password);
      console.log(`Password of ${user.email} changed; ${plural(sessionsEnded, "session")} ended.`);
      return;
    }
    case "end-sessions": {
      const email = oneEmail(args, command);
      const { user, sessionsEnded } = await (await connect()).endSessions(email);
      console.log(`${plural(sessionsEnded, "session")} of ${user.email} ended.`);
      return;
    }
    case "end-all-sessions": {
      if (args.length > 0) throw new UsageError("Usage: npm run admin -- end-all-sessions");
      const sessionsEnded = await (await connect()).endAllSessions();
      console.log(`${plural(sessionsEnded, "session")} ended: every account is signed out on every device.`);
      return;
    }
    case "cleanup": {
      if (args.length > 0) throw new UsageError("Usage: npm run admin -- cleanup");
      const removed = await (await connect()).cleanup();
      console.log(
        `Removed ${plural(removed.sessions, "ended session")}, ${plural(removed.refreshTokens, "refresh token")}, ` +
          `${plural(removed.loginFailures, "old login failure")} and ${plural(removed.securityEvents, "old activity entry", "old activity entries")}.`,
      );
      return;
    }
    default:
      throw new UsageError(`Unknown command "${command}". Run \`npm run admin -- help\` for the list.`);
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command) {
    console.error(HELP);
    return 2;
  }
  if (["help", "--help", "-h"].includes(command)) {
    console.log(HELP);
    return 0;
  }
  let app: AuthApp | undefined;
  const connect = async (): Promise<AccountAdmin> => {
    app = await openApp();
    return app.admin;
  };
  try {
    await run(command, args, connect);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(error.message);
      return 2;
    }
    // AuthError messages are written for people; anything else is reported as it is.
    console.error(isAuthError(error) ? error.message : `Failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await app?.database.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
