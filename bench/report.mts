// Medians over rounds, the targets, and the printed table. The script reports; it is not a test, so a
// target that is not met is printed as such and does not change the exit code.
import { median } from "./inprocess.mts";
import type { LoadResult } from "./load.mts";

export type Rounds = Record<string, LoadResult[]>;

export interface Summary {
  rps: number;
  p50: number;
  p99: number;
  cpuMs: number;
  servingCpuMs: number;
  dbCpuMs: number;
  rounds: LoadResult[];
}

export interface Check {
  figure: string;
  value: number;
  op: ">=" | "<=";
  target: number;
  met: boolean;
  unit?: string;
}

export function summarise(rounds: Rounds): Record<string, Summary> {
  return Object.fromEntries(
    Object.entries(rounds).map(([name, results]) => [
      name,
      {
        rps: median(results.map((r) => r.rps)),
        p50: median(results.map((r) => r.p50)),
        p99: median(results.map((r) => r.p99)),
        cpuMs: median(results.map((r) => r.cpuMs ?? NaN)),
        servingCpuMs: median(results.map((r) => r.servingCpuMs ?? NaN)),
        dbCpuMs: median(results.map((r) => r.dbCpuMs ?? NaN)),
        rounds: results,
      },
    ]),
  );
}

/** Median of the per-round ratios: each round's A and B ran back to back, so drift between rounds cancels. */
export function ratio(rounds: Rounds, a: string, b: string, field: "rps" | "p99" = "rps"): number {
  const first = rounds[a]!;
  const second = rounds[b]!;
  return median(first.map((result, i) => result[field] / second[i]![field]));
}

export function check(figure: string, value: number, op: ">=" | "<=", target: number, unit = ""): Check {
  return { figure, value, op, target, unit, met: op === ">=" ? value >= target : value <= target };
}

const fixed = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : "n/a");
/** Whole milliseconds as autocannon's histogram gives them; an exact-latency load's to a tenth. */
const latency = (value: number) => fixed(value, Number.isInteger(value) ? 0 : 1);

export interface Row {
  label: string;
  connections: string;
  summary: Summary;
  bytes?: number;
}

export function loadTable(title: string, rows: Row[]): string {
  // PostgreSQL's own CPU per request, when the run measured it.
  const database = rows.some((row) => Number.isFinite(row.summary.dbCpuMs));
  const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : "");
  const lines = [
    title,
    `  ${"load".padEnd(52)}${"conns".padStart(8)}${"req/s".padStart(8)}${"p50 ms".padStart(8)}${"p99 ms".padStart(8)}` +
      `${"CPU ms/req".padStart(12)}${database ? "PG CPU ms".padStart(11) : ""}${"bytes".padStart(8)}`,
  ];
  for (const { label, connections, summary, bytes } of rows) {
    lines.push(
      `  ${label.padEnd(52)}${connections.padStart(8)}${fixed(summary.rps).padStart(8)}${latency(summary.p50).padStart(8)}` +
        `${latency(summary.p99).padStart(8)}${ms(summary.cpuMs).padStart(12)}${database ? ms(summary.dbCpuMs).padStart(11) : ""}` +
        `${(bytes === undefined ? "" : String(bytes)).padStart(8)}`,
    );
  }
  return lines.join("\n");
}

export function figureTable(title: string, rows: [string, string][]): string {
  return [title, ...rows.map(([label, value]) => `  ${label.padEnd(72)}${value.padStart(12)}`)].join("\n");
}

export function checkTable(title: string, checks: Check[]): string {
  return [
    title,
    ...checks.map(
      (c) =>
        `  ${c.figure.padEnd(60)}${`${fixed(c.value, c.unit ? 0 : 2)}${c.unit ?? ""}`.padStart(8)}   ${c.op === ">=" ? "≥" : "≤"} ` +
        `${`${c.target}${c.unit ?? ""}`.padEnd(8)}${c.met ? "met" : "NOT MET"}`,
    ),
  ].join("\n");
}
