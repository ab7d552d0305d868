// One argon2 worker of the hashing pool (lib/auth/password.ts): it runs one hash or verification at a time,
// at the low OS priority its parent gave it, and exits as soon as its parent does (the IPC channel
// closes), so a server that stops or is killed leaves no worker behind.
import argon2 from "argon2";

process.on("disconnect", () => process.exit(0));

process.on("message", async (job) => {
  const { id, kind, password, hash, options } = job;
  let reply;
  const started = performance.now();
  try {
    const value = kind === "hash" ? await argon2.hash(password, options) : await argon2.verify(hash, password);
    reply = { id, ok: true, value };
  } catch (error) {
    // A stored hash that does not parse: the parent answers "wrong password", never an error page.
    reply = { id, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  // What the hash took here: the parent hears of it only when its event loop gets to the reply.
  reply.ms = performance.now() - started;
  if (process.connected) process.send(reply);
});
