/**
 * `radius-mfa-harness run`: the scenario suite against one or more targets.
 *
 * For each target, in turn: load it (a target that can't start — no container
 * runtime, nothing listening — says so in one line and all its scenarios are
 * "not applicable" with that reason), run Cucumber through its JS API with
 * RMH_TARGET in the environment (Cucumber's parallel workers are threads that
 * copy the environment when they start), judge every scenario (reports/verdicts.ts) against the
 * target's ledger, and write the reports. Then one conformance matrix merges the
 * runs, and the exit code says whether anything failed or passed unexpectedly.
 *
 *   <out>/matrix.html, matrix.json                  areas × targets, drill-down
 *   <out>/<target>/cucumber.html, junit.xml, messages.ndjson
 *   <out>/<target>/scenarios/<id>.trace.html|.trace.txt|.pcap
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { Writable } from 'node:stream';
import type { Envelope } from '@cucumber/messages';
import { type Ledger, LedgerError, loadLedger } from '../reports/ledger.ts';
import { buildMatrix, type MatrixVerdict, renderMatrixHtml, type TargetRun } from '../reports/matrix.ts';
import { pcapFromEvents, tsharkCommand } from '../reports/pcap.ts';
import { parseTrace, renderTraceHtml, renderTraceText } from '../reports/trace.ts';
import {
  computeVerdicts,
  exitCodeFor,
  formatSummary,
  type ScenarioInfo,
  type ScenarioVerdict,
  scenariosOf,
  summarize,
  unavailableVerdicts,
  type Verdict,
} from '../reports/verdicts.ts';
import { renderCataloguePage } from '../reports/catalogue-page.ts';
import { readExternalProfile } from '../steps/targets/external.ts';
import { loadTarget, targetNames } from '../steps/targets/index.ts';
import type { TargetDriver, TargetProfile } from '../steps/targets/target.ts';
import { loadStepCatalogue } from './steps.ts';

export interface RunOptions {
  target: string;
  profile?: string;
  area?: string;
  tags?: string;
  name?: string;
  dryRun?: boolean;
  out: string;
  parallel: string;
  ci?: boolean;
}

const FEATURES = 'features';
const LEDGERS = 'steps/targets/ledgers';
/** Exit code for a run that could not be judged at all (bad options, broken support code). */
const EXIT_USAGE = 2;

type Support = Awaited<ReturnType<typeof import('@cucumber/cucumber/api').runCucumber>>['support'];

class UsageError extends Error {}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function sink(): Writable {
  return new Writable({
    write(_chunk, _enc, done) {
      done();
    },
  });
}

