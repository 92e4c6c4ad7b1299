/**
 * What a run leaves in its output folder, and only that: per target (and
 * "simulators" for @no-agent scenarios) a folder with verdicts.json, junit.xml
 * and each scenario's trace, pcap and failure files; at the top the matrix and
 * the step catalogue. Written by the Cucumber plug-in (reports/cucumber-plugin.ts)
 * for `cucumber-js` and `radius-mfa-harness run` alike.
 *
 * Each run's output is complete and alone: `cleanOutDir` removes, at the start
 * of a run, what earlier runs wrote — the top-level reports and every folder
 * that carries the run marker (or is an unmarked per-target folder of an older
 * version) — and nothing else: never a path outside the folder, never a
 * symbolic link's target, never a folder it didn't write.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { renderJunit } from './junit.ts';
import type { LedgerEntry } from './ledger.ts';
import { buildMatrix, type MatrixVerdict, renderMatrixHtml, type TargetRun } from './matrix.ts';
import { pcapFromEvents, tsharkCommand } from './pcap.ts';
import { parseTrace, renderTraceHtml, renderTraceText } from './trace.ts';
import { type KeptAttachment, type RunJudgement, SIMULATORS, type ScenarioVerdict } from './verdicts.ts';

/** A file in every folder a run writes: what `cleanOutDir` may remove next time. */
export const RUN_MARKER = '.radius-mfa-harness-run';
// shard.json: written by `run --shard`; durations.json: by `merge` (cli/shard.ts, reports/merge.ts).
const TOP_LEVEL = ['matrix.html', 'matrix.json', 'steps.html', 'junit.xml', 'shard.json', 'durations.json', RUN_MARKER];
/** What per-target folders of versions before the marker held; such a folder holding only these is ours. */
const LEGACY_FILES = new Set(['cucumber.html', 'cucumber.txt', 'junit.xml', 'messages.ndjson', 'scenarios', 'verdicts.json']);

function inside(outDir: string, path: string): boolean {
  const rel = relative(outDir, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/** Removes what earlier runs wrote into `outDir` (see the file comment). Returns what it removed, relative. */
export function cleanOutDir(outDir: string): string[] {
  const root = resolve(outDir);
  if (!existsSync(root)) return [];
  const removed: string[] = [];
  const remove = (path: string): void => {
    if (!inside(root, path)) return;
    rmSync(path, { recursive: true, force: true });
    removed.push(relative(root, path));
  };
  for (const name of readdirSync(root)) {
    const path = join(root, name);
    const st = lstatSync(path);
    if (st.isSymbolicLink()) continue;
    if (st.isFile() && TOP_LEVEL.includes(name)) remove(path);
    if (!st.isDirectory()) continue;
    const entries = readdirSync(path);
    const marked = entries.includes(RUN_MARKER);
    const legacy = entries.length > 0 && entries.every((e) => LEGACY_FILES.has(e));
    // Browser steps once kept failure screenshots here; now they are attached to their scenario.
    const screenshots = name === 'screenshots' && entries.every((e) => e.endsWith('.png'));
    if (marked || legacy || screenshots) remove(path);
  }
  return removed;
}

/** Marks `outDir` and `dir` (inside it) as written by this run. */
export function markOwned(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, RUN_MARKER), 'written by radius-mfa-harness: removed at the start of the next run into this folder\n');
}

/** A file name for a scenario's artifacts: readable, and unique through a short hash of its id. */
export function artifactBase(id: string): string {
  let h = 0x811c9dc5;
  for (const ch of id) h = Math.imul(h ^ ch.codePointAt(0)!, 0x01000193) >>> 0;
  const readable = id
    .replace(/\.feature::/, '--')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase()
    .slice(0, 90);
  return `${readable}-${h.toString(16).padStart(8, '0')}`;
}

function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '') || 'attachment';
}

export interface BucketInput {
  /** A target's name, or "simulators". */
  name: string;
  verdicts: readonly ScenarioVerdict[];
  traces: ReadonlyMap<string, readonly string[]>;
  files: ReadonlyMap<string, readonly KeptAttachment[]>;
  description?: string;
  capabilities?: string[];
  unavailable?: string;
  unmatchedLedgerEntries?: LedgerEntry[];
  /** Reports Cucumber wrote for this run (relative to the out dir). */
  reports?: TargetRun['reports'];
  /** This part's run-level problems and notes (they go into its JUnit too). */
  judgement?: Pick<RunJudgement, 'problems' | 'notes'>;
  hookFailures?: string[];
  fullSuite?: boolean;
  /** Wall-clock time the part started (report only): orders the matrix columns. */
  startedAt: number;
}

