/**
 * Shared pieces of the benchmarks: options, bounded timing loops, latency
 * statistics, memory snapshots, goals and the result table. Every loop here is
 * bounded by a count AND a duration.
 */
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface BenchOptions {
  /** Small counts for a smoke run (figures are not representative). */
  quick: boolean;
  /** Run only these benchmarks (by name). */
  only: readonly string[];
  /** Exit non-zero when a goal is missed. */
  strict: boolean;
  /** Where the JSON results go. */
  out: string;
}

export type GoalOp = '>=' | '<=';

export interface GoalResult {
  /** Metric key in the benchmark's metrics. */
  metric: string;
  op: GoalOp;
  target: number;
  unit: string;
  value: number | null;
  met: boolean;
}

export interface BenchResult {
  name: string;
  title: string;
  status: 'ran' | 'skipped' | 'failed';
  /** Why it was skipped or failed. */
  reason?: string;
  durationMs: number;
  metrics: Record<string, number>;
  units: Record<string, string>;
  goals: GoalResult[];
  notes: string[];
}

/** A benchmark collects metrics and checks goals through this. */
export class Recorder {
  readonly metrics: Record<string, number> = {};
  readonly units: Record<string, string> = {};
  readonly goals: GoalResult[] = [];
  readonly notes: string[] = [];

  set(metric: string, value: number, unit: string): void {
    this.metrics[metric] = value;
    this.units[metric] = unit;
  }

  /** A stated goal: `metric op target`. A metric never measured counts as missed. */
  goal(metric: string, op: GoalOp, target: number): void {
    const value = this.metrics[metric];
    const met = value !== undefined && Number.isFinite(value) && (op === '>=' ? value >= target : value <= target);
    this.goals.push({ metric, op, target, unit: this.units[metric] ?? '', value: value ?? null, met });
  }

  note(text: string): void {
    this.notes.push(text);
  }
}

export function parseOptions(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = { quick: false, only: [], strict: false, out: 'reports/out/bench.json' };
  const only: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') options.quick = true;
    else if (a === '--strict') options.strict = true;
    else if (a === '--only' || a.startsWith('--only=')) {
      const v = a === '--only' ? argv[++i] : a.slice('--only='.length);
      if (!v) throw new Error('--only needs a benchmark name (see the list below); several may be comma-separated');
      only.push(...v.split(',').filter(Boolean));
    } else if (a === '--out' || a.startsWith('--out=')) {
      const v = a === '--out' ? argv[++i] : a.slice('--out='.length);
      if (!v) throw new Error('--out needs a file path');
      options.out = v;
    } else if (a === '--help' || a === '-h') {
      throw new HelpRequested();
    } else {
      throw new Error(`unknown option '${a}' (try --help)`);
    }
  }
  options.only = only;
  return options;
}

export class HelpRequested extends Error {}

/** The usage text; `names` are the benchmarks (bench/run.ts BENCHES), so the list cannot fall behind. */
export function usage(names: readonly string[]): string {
  return `usage: npm run bench -- [--quick] [--only NAME[,NAME]] [--strict] [--out FILE]
  --quick   small counts (smoke run; figures not representative)
  --only    run only these: ${names.join(', ')}
  --strict  exit 1 when a goal is missed (default: report only)
  --out     JSON results (default reports/out/bench.json)`;
}

// ---------------------------------------------------------------------------
// Garbage collection and memory

let gcFn: (() => void) | undefined;

/** A full GC if the runtime lets us have one (enabled here with --expose-gc at runtime). */
export function collectGarbage(): void {
  if (!gcFn) {
    try {
      setFlagsFromString('--expose-gc');
      gcFn = runInNewContext('gc') as () => void;
    } catch {
      gcFn = () => {};
    }
  }
  gcFn();
}

export interface MemorySnapshot {
  rss: number;
  heapUsed: number;
  /** What V8 has reserved for the heap (it keeps pages after a burst; RSS follows this, not heapUsed). */
  heapTotal: number;
}

/**
 * Memory after a full GC. Asynchronous on purpose: WeakRef targets live until
 * the current job ends and FinalizationRegistry callbacks (which undici's
 * Request and AbortSignal.any rely on) run later, so it collects, yields to the
 * event loop a few times, and collects again.
 */
export async function memoryAfterGc(): Promise<MemorySnapshot> {
  for (let i = 0; i < 3; i++) {
    collectGarbage();
    await pause(10);
  }
  collectGarbage();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal };
}

export const MiB = 1024 * 1024;

export function toMiB(bytes: number): number {
  return round(bytes / MiB, 2);
}

export function round(n: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

// ---------------------------------------------------------------------------
// Timing

export interface OpsResult {
  ops: number;
  elapsedMs: number;
  opsPerSec: number;
  nsPerOp: number;
}

/**
 * Run `fn` in batches until `maxOps` ops or `maxMs` milliseconds, whichever
 * comes first (checked between batches). `sink` keeps results observable so
 * the work is not optimised away.
 */
export function measureOps(fn: (i: number) => unknown, maxOps: number, maxMs: number, batch = 500): OpsResult {
  let ops = 0;
  let sink = 0;
  const start = performance.now();
  let now = start;
  while (ops < maxOps && now - start < maxMs) {
    const n = Math.min(batch, maxOps - ops);
    for (let i = 0; i < n; i++) if (fn(ops + i)) sink++;
    ops += n;
    now = performance.now();
  }
  const elapsedMs = now - start;
  if (sink < 0) console.log(sink);
  return { ops, elapsedMs, opsPerSec: ops / (elapsedMs / 1000), nsPerOp: (elapsedMs * 1e6) / Math.max(1, ops) };
}

/** Percentile of an ascending-sorted array (nearest rank). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** Let I/O run for `ms` of wall time (the bench measures the real clock; it is not code under test). */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------
// Output

function formatNumber(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return '—';
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
  if (Number.isInteger(n)) return String(n);
  return String(round(n, Math.abs(n) >= 10 ? 1 : 3));
}

function pad(s: string, w: number, right = false): string {
  return right ? s.padStart(w) : s.padEnd(w);
}

/** The table printed at the end: one row per metric, the goal and whether it was met. */
export function renderTable(results: readonly BenchResult[]): string {
  const rows: string[][] = [['bench', 'metric', 'value', 'unit', 'goal', '']];
  for (const r of results) {
    if (r.status !== 'ran') {
      rows.push([r.name, `(${r.status})`, '', '', '', r.reason ?? '']);
      continue;
    }
    for (const [metric, value] of Object.entries(r.metrics)) {
      const goals = r.goals.filter((g) => g.metric === metric);
      const goalText = goals.map((g) => `${g.op} ${formatNumber(g.target)}`).join(', ');
      const verdict = goals.length === 0 ? '' : goals.every((g) => g.met) ? 'met' : 'MISSED';
      rows.push([r.name, metric, formatNumber(value), r.units[metric] ?? '', goalText, verdict]);
    }
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const numeric = new Set([2]);
  const lines = rows.map((row) => row.map((cell, c) => pad(cell, widths[c]!, numeric.has(c))).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return lines.join('\n');
}

export function tally(results: readonly BenchResult[]): { met: number; missed: number } {
  let met = 0;
  let missed = 0;
  for (const r of results) for (const g of r.goals) g.met ? met++ : missed++;
  return { met, missed };
}