function splitList(s: string | undefined): string[] {
  return (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}

function areasAvailable(): string[] {
  if (!existsSync(FEATURES)) return [];
  return readdirSync(FEATURES)
    .filter((d) => statSync(join(FEATURES, d)).isDirectory())
    .sort();
}

function selectionPaths(areas: string[]): string[] | undefined {
  if (areas.length === 0) return undefined;
  const known = areasAvailable();
  const unknown = areas.filter((a) => !known.includes(a));
  if (unknown.length > 0) {
    throw new UsageError(`Unknown area ${unknown.map((a) => `"${a}"`).join(', ')}. Areas are the folders under features/: ${known.join(', ')}.`);
  }
  return areas.map((a) => `${FEATURES}/${a}/**/*.feature`);
}

function needsOf(tags: readonly string[]): string[] {
  return tags.filter((t) => t.startsWith('@needs:')).map((t) => t.slice('@needs:'.length));
}

/** A file name for a scenario's artifacts: readable, and unique through a short hash of its id. */
function artifactBase(id: string): string {
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

function describeError(e: unknown): string {
  return e instanceof Error ? e.message.split('\n')[0]! : String(e);
}

function isUnavailable(e: unknown): e is Error & { reason: string } {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'TARGET_UNAVAILABLE';
}

// ---------------------------------------------------------------------------
// Progress

const SHORT: Record<Verdict, string> = {
  pass: 'pass',
  fail: 'FAIL',
  'not-applicable': 'n/a',
  'expected-deviation': 'deviation (expected)',
  'unexpected-pass': 'UNEXPECTED PASS',
};

/**
 * Judges each scenario as it finishes, from the envelopes seen so far, for the
 * progress line. The final verdicts are computed again from the whole stream.
 */
class Progress {
  readonly #target: string;
  readonly #ledger: Ledger;
  readonly #lines: boolean;
  readonly #base = new Map<string, Envelope[]>(); // by pickle id: its document, pickle, test case
  readonly #docs = new Map<string, Envelope>();
  readonly #pickleOfTestCase = new Map<string, string>();
  readonly #perStarted = new Map<string, Envelope[]>();
  readonly #counts = new Map<Verdict, number>();
  #total = 0;
  #done = 0;
  #lastLength = 0;

  constructor(target: string, ledger: Ledger, ci: boolean) {
    this.#target = target;
    this.#ledger = ledger;
    // A redrawn line only makes sense on a terminal; logs get one line per scenario.
    this.#lines = ci || !process.stdout.isTTY;
  }

  onMessage(e: Envelope): void {
    if (e.gherkinDocument?.uri) this.#docs.set(e.gherkinDocument.uri, e);
    else if (e.pickle) this.#base.set(e.pickle.id, [e]);
    else if (e.testCase) {
      this.#total++;
      this.#pickleOfTestCase.set(e.testCase.id, e.testCase.pickleId);
      this.#base.get(e.testCase.pickleId)?.push(e);
    } else if (e.testCaseStarted) {
      this.#perStarted.set(e.testCaseStarted.id, [e]);
    } else {
      const id = e.testStepFinished?.testCaseStartedId ?? e.attachment?.testCaseStartedId ?? e.testCaseFinished?.testCaseStartedId;
      if (id) this.#perStarted.get(id)?.push(e);
      if (e.testCaseFinished && !e.testCaseFinished.willBeRetried) this.#finished(e.testCaseFinished.testCaseStartedId);
    }
  }

  #finished(startedId: string): void {
    const envs = this.#perStarted.get(startedId) ?? [];
    this.#perStarted.delete(startedId);
    const testCaseId = envs[0]?.testCaseStarted?.testCaseId;
    const pickleId = testCaseId ? this.#pickleOfTestCase.get(testCaseId) : undefined;
    const base = pickleId ? (this.#base.get(pickleId) ?? []) : [];
    const doc = base[0]?.pickle ? this.#docs.get(base[0].pickle.uri) : undefined;
    const [v] = computeVerdicts(this.#target, [...(doc ? [doc] : []), ...base, ...envs], this.#ledger).verdicts;
    if (!v) return;
    this.#done++;
    this.#counts.set(v.verdict, (this.#counts.get(v.verdict) ?? 0) + 1);
    if (this.#lines) {
      const why = v.verdict === 'pass' ? '' : v.reason ? ` — ${v.reason}` : '';
      say(`[${this.#target} ${this.#done}/${this.#total}] ${SHORT[v.verdict]}  ${v.uri}:${v.line} ${v.name}${why}`);
    } else {
      const c = (k: Verdict): number => this.#counts.get(k) ?? 0;
      const line = `[${this.#target}] ${this.#done}/${this.#total}  ${c('pass')} passed, ${c('fail')} failed, ${c('not-applicable')} n/a, ${c('expected-deviation')} expected dev., ${c('unexpected-pass')} unexpected — ${v.name}`;
      if (v.verdict === 'fail' || v.verdict === 'unexpected-pass') {
        // A failure stays on screen above the redrawn line.
        process.stdout.write(`\r${' '.repeat(this.#lastLength)}\r${SHORT[v.verdict]}  ${v.uri}:${v.line} ${v.name}${v.reason ? ` — ${v.reason}` : ''}\n`);
        this.#lastLength = 0;
      }
      const width = process.stdout.columns ?? 120;
      const shown = line.length > width - 1 ? `${line.slice(0, width - 2)}…` : line;
      process.stdout.write(`\r${shown}${' '.repeat(Math.max(0, this.#lastLength - shown.length))}`);
      this.#lastLength = shown.length;
    }
  }

  end(): void {
    if (!this.#lines && this.#lastLength > 0) process.stdout.write('\n');
  }
}

// ---------------------------------------------------------------------------
// Cucumber

interface Plan {
  scenarios: ScenarioInfo[];
  support: Support | undefined;
}

async function cucumberConfig(opts: RunOptions, paths: string[] | undefined, parallel: number) {
  const { loadConfiguration } = await import('@cucumber/cucumber/api');
  const provided: Record<string, unknown> = { parallel };
  if (paths) provided.paths = paths;
  if (opts.tags) provided.tags = opts.tags;
  if (opts.name) provided.name = [opts.name];
  const { runConfiguration } = await loadConfiguration({ provided }, { stderr: process.stderr });
  return runConfiguration;
}

/** The scenarios the selection picks, with their tags: a Cucumber dry run (nothing executes). */
async function plan(opts: RunOptions, paths: string[] | undefined): Promise<Plan> {
  const { runCucumber } = await import('@cucumber/cucumber/api');
  const config = await cucumberConfig(opts, paths, 0);
  const envelopes: Envelope[] = [];
  const result = await runCucumber(
    { ...config, runtime: { ...config.runtime, dryRun: true, parallel: 0 }, formats: { ...config.formats, stdout: 'summary', files: {}, publish: false } },
    { stdout: sink(), stderr: process.stderr },
    (e) => envelopes.push(e),
  );
  const selected = new Set(envelopes.flatMap((e) => (e.testCase ? [e.testCase.pickleId] : [])));
  return { scenarios: scenariosOf(envelopes).filter((s) => selected.has(s.pickleId)), support: result.support };
}

// ---------------------------------------------------------------------------
// Targets

interface Loaded {
  profile?: TargetProfile;
  unavailable?: string;
  /** A harness bug rather than an environment limit: reported, and fails the run. */
  broken?: boolean;
}

async function probeTarget(name: string, profileFile: string | undefined): Promise<Loaded> {
  let driver: TargetDriver | undefined;
  try {
    driver = await loadTarget(name, profileFile ? { profile: profileFile } : {});
    return { profile: driver.profile };
  } catch (e) {
    if (isUnavailable(e)) return { unavailable: e.reason };
    return { unavailable: `could not load: ${describeError(e)}`, broken: true };
  } finally {
    // The run's own drivers live in the Cucumber workers; this one only proved the target can start.
    await driver?.close().catch(() => {});
  }
}

function ledgerFor(name: string, profileFile: string | undefined): Ledger {
  if (name === 'external' && profileFile) {
    // An external agent's ledger is named by its profile (each agent has its own deviations).
    let file: string | undefined;
    try {
      file = readExternalProfile(profileFile).ledger;
    } catch {
      // An unreadable profile is reported when the target loads.
    }
    if (file) {
      if (!existsSync(file)) throw new UsageError(`the profile ${profileFile} names the ledger ${file}, which does not exist.`);
      return loadLedger(LEDGERS, name, file);
    }
  }
  return loadLedger(LEDGERS, name);
}

function writeArtifacts(outDir: string, targetDir: string, verdicts: ScenarioVerdict[], traces: Map<string, string[]>): MatrixVerdict[] {
  const scenariosDir = join(targetDir, 'scenarios');
  return verdicts.map((v): MatrixVerdict => {
    const bodies = traces.get(v.id) ?? [];
    const events = bodies.flatMap((b) => {
      try {
        return parseTrace(b);
      } catch (e) {
        say(`  ! ${v.id}: unreadable packet trace attachment (${describeError(e)})`);
        return [];
      }
    });
    if (events.length === 0) return v;
    mkdirSync(scenariosDir, { recursive: true });
    const base = artifactBase(v.id);
    const pcap = join(scenariosDir, `${base}.pcap`);
    const html = join(scenariosDir, `${base}.trace.html`);
    const text = join(scenariosDir, `${base}.trace.txt`);
    writeFileSync(pcap, pcapFromEvents(events));
    const options = { title: `${v.name} — ${v.target}`, pcapFile: `${base}.pcap`, tsharkCommand: tsharkCommand(`${base}.pcap`, events) };
    writeFileSync(html, renderTraceHtml(events, options));
    writeFileSync(text, renderTraceText(events, options));
    return { ...v, artifacts: { trace: relative(outDir, html), traceText: relative(outDir, text), pcap: relative(outDir, pcap) } };
  });
}

async function runTarget(
  name: string,
  ledger: Ledger,
  opts: RunOptions,
  paths: string[] | undefined,
  parallel: number,
  outDir: string,
  support: Support | undefined,
): Promise<{ run: TargetRun; support: Support | undefined; broken: boolean }> {
  const { runCucumber } = await import('@cucumber/cucumber/api');
  const targetDir = join(outDir, name);
  rmSync(targetDir, { recursive: true, force: true });
  mkdirSync(targetDir, { recursive: true });
  const files = {
    html: join(targetDir, 'cucumber.html'),
    junit: join(targetDir, 'junit.xml'),
    messages: join(targetDir, 'messages.ndjson'),
    summary: join(targetDir, 'cucumber.txt'),
  };
  const config = await cucumberConfig(opts, paths, parallel);
  const envelopes: Envelope[] = [];
  const progress = new Progress(name, ledger, opts.ci === true);
  const result = await runCucumber(
    {
      ...config,
      support: support ?? config.support,
      formats: {
        ...config.formats,
        // Our progress line replaces Cucumber's stdout; its own summary goes to a file.
        stdout: 'summary',
        files: { [files.html]: 'html', [files.junit]: 'junit', [files.messages]: 'message', [files.summary]: 'summary' },
        publish: false,
        options: { ...config.formats.options, junit: { suiteName: `radius-mfa-harness (${name})` } },
      },
    },
    { stdout: sink(), stderr: process.stderr, env: { ...process.env } },
    (e) => {
      envelopes.push(e);
      progress.onMessage(e);
    },
  );
  progress.end();
  const judged = computeVerdicts(name, envelopes, ledger);
  const ran = envelopes.some((e) => e.testRunFinished);
  const verdicts = writeArtifacts(outDir, targetDir, judged.verdicts, judged.traces);
  const broken = !result.success && !ran;
  if (broken) say(`${name}: Cucumber could not run the suite (see the errors above; ${relative(process.cwd(), files.summary)})`);
  return {
    run: {
      target: name,
      reports: { html: relative(outDir, files.html), junit: relative(outDir, files.junit), messages: relative(outDir, files.messages) },
      verdicts,
      unmatchedLedgerEntries: paths || opts.tags || opts.name ? [] : judged.unmatchedLedgerEntries,
    },
    support: result.support,
    broken,
  };
}

// ---------------------------------------------------------------------------
// Dry run

function dryRunReport(name: string, loaded: Loaded, scenarios: ScenarioInfo[], ledger: Ledger): void {
  if (loaded.unavailable) {
    say(`target ${name}: unavailable — ${loaded.unavailable}: all ${scenarios.length} scenarios would be not applicable`);
    return;
  }
  const caps = loaded.profile!.capabilities;
  say(`target ${name}: ${loaded.profile!.description}`);
  say(`  capabilities: ${[...caps].sort().join(', ') || '(none)'}`);
  let runs = 0;
  for (const s of scenarios) {
    const missing = needsOf(s.tags).filter((n) => !caps.has(n as never));
    const where = `${s.uri}:${s.line}`;
    const entry = ledger.entries.find((e) => e.scenario === s.id || e.scenario === s.baseId || e.scenario === s.name);
    if (missing.length > 0) {
      say(`  n/a  ${where}  ${s.name} — lacks ${missing.join(', ')}`);
    } else {
      runs++;
      const needs = needsOf(s.tags);
      const why = needs.length > 0 ? `needs ${needs.join(', ')}: offered` : 'needs nothing special';
      say(`  run  ${where}  ${s.name} — ${why}${entry ? `; ledgered deviation: ${entry.reason}` : ''}`);
    }
  }
  say(`  => ${runs} would run, ${scenarios.length - runs} not applicable`);
}

// ---------------------------------------------------------------------------

/**
 * The targets that must really run: RMH_REQUIRE_TARGETS (names, or `all`); under CI
 * (CI=true) `all` when it is not set. There, "unavailable" is a failure rather than a
 * column of "not applicable": a broken Podman or a missing FreeRADIUS can't pass
 * silently. `RMH_REQUIRE_TARGETS=none` requires nothing, even under CI.
 */
export function requiredTargets(env: NodeJS.ProcessEnv): Set<string> {
  const named = env.RMH_REQUIRE_TARGETS ?? (env.CI === 'true' ? 'all' : '');
  return new Set(splitList(named).filter((t) => t !== 'none'));
}

export async function runCommand(opts: RunOptions): Promise<number> {
  try {
    return await runCommandInner(opts);
  } catch (e) {
    if (e instanceof UsageError || e instanceof LedgerError) {
      process.stderr.write(`radius-mfa-harness run: ${e.message}\n`);
      return EXIT_USAGE;
    }
    throw e;
  }
}

async function runCommandInner(opts: RunOptions): Promise<number> {
  const targets = splitList(opts.target);
  if (targets.length === 0) throw new UsageError(`--target needs at least one of: ${targetNames.join(', ')}.`);
  const unknown = targets.filter((t) => !targetNames.includes(t));
  if (unknown.length > 0) throw new UsageError(`Unknown target ${unknown.map((t) => `"${t}"`).join(', ')}. Choose from: ${targetNames.join(', ')}.`);
  if (new Set(targets).size !== targets.length) throw new UsageError('--target names a target twice.');
  const parallel = Number.parseInt(opts.parallel ?? '0', 10);
  if (!Number.isInteger(parallel) || parallel < 0) throw new UsageError(`--parallel must be a whole number ≥ 0, not "${opts.parallel}".`);
  const profileFile = opts.profile ? resolve(opts.profile) : undefined;
  if (profileFile && !existsSync(profileFile)) throw new UsageError(`--profile ${opts.profile}: no such file.`);
  if (targets.includes('external') && !profileFile && !process.env.RMH_PROFILE) {
    throw new UsageError('the external target needs --profile FILE (host, port, secret, capabilities); see reports/README.md.');
  }
  const paths = selectionPaths(splitList(opts.area));
  // Ledgers are read up front: a malformed one stops the run before anything runs.
  const ledgers = new Map(targets.map((t) => [t, ledgerFor(t, profileFile ?? process.env.RMH_PROFILE)]));
  const outDir = resolve(opts.out);

  const started = performance.now();
  const planned = await plan(opts, paths);
  if (planned.scenarios.length === 0) {
    say('No scenario matches the selection (--area / --tags / --name).');
    return EXIT_USAGE;
  }
  const selection = [opts.area && `areas ${opts.area}`, opts.tags && `tags ${opts.tags}`, opts.name && `name /${opts.name}/`].filter(Boolean).join(', ') || 'everything';
  say(`${planned.scenarios.length} scenarios selected (${selection}); targets: ${targets.join(', ')}`);

  const required = requiredTargets(process.env);
  const unavailableRequired: string[] = [];
  let support = planned.support;
  const runs: TargetRun[] = [];
  let broken = false;
  // Targets put their servers' temporary files here; removed whatever happens, since
  // Cucumber's worker threads can be terminated before their exit hooks run.
  const scratch = mkdtempSync(join(tmpdir(), 'rmh-run-'));
  const previousScratch = process.env.RMH_SCRATCH_DIR;
  process.env.RMH_SCRATCH_DIR = scratch;
  try {
    for (const name of targets) {
      const previous = { target: process.env.RMH_TARGET, profile: process.env.RMH_PROFILE };
      // Set before the target loads and before runCucumber starts its worker threads, which copy the environment.
      process.env.RMH_TARGET = name;
      if (profileFile) process.env.RMH_PROFILE = profileFile;
      try {
        const t0 = performance.now();
        const loaded = await probeTarget(name, profileFile);
        if (opts.dryRun) {
          dryRunReport(name, loaded, planned.scenarios, ledgers.get(name)!);
          continue;
        }
        if (loaded.unavailable) {
          broken ||= loaded.broken === true;
          if (required.has(name) || required.has('all')) {
            unavailableRequired.push(name);
          }
          say(`${name}: unavailable — ${loaded.unavailable} (all ${planned.scenarios.length} scenarios not applicable)`);
          const run: TargetRun = { ...unavailableVerdicts(name, planned.scenarios, loaded.unavailable), unavailable: loaded.unavailable };
          runs.push(run);
          continue;
        }
        say(`${name}: ${loaded.profile!.description}`);
        // Several targets in one process: each run gets at least one worker (a thread with
        // its own modules), so no module-level state of the support code (a loaded
        // target) leaks from one target's run into the next.
        const workers = targets.length > 1 ? Math.max(parallel, 1) : parallel;
        const r = await runTarget(name, ledgers.get(name)!, opts, paths, workers, outDir, support);
        support = r.support;
        broken ||= r.broken;
        runs.push({ ...r.run, description: loaded.profile!.description, capabilities: [...loaded.profile!.capabilities].sort() });
        const s = summarize(r.run.verdicts);
        say(`${name}: ${formatSummary(s)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      } finally {
        if (previous.target === undefined) delete process.env.RMH_TARGET;
        else process.env.RMH_TARGET = previous.target;
        if (previous.profile === undefined) delete process.env.RMH_PROFILE;
        else process.env.RMH_PROFILE = previous.profile;
      }
    }
  } finally {
    if (targets.includes('container')) {
      const { reapOwnContainers } = await import('../steps/targets/container.ts');
      await reapOwnContainers();
    }
    rmSync(scratch, { recursive: true, force: true });
    if (previousScratch === undefined) delete process.env.RMH_SCRATCH_DIR;
    else process.env.RMH_SCRATCH_DIR = previousScratch;
  }
  if (opts.dryRun) return 0;

  mkdirSync(outDir, { recursive: true });
  // Wall-clock time of the report only; nothing under test reads it.
  const matrix = buildMatrix(runs, new Date().toISOString());
  const matrixJson = join(outDir, 'matrix.json');
  const matrixHtml = join(outDir, 'matrix.html');
  mkdirSync(dirname(matrixJson), { recursive: true });
  writeFileSync(matrixJson, `${JSON.stringify(matrix, null, 2)}\n`);
  writeFileSync(matrixHtml, renderMatrixHtml(matrix));
  // The step catalogue beside the matrix, so QA browsing a run can see what they may write next.
  writeFileSync(join(outDir, 'steps.html'), renderCataloguePage(await loadStepCatalogue()));

  const all = runs.flatMap((r) => r.verdicts);
  say('');
  say(`Summary (${((performance.now() - started) / 1000).toFixed(1)} s):`);
  for (const r of runs) {
    say(`  ${r.target}: ${r.unavailable ? `unavailable (${r.unavailable}); ` : ''}${formatSummary(summarize(r.verdicts))}`);
    for (const v of r.verdicts.filter((x) => x.verdict === 'fail' || x.verdict === 'unexpected-pass')) {
      say(`    ${SHORT[v.verdict]}  ${v.uri}:${v.line}  ${v.name}${v.reason ? ` — ${v.reason}` : ''}`);
    }
    for (const e of r.unmatchedLedgerEntries ?? []) say(`    note: ledger entry "${e.scenario}" matches no scenario (stale?)`);
  }
  const relOut = relative(process.cwd(), outDir);
  const rel = relOut === '' ? '.' : relOut.startsWith('..') ? outDir : relOut;
  say(`Reports: ${rel}/matrix.html (and matrix.json), ${rel}/steps.html (step catalogue); per target: ${rel}/<target>/cucumber.html, junit.xml, messages.ndjson, scenarios/`);
  if (broken) return EXIT_USAGE;
  if (unavailableRequired.length > 0) {
    say(`RMH_REQUIRE_TARGETS: ${unavailableRequired.join(', ')} could not start, so the run fails.`);
    return 1;
  }
  return exitCodeFor(all);
}
