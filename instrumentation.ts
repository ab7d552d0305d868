// Runs once when a server process starts. On the Node.js runtime it schedules the cleanup of ended
// sessions, spent tokens, old login failures and old activity (lib/ops/cleanup-schedule.ts).
export async function register(): Promise<void> {
  // The import sits inside the runtime check so the Edge bundle never includes Prisma.
  if (process.env.NEXT_RUNTIME === "nodejs" && process.env.NEXT_PHASE !== "phase-production-build") {
    const { scheduleCleanup } = await import("./lib/ops/cleanup-schedule");
    await scheduleCleanup();
  }
}
