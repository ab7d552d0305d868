// PostgreSQL's own CPU time, for the figures the capacity model uses (README, "Scaling out"): the CPU
// seconds of the server processes serving the benchmark's database, read from /proc. It works because the
// benchmark's PostgreSQL runs on this machine; pg_stat_statements would need a server restart with
// shared_preload_libraries, which a shared server rarely allows.
import pg from "pg";
import { SESSION_BY_ID } from "../lib/db/session-queries";
import { cpuSecondsOf } from "./server.mts";

export interface DatabaseCpu {
  /** CPU seconds used so far by the backends connected to the database (their pids are re-read each time). */
  seconds(): Promise<number>;
  /** CPU seconds of `count` liveness reads of one session (the app's own statement), sent one at a time. */
  sessionReads(sessionId: string, count: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * Null unless `url` names a PostgreSQL database on this machine. Client backends only: autovacuum's workers
 * and the server's own background processes do their work later and for every database at once. Each reading adds what the backends present
 * at both it and the one before used in between, and all that a backend which started in between used (the
 * app's pool closes idle connections, so a load after a quiet spell opens new ones). One that ended in
 * between counts for nothing: the pool keeps its connections while a load runs.
 */
export async function databaseCpu(url: string): Promise<DatabaseCpu | null> {
  if (!/^postgres(ql)?:\/\/([^@/]*@)?(127\.0\.0\.1|localhost)[:/]/.test(url)) return null;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const backendPid = async (of: pg.Client) => (await of.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
  const own = await backendPid(client);
  const snapshot = async () => {
    const { rows } = await client.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> $1", [own]);
    return new Map(rows.map(({ pid }) => [pid, cpuSecondsOf(pid)]));
  };
  let last = await snapshot();
  let total = 0;
  return {
    async seconds() {
      const now = await snapshot();
      for (const [pid, cpu] of now) {
        const before = last.get(pid) ?? 0; // started since the last reading: all of its time is since then
        if (Number.isFinite(cpu - before)) total += cpu - before;
      }
      last = now;
      return total;
    },
    async sessionReads(sessionId, count) {
      const reader = new pg.Client({ connectionString: url });
      await reader.connect();
      try {
        const pid = await backendPid(reader);
        const read = () => reader.query({ name: "auth_session_by_id", text: SESSION_BY_ID, values: [sessionId] });
        await read(); // parsed and planned once, as on a pooled connection of the app
        const before = cpuSecondsOf(pid);
        for (let i = 0; i < count; i++) await read();
        return cpuSecondsOf(pid) - before;
      } finally {
        await reader.end();
      }
    },
    close: () => client.end(),
  };
}
