/**
 * `radius-mfa-harness merge`: the output folders of the shards of one run
 * (`run --shard i/n --out <dir>`, one per CI job) joined into one: the matrix,
 * one JUnit file (every target's suite) at the top and one per target, the
 * verdicts, every scenario's trace/pcap/attachments, each shard's Cucumber
 * HTML, durations.json for the next split, and one exit code — the same
 * judgement (reports/verdicts.ts judgeRun) an unsharded run makes.
 *
 * Joining is strict, since a merged run that lost a shard would look green
 * with part of the suite: every shard 1..n of the same n must be there, once;
 * no scenario may appear in two shards of a target. A ledger entry is stale
 * only if no shard matched it; a target unavailable in any shard is
 * unavailable in the merged run.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { judgeParts, summaryLines } from './cucumber-plugin.ts';
import { renderJunit } from './junit.ts';
import { entryKey, type LedgerEntry } from './ledger.ts';
import type { TargetRun } from './matrix.ts';
import { cleanOutDir, markOwned, readRuns, writeMatrix } from './run-output.ts';
import type { RunJudgement } from './verdicts.ts';

/** What `run --shard` leaves beside the reports of its shard. */
export interface ShardMeta {
  index: number;
  total: number;
  /** Whether the selection the shards split was the whole suite (stale ledger entries then fail the merged run). */
  fullSuite: boolean;
  allowUnavailable: boolean;
  /** The scenario ids this shard selected. */
  scenarios: string[];
}

export const SHARD_META = 'shard.json';

export interface ShardPart {
  /** For messages: the folder it came from. */
  dir: string;
  meta: ShardMeta | undefined;
  runs: TargetRun[];
}

export interface Merged {
  runs: TargetRun[];
  /** Why the shards don't make one run (each fails it). */
  problems: string[];
  fullSuite: boolean;
  allowUnavailable: boolean;
}

function intersectLedger(lists: readonly (readonly LedgerEntry[])[]): LedgerEntry[] {
  if (lists.length === 0) return [];
  const [first, ...rest] = lists;
  return first!.filter((e) => rest.every((l) => l.some((x) => entryKey(x) === entryKey(e))));
}

