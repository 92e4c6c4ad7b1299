/**
 * `npm run mutation [part…]`: one StrykerJS run per part of the agent (engine,
 * transport, codec — see PARTS in stryker.config.mjs), then a table of the
 * figures per part from Stryker's JSON reports, written beside the HTML reports
 * in reports/out/mutation/ (summary.md) with the wall time and load average.
 * Nothing is installed at run time: Stryker comes from devDependencies (npm ci).
 *
 * Exit code: Stryker's own failure, or 1 when a part is under its goal
 * (--min-score=N, default none: the figures are information, MUTATION.md says
 * what the survivors are).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { CodedError } from '../agent/src/errors.ts';

export const ALL_PARTS = ['engine', 'transport', 'codec'] as const;
export type Part = (typeof ALL_PARTS)[number];

/** The figures of one part, counted the way Stryker's score counts them. */
export interface PartFigures {
  part: string;
  mutants: number;
  killed: number;
  survived: number;
  timeout: number;
  noCoverage: number;
  ignored: number;
  errors: number;
  /** (killed + timeout) / (killed + timeout + survived + no coverage), in %. */
  score: number;
}

type MutantStatus = 'Killed' | 'Survived' | 'Timeout' | 'NoCoverage' | 'Ignored' | 'RuntimeError' | 'CompileError' | 'Pending';
interface MutationReport {
  files: Record<string, { mutants: { status: MutantStatus }[] }>;
}

/** Counts one Stryker JSON report (mutation-testing-report-schema). */
export function figuresOf(part: string, report: MutationReport): PartFigures {
  const count: Record<MutantStatus, number> = { Killed: 0, Survived: 0, Timeout: 0, NoCoverage: 0, Ignored: 0, RuntimeError: 0, CompileError: 0, Pending: 0 };
  for (const file of Object.values(report.files)) for (const m of file.mutants) count[m.status] += 1;
  const detected = count.Killed + count.Timeout;
  const valid = detected + count.Survived + count.NoCoverage;
  return {
    part,
    mutants: Object.values(count).reduce((a, b) => a + b, 0),
    killed: count.Killed,
    survived: count.Survived,
    timeout: count.Timeout,
    noCoverage: count.NoCoverage,
    ignored: count.Ignored,
    errors: count.RuntimeError + count.CompileError,
    score: valid === 0 ? 0 : Math.floor((detected / valid) * 10000) / 100,
  };
}

export function formatTable(rows: readonly PartFigures[]): string {
  const head = '| part | mutants | killed | timeout | survived | no coverage | ignored (static) | errors | score |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|';
  const lines = rows.map((r) => `| ${r.part} | ${r.mutants} | ${r.killed} | ${r.timeout} | ${r.survived} | ${r.noCoverage} | ${r.ignored} | ${r.errors} | ${r.score.toFixed(2)} % |`);
  return [head, ...lines].join('\n');
}

export function parseArgs(argv: readonly string[]): { parts: Part[]; minScore?: number } {
  const parts: Part[] = [];
  let minScore: number | undefined;
  for (const arg of argv) {
    if (arg.startsWith('--min-score=')) {
      minScore = Number(arg.slice('--min-score='.length));
      if (!Number.isFinite(minScore) || minScore < 0 || minScore > 100) {
        throw new CodedError('MUTATION_BAD_MIN_SCORE', `--min-score takes a percentage from 0 to 100, not "${arg.slice(12)}"`);
      }
    } else if ((ALL_PARTS as readonly string[]).includes(arg)) {
      parts.push(arg as Part);
    } else {
      throw new CodedError('MUTATION_UNKNOWN_PART', `"${arg}" is not a part; use any of: ${ALL_PARTS.join(', ')} (none: all), or --min-score=N`);
    }
  }
  return { parts: parts.length ? parts : [...ALL_PARTS], minScore };
}

function main(): number {
  const { parts, minScore } = parseArgs(process.argv.slice(2));
  const stryker = join('node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js');
  if (!existsSync(stryker)) throw new CodedError('MUTATION_NO_STRYKER', 'StrykerJS is not installed: run `npm ci` first (it is a devDependency)');
  const out = join('reports', 'out', 'mutation');
  mkdirSync(out, { recursive: true });
  const rows: PartFigures[] = [];
  const timings: string[] = [];
  let failed = false;
  for (const part of parts) {
    const before = loadavg();
    const started = Date.now();
    const result = spawnSync(process.execPath, [stryker, 'run', 'stryker.config.mjs'], {
      stdio: 'inherit',
      env: { ...process.env, RMH_MUTATION_PART: part },
    });
    const seconds = Math.round((Date.now() - started) / 1000);
    const after = loadavg();
    timings.push(`${part}: ${seconds} s, load average ${before.map((l) => l.toFixed(2)).join(' ')} at start, ${after.map((l) => l.toFixed(2)).join(' ')} at end`);
    if (result.status !== 0) {
      console.error(`mutation: the Stryker run of ${part} failed (exit ${result.status ?? result.signal})`);
      failed = true;
      continue;
    }
    rows.push(figuresOf(part, JSON.parse(readFileSync(join(out, part, 'mutation.json'), 'utf8')) as MutationReport));
  }
  const summary = `${formatTable(rows)}\n\n${timings.join('\n')}\n`;
  writeFileSync(join(out, 'summary.md'), summary);
  console.log(`\n${summary}\nreports: ${parts.map((p) => join(out, p, 'index.html')).join(', ')}`);
  const low = minScore === undefined ? [] : rows.filter((r) => r.score < minScore);
  for (const r of low) console.error(`mutation: ${r.part} scores ${r.score} %, under --min-score=${minScore}`);
  return failed || low.length > 0 ? 1 : 0;
}

if (import.meta.main) {
  try {
    process.exitCode = main();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 2;
  }
}