/** Writes a target's (or the simulators') folder: traces, pcaps, kept files, junit.xml, verdicts.json. */
export function writeBucket(outDir: string, b: BucketInput, warn: (line: string) => void = () => {}): TargetRun {
  const dir = join(outDir, b.name);
  markOwned(dir);
  const scenariosDir = join(dir, 'scenarios');
  const verdicts = b.verdicts.map((v): MatrixVerdict => {
    const base = artifactBase(v.id);
    const artifacts: NonNullable<MatrixVerdict['artifacts']> = {};
    const events = (b.traces.get(v.id) ?? []).flatMap((body) => {
      try {
        return parseTrace(body);
      } catch (e) {
        warn(`${v.id}: unreadable packet trace attachment (${(e as Error).message.split('\n')[0]})`);
        return [];
      }
    });
    if (events.length > 0) {
      mkdirSync(scenariosDir, { recursive: true });
      const pcap = join(scenariosDir, `${base}.pcap`);
      const html = join(scenariosDir, `${base}.trace.html`);
      const text = join(scenariosDir, `${base}.trace.txt`);
      writeFileSync(pcap, pcapFromEvents(events));
      const options = { title: `${v.name} — ${v.target}`, pcapFile: `${base}.pcap`, tsharkCommand: tsharkCommand(`${base}.pcap`, events) };
      writeFileSync(html, renderTraceHtml(events, options));
      writeFileSync(text, renderTraceText(events, options));
      Object.assign(artifacts, { trace: relative(outDir, html), traceText: relative(outDir, text), pcap: relative(outDir, pcap) });
    }
    const kept = b.files.get(v.id) ?? [];
    if (kept.length > 0) {
      mkdirSync(scenariosDir, { recursive: true });
      artifacts.files = kept.map((f) => {
        const path = join(scenariosDir, `${base}.${safeFileName(f.fileName)}`);
        writeFileSync(path, Buffer.from(f.body, 'base64'));
        return { name: f.fileName, mediaType: f.mediaType, path: relative(outDir, path) };
      });
    }
    return Object.keys(artifacts).length > 0 ? { ...v, artifacts } : { ...v };
  });
  const junit = join(dir, 'junit.xml');
  writeFileSync(
    junit,
    renderJunit([{ name: `radius-mfa-harness (${b.name})`, verdicts, problems: b.judgement?.problems ?? [], notes: b.judgement?.notes ?? [] }]),
  );
  const run: TargetRun = {
    target: b.name,
    kind: b.name === SIMULATORS ? 'simulators' : 'target',
    startedAt: b.startedAt,
    reports: { ...b.reports, junit: relative(outDir, junit) },
    verdicts,
  };
  if (b.description !== undefined) run.description = b.description;
  if (b.capabilities !== undefined) run.capabilities = b.capabilities;
  if (b.unavailable !== undefined) run.unavailable = b.unavailable;
  if (b.unmatchedLedgerEntries !== undefined) run.unmatchedLedgerEntries = b.unmatchedLedgerEntries;
  if (b.judgement) run.problems = [...b.judgement.problems];
  if (b.hookFailures !== undefined) run.hookFailures = b.hookFailures;
  if (b.fullSuite !== undefined) run.fullSuite = b.fullSuite;
  writeFileSync(join(dir, 'verdicts.json'), `${JSON.stringify(run, null, 2)}\n`);
  return run;
}

/** Every part this run wrote so far (folders with the marker and a verdicts.json), oldest first. */
export function readRuns(outDir: string): TargetRun[] {
  if (!existsSync(outDir)) return [];
  const runs: TargetRun[] = [];
  for (const name of readdirSync(outDir)) {
    const file = join(outDir, name, 'verdicts.json');
    if (existsSync(join(outDir, name, RUN_MARKER)) && existsSync(file)) runs.push(JSON.parse(readFileSync(file, 'utf8')) as TargetRun);
  }
  return runs.sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0) || a.target.localeCompare(b.target));
}

/** The matrix (JSON + HTML) of every part of this run, and the run's problems on its banner. */
export function writeMatrix(outDir: string, generatedAt: string, judgement: Pick<RunJudgement, 'problems' | 'notes'>): void {
  markOwned(outDir);
  const matrix = buildMatrix(readRuns(outDir), generatedAt, judgement);
  writeFileSync(join(outDir, 'matrix.json'), `${JSON.stringify(matrix, null, 2)}\n`);
  writeFileSync(join(outDir, 'matrix.html'), renderMatrixHtml(matrix));
}