/** Joins the shards' parts by target. Pure. */
export function mergeParts(parts: readonly ShardPart[]): Merged {
  const problems: string[] = [];
  if (parts.length === 0) return { runs: [], problems: ['no shard output to merge: give the folders each `run --shard i/n --out <dir>` wrote'], fullSuite: false, allowUnavailable: false };
  const metas = parts.map((p) => p.meta);
  const missingMeta = parts.filter((p) => !p.meta).map((p) => p.dir);
  if (missingMeta.length > 0) problems.push(`${missingMeta.join(', ')}: no ${SHARD_META} — not the output of \`run --shard i/n\``);
  const totals = new Set(metas.flatMap((m) => (m ? [m.total] : [])));
  if (totals.size > 1) problems.push(`the folders come from different splits (--shard …/${[...totals].join(', …/')}): merge the shards of one run`);
  const total = [...totals][0];
  if (total !== undefined && totals.size === 1) {
    const seen = new Map<number, string>();
    for (const p of parts) {
      if (!p.meta) continue;
      const other = seen.get(p.meta.index);
      if (other) problems.push(`shard ${p.meta.index}/${total} appears twice (${other} and ${p.dir})`);
      seen.set(p.meta.index, p.dir);
    }
    const missing = Array.from({ length: total }, (_, i) => i + 1).filter((i) => !seen.has(i));
    if (missing.length > 0) problems.push(`shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${total}`).join(', ')} missing: the merged run would leave ${missing.length > 1 ? 'their' : 'its'} scenarios out`);
  }

  const byTarget = new Map<string, { run: TargetRun; from: string }[]>();
  for (const p of parts) for (const run of p.runs) byTarget.set(run.target, [...(byTarget.get(run.target) ?? []), { run, from: p.dir }]);
  const runs: TargetRun[] = [];
  for (const [target, list] of byTarget) {
    const where = new Map<string, string>();
    const verdicts: TargetRun['verdicts'] = [];
    for (const { run, from } of list) {
      for (const v of run.verdicts) {
        const before = where.get(v.id);
        if (before) problems.push(`${target}: scenario "${v.id}" ran in two shards (${before} and ${from})`);
        where.set(v.id, from);
        verdicts.push(v);
      }
    }
    const first = list[0]!.run;
    const merged: TargetRun = {
      target,
      kind: first.kind ?? 'target',
      startedAt: Math.min(...list.map((x) => x.run.startedAt ?? Number.POSITIVE_INFINITY)),
      verdicts: verdicts.sort((a, b) => a.uri.localeCompare(b.uri) || a.line - b.line || a.id.localeCompare(b.id)),
      unmatchedLedgerEntries: intersectLedger(list.map((x) => x.run.unmatchedLedgerEntries ?? [])),
      hookFailures: [...new Set(list.flatMap((x) => x.run.hookFailures ?? []))],
      problems: [...new Set(list.flatMap((x) => x.run.problems ?? []))],
    };
    if (!Number.isFinite(merged.startedAt)) delete merged.startedAt;
    const unavailable = list.find((x) => x.run.unavailable !== undefined)?.run.unavailable;
    if (unavailable !== undefined) merged.unavailable = unavailable;
    if (first.description !== undefined) merged.description = first.description;
    if (first.capabilities !== undefined) merged.capabilities = first.capabilities;
    runs.push(merged);
  }
  const complete = problems.length === 0;
  return {
    runs,
    problems,
    fullSuite: complete && metas.every((m) => m?.fullSuite === true),
    allowUnavailable: metas.some((m) => m?.allowUnavailable === true),
  };
}

/** Reads one shard's output folder. */
export function readShard(dir: string): ShardPart {
  const metaFile = join(dir, SHARD_META);
  const meta = existsSync(metaFile) ? (JSON.parse(readFileSync(metaFile, 'utf8')) as ShardMeta) : undefined;
  return { dir, meta, runs: readRuns(dir) };
}

function copyDir(from: string, to: string): void {
  if (!existsSync(from)) return;
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from, { withFileTypes: true })) {
    if (name.isFile()) copyFileSync(join(from, name.name), join(to, name.name));
  }
}

export interface MergeResult {
  judgement: RunJudgement;
  runs: TargetRun[];
  lines: string[];
}

/**
 * Writes the merged run into `outDir` (cleared of an earlier run's output
 * first, as `run` does) and returns its judgement: exitCode 1 when the run
 * fails, or the shards don't make one run.
 */
export function mergeShardDirs(dirs: readonly string[], outDir: string, generatedAt: string, durationsOf: (runs: readonly TargetRun[]) => Record<string, number>): MergeResult {
  const out = resolve(outDir);
  const parts = dirs.map((d) => readShard(resolve(d)));
  const merged = mergeParts(parts);
  cleanOutDir(out);
  markOwned(out);
  for (const run of merged.runs) {
    const dir = join(out, run.target);
    markOwned(dir);
    // Artifact paths are relative to the out folder and carry a hash of the scenario id: they stay valid.
    for (const p of parts) {
      copyDir(join(p.dir, run.target, 'scenarios'), join(dir, 'scenarios'));
      const html = join(p.dir, run.target, 'cucumber.html');
      if (p.meta && existsSync(html)) copyFileSync(html, join(dir, `cucumber.shard-${p.meta.index}-of-${p.meta.total}.html`));
    }
    const shardHtml = parts.find((p) => p.meta && existsSync(join(p.dir, run.target, 'cucumber.html')));
    run.reports = {
      junit: `${run.target}/junit.xml`,
      ...(shardHtml?.meta ? { html: `${run.target}/cucumber.shard-${shardHtml.meta.index}-of-${shardHtml.meta.total}.html` } : {}),
    };
    writeFileSync(join(dir, 'verdicts.json'), `${JSON.stringify(run, null, 2)}\n`);
  }
  const judgement = judgeParts(merged.runs, { fullSuite: merged.fullSuite, allowUnavailable: merged.allowUnavailable });
  if (merged.problems.length > 0) {
    judgement.problems.unshift(...merged.problems);
    judgement.runProblems.unshift(...merged.problems);
    judgement.exitCode = 1;
  }
  const runProblemsOf = (target: string): string[] => judgement.runProblems.filter((p) => p.startsWith(`${target}:`));
  for (const run of merged.runs) {
    writeFileSync(
      join(out, run.target, 'junit.xml'),
      renderJunit([{ name: `radius-mfa-harness (${run.target})`, verdicts: run.verdicts, problems: runProblemsOf(run.target) }]),
    );
  }
  const suites = merged.runs.map((run) => ({ name: `radius-mfa-harness (${run.target})`, verdicts: run.verdicts, problems: runProblemsOf(run.target) }));
  const unowned = judgement.runProblems.filter((p) => !merged.runs.some((r) => p.startsWith(`${r.target}:`)));
  if (unowned.length > 0) suites.push({ name: 'radius-mfa-harness (run)', verdicts: [], problems: unowned });
  writeFileSync(join(out, 'junit.xml'), renderJunit(suites));
  writeMatrix(out, generatedAt, judgement);
  const steps = parts.map((p) => join(p.dir, 'steps.html')).find((f) => existsSync(f));
  if (steps) copyFileSync(steps, join(out, 'steps.html'));
  writeFileSync(join(out, 'durations.json'), `${JSON.stringify({ durations: durationsOf(merged.runs) }, null, 2)}\n`);
  return { judgement, runs: merged.runs, lines: summaryLines(merged.runs, judgement) };
}

/** What `run --shard` writes beside its reports, for merge. */
export function writeShardMeta(outDir: string, meta: ShardMeta): void {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, SHARD_META), `${JSON.stringify(meta, null, 2)}\n`);
}
