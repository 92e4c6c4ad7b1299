/**
 * `radius-mfa-harness run`: the scenario suite against one or more targets.
 *
 * Before anything runs: options, the --tags expression, every loaded
 * scenario's tags and every target's ledger are checked (a problem exits 2 with
 * what is allowed), and the output folder is cleared of what earlier runs wrote.
 * Then the scenarios tagged @no-agent run once ("simulators"), and for each
 * target in turn: it is probed in this process (a target that can't be used
 * fails the run with one line naming the cause, unless --allow-unavailable),
 * and Cucumber runs the agent scenarios through its JS API with RMH_TARGET in
 * the environment (the parallel workers are threads that copy it when they
 * start). The verdicts, per-target folders, JUnit, traces, pcaps and the
 * matrix are written by the Cucumber plug-in (reports/cucumber-plugin.ts) that
 * plain `npx cucumber-js` uses too; this command adds the progress line, the
 * summary and the exit code, all from the same judgement (reports/verdicts.ts
 * `judgeRun`).
 *
 *   <out>/matrix.html, matrix.json, steps.html          targets × areas (+ simulators, apart)
 *   <out>/<target>/cucumber.html, messages.ndjson, junit.xml, verdicts.json
 *   <out>/<target>/scenarios/<id>.trace.html|.trace.txt|.pcap|.<attached file>
 *   <out>/simulators/…                                   the @no-agent scenarios, the same way
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { Writable } from 'node:stream';
import type { Envelope } from '@cucumber/messages';
import { judgeParts, LoadError, type RmhPluginOptions, expressionProblems, featureAreas, summaryLines } from '../reports/cucumber-plugin.ts';
import { type Ledger, LedgerError, ledgerEntryFor, ledgerForTarget } from '../reports/ledger.ts';
import { cleanOutDir, readRuns, writeBucket, writeMatrix } from '../reports/run-output.ts';
import { computeVerdicts, formatSummary, type ScenarioInfo, scenariosOf, summarize, unavailableVerdicts, type Verdict } from '../reports/verdicts.ts';
import { renderCataloguePage } from '../reports/catalogue-page.ts';
import { expandTargetNames, isZooTarget, loadTarget, targetNames } from '../steps/targets/index.ts';
import { formatZooReport, judgeZooRun } from '../steps/targets/zoo/report.ts';
import type { TargetDriver, TargetProfile } from '../steps/targets/target.ts';
import { CodedError } from '../agent/src/errors.ts';
import { type ShardMeta, writeShardMeta } from '../reports/merge.ts';
import { checkNamePattern, checkTagSyntax, failedPaths, featurePathArgs } from './selection.ts';
import { parseShard, readDurations, shardSelection } from './shard.ts';
import { prepareOktaOrg } from './okta-org-run.ts';
import { undefinedStepLines, undefinedSteps } from './snippets.ts';
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
  /** Exploratory runs: a target that can't be used is reported (its scenarios not applicable) instead of failing the run. */
  allowUnavailable?: boolean;
  /** Feature files or folders, optionally `file:line`, as cucumber-js takes them (cli/selection.ts). */
  paths?: string[];
  /** `i/n`: run only shard i of n (cli/shard.ts); `radius-mfa-harness merge` joins the shards' output. */
  shard?: string;
  /** Recorded durations for --shard (default durations.json, written by merge). */
  durations?: string;
  /** Run again the scenarios that failed (or passed unexpectedly) in the last run into --out. */
  rerun?: boolean;
  /** The agent's Okta is this org, set up through its Management API (steps/targets/okta-org.ts). */
  oktaOrg?: string;
  /** Environment variable holding the org's SSWS token (default OKTA_API_TOKEN). */
  oktaTokenEnv?: string;
  /** The org's RADIUS app the agent serves. */
  oktaAppId?: string;
  /** PEM file of an extra CA for the org's certificate. */
  oktaCa?: string;
}

const FEATURES = 'features';
/** Exit code for a run that could not be judged at all (bad options, bad tags or ledger, broken support code). */
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

function describeError(e: unknown): string {
  return e instanceof Error ? e.message.split('\n')[0]! : String(e);
}

function isUnavailable(e: unknown): e is Error & { reason: string } {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'TARGET_UNAVAILABLE';
}

/** The LoadError (bad tags, ambiguous ledger entry) behind Cucumber's "Plugin … errored" wrapper, if any. */
function loadErrorIn(e: unknown): LoadError | LedgerError | undefined {
  for (let c: unknown = e, depth = 0; c && depth < 5; c = (c as { cause?: unknown }).cause, depth++) {
    if (c instanceof LoadError || c instanceof LedgerError) return c;
  }
  return undefined;
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

interface Context {
  /** Pickles, documents and Cucumber's suggestions of every part: the undefined-step message (cli/snippets.ts). */
  seen?: Envelope[];
  opts: RunOptions;
  paths: string[] | undefined;
  outDir: string;
  profileFile: string | undefined;
  allowUnavailable: boolean;
}

async function cucumberConfig(ctx: Context, parallel: number, plugin: RmhPluginOptions) {
  const { loadConfiguration } = await import('@cucumber/cucumber/api');
  const provided: Record<string, unknown> = { parallel };
  if (ctx.paths) provided.paths = ctx.paths;
  if (ctx.opts.tags) provided.tags = ctx.opts.tags;
  if (ctx.opts.name) provided.name = [ctx.opts.name];
  const { runConfiguration } = await loadConfiguration({ provided }, { stderr: process.stderr });
  // The plug-in the configuration names (reports/cucumber-plugin.ts), told what this run is.
  const base = runConfiguration.plugins?.options ?? {};
  const pluginOptions: RmhPluginOptions = {
    out: ctx.outDir,
    clean: false, // this command cleared the folder once, for the whole run
    summary: false,
    exitCode: false,
    dryRun: false,
    allowUnavailable: ctx.allowUnavailable,
    ...(ctx.profileFile ? { profile: ctx.profileFile } : {}),
    ...plugin,
  };
  return { ...runConfiguration, plugins: { specifiers: runConfiguration.plugins?.specifiers ?? [], options: { ...base, rmh: pluginOptions } } };
}

/** The scenarios the selection picks, with their tags: a Cucumber dry run (nothing executes; the plug-in checks tags and ledger). */
async function plan(ctx: Context, target: string): Promise<Plan> {
  const { runCucumber } = await import('@cucumber/cucumber/api');
  const config = await cucumberConfig(ctx, 0, { target, dryRun: true });
  const envelopes: Envelope[] = [];
  const result = await runCucumber(
    { ...config, runtime: { ...config.runtime, dryRun: true, parallel: 0 }, formats: { ...config.formats, stdout: 'summary', files: {}, publish: false } },
    { stdout: sink(), stderr: process.stderr },
    (e) => envelopes.push(e),
  );
  const selected = new Set(envelopes.flatMap((e) => (e.testCase ? [e.testCase.pickleId] : [])));
  return { scenarios: scenariosOf(envelopes).filter((s) => selected.has(s.pickleId)), support: result.support };
}

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

/**
 * One Cucumber run: the agent scenarios against `name` (noAgent 'exclude'), or
 * the @no-agent scenarios once (noAgent 'only', reported as "simulators").
 */
async function runPart(
  ctx: Context,
  name: string,
  bucket: string,
  noAgent: 'exclude' | 'only',
  ledger: Ledger,
  parallel: number,
  support: Support | undefined,
): Promise<{ support: Support | undefined; broken: boolean; cucumberFailed: boolean }> {
  const { runCucumber } = await import('@cucumber/cucumber/api');
  const dir = join(ctx.outDir, bucket);
  const files = {
    html: join(dir, 'cucumber.html'),
    messages: join(dir, 'messages.ndjson'),
    summary: join(dir, 'cucumber.txt'),
  };
  const config = await cucumberConfig(ctx, parallel, { target: name, noAgent });
  const progress = new Progress(bucket, ledger, ctx.opts.ci === true);
  let ran = false;
  const result = await runCucumber(
    {
      ...config,
      support: support ?? config.support,
      formats: {
        ...config.formats,
        // Our progress line replaces Cucumber's stdout; its own summary goes to a file.
        stdout: 'summary',
        files: { [files.html]: 'html', [files.messages]: 'message', [files.summary]: 'summary' },
        publish: false,
      },
    },
    { stdout: sink(), stderr: process.stderr, env: { ...process.env } },
    (e) => {
      if (e.testRunFinished) ran = true;
      if (e.suggestion || e.pickle || e.gherkinDocument) {
        ctx.seen ??= [];
        ctx.seen.push(e);
      }
      progress.onMessage(e);
    },
  );
  progress.end();
  const broken = !result.success && !ran;
  if (broken) say(`${bucket}: Cucumber could not run the suite (see the errors above; ${relative(process.cwd(), files.summary)})`);
  return { support: result.support, broken, cucumberFailed: !result.success };
}

// ---------------------------------------------------------------------------
// Dry run

function dryRunReport(name: string, loaded: Loaded, scenarios: ScenarioInfo[], ledger: Ledger, allowUnavailable: boolean): void {
  const agent = scenarios.filter((s) => !s.noAgent);
  if (loaded.unavailable) {
    say(`target ${name}: unavailable — ${loaded.unavailable}: ${allowUnavailable ? `all ${agent.length} agent scenarios would be not applicable (--allow-unavailable)` : 'the run would fail'}`);
    return;
  }
  const caps = loaded.profile!.capabilities;
  say(`target ${name}: ${loaded.profile!.description}`);
  say(`  capabilities: ${[...caps].sort().join(', ') || '(none)'}`);
  let runs = 0;
  for (const s of agent) {
    const missing = needsOf(s.tags).filter((n) => !caps.has(n as never));
    const where = `${s.uri}:${s.line}`;
    const entry = ledgerEntryFor(ledger, s);
    if (missing.length > 0) {
      say(`  n/a  ${where}  ${s.name} — lacks ${missing.join(', ')}`);
    } else {
      runs++;
      const needs = needsOf(s.tags);
      const why = needs.length > 0 ? `needs ${needs.join(', ')}: offered` : 'needs nothing special';
      say(`  run  ${where}  ${s.name} — ${why}${entry ? `; ledgered deviation (step "${entry.step}" failing with /${entry.failure}/): ${entry.reason}` : ''}`);
    }
  }
  say(`  => ${runs} would run, ${agent.length - runs} not applicable`);
}

// ---------------------------------------------------------------------------

export async function runCommand(opts: RunOptions): Promise<number> {
  try {
    return await runCommandInner(opts);
  } catch (e) {
    const load = loadErrorIn(e);
    // Bad paths, --tags syntax, --name, --shard: one line, exit 2 (cli/selection.ts, cli/shard.ts).
    if (e instanceof CodedError && /^(RUN_BAD_|SHARD_)/.test(e.code)) {
      process.stderr.write(`radius-mfa-harness run: ${e.message}\n`);
      return EXIT_USAGE;
    }
    // --okta-org and its options, or an org that refuses the token: one line with the code, exit 2 (cli/okta-org-run.ts).
    if (e instanceof CodedError && /^OKTA_ORG_/.test(e.code)) {
      process.stderr.write(`radius-mfa-harness run: ${e.code}: ${e.message.replace(/\s*\n\s*/g, ' ')}\n`);
      return EXIT_USAGE;
    }
    if (e instanceof UsageError || load) {
      process.stderr.write(`radius-mfa-harness run: ${(load ?? (e as Error)).message}\n`);
      return EXIT_USAGE;
    }
    throw e;
  }
}

async function runCommandInner(opts: RunOptions): Promise<number> {
  // `zoo` stands for every zoo variant (steps/targets/zoo/), each its own target.
  const targets = expandTargetNames(splitList(opts.target));
  if (targets.length === 0) throw new UsageError(`--target needs at least one of: ${targetNames.join(', ')}.`);
  const unknown = targets.filter((t) => !targetNames.includes(t));
  if (unknown.length > 0) throw new UsageError(`Unknown target ${unknown.map((t) => `"${t}"`).join(', ')}. Choose from: ${targetNames.join(', ')}.`);
  if (new Set(targets).size !== targets.length) throw new UsageError('--target names a target twice.');
  const parallel = Number.parseInt(opts.parallel ?? '0', 10);
  if (!Number.isInteger(parallel) || parallel < 0) throw new UsageError(`--parallel must be a whole number ≥ 0, not "${opts.parallel}".`);
  const profileFile = opts.profile ? resolve(opts.profile) : process.env.RMH_PROFILE ? resolve(process.env.RMH_PROFILE) : undefined;
  if (opts.profile && !existsSync(profileFile!)) throw new UsageError(`--profile ${opts.profile}: no such file.`);
  if (targets.includes('external') && !profileFile) {
    throw new UsageError('the external target needs --profile FILE (host, port, secret, capabilities); see reports/README.md.');
  }
  checkTagSyntax(opts.tags);
  checkNamePattern(opts.name);
  // --okta-org: checked (options, token, one call to the org) before anything runs; its environment reaches the workers.
  const oktaOrg = await prepareOktaOrg(opts);
  if (oktaOrg) {
    say(oktaOrg.describe);
    const restore = oktaOrg.applyEnv();
    let code: number;
    try {
      code = await runWithTargets(opts, targets, parallel, profileFile);
    } finally {
      restore();
    }
    if (opts.dryRun) return code;
    const swept = await oktaOrg.sweep();
    say(swept.line);
    // Users left in someone's org are a failure of the run, even when every scenario passed.
    return swept.failed && code === 0 ? 1 : code;
  }
  return runWithTargets(opts, targets, parallel, profileFile);
}

async function runWithTargets(opts: RunOptions, targets: string[], parallel: number, profileFile: string | undefined): Promise<number> {
  const shard = opts.shard !== undefined ? parseShard(opts.shard) : undefined;
  const explicitPaths = featurePathArgs(opts.paths ?? [], process.cwd());
  if (opts.rerun) {
    const failed = failedPaths(readRuns(resolve(opts.out)));
    if (failed.length === 0) {
      say(`--rerun: the last run in ${opts.out} has no failed scenario to run again.`);
      return 0;
    }
    say(`--rerun: ${failed.length} scenarios that failed in the last run: ${failed.join(' ')}`);
    explicitPaths.push(...failed);
  }
  const tagErrors = expressionProblems(opts.tags, featureAreas(process.cwd()));
  if (tagErrors.length > 0) throw new UsageError(tagErrors.join('\n'));
  if (process.env.RMH_REQUIRE_TARGETS !== undefined) {
    say('note: RMH_REQUIRE_TARGETS is no longer read: every target named with --target must be usable; --allow-unavailable is the exception for exploratory runs.');
  }
  const allowUnavailable = opts.allowUnavailable === true;
  const areaPaths = selectionPaths(splitList(opts.area));
  const chosen = [...(areaPaths ?? []), ...explicitPaths];
  const ctx: Context = { opts, paths: chosen.length > 0 ? chosen : undefined, outDir: resolve(opts.out), profileFile, allowUnavailable };
  /** Whether the selection (before any shard) is the whole suite: stale ledger entries then fail the run. */
  const wholeSuite = !opts.area && !opts.tags && !opts.name && explicitPaths.length === 0;
  // Ledgers are read up front: a malformed one stops the run before anything runs.
  const ledgers = new Map(targets.map((t) => [t, ledgerForTarget(t, profileFile)]));

  const started = performance.now();
  const planned = await plan(ctx, targets[0]!);
  let shardMeta: ShardMeta | undefined;
  if (shard && planned.scenarios.length > 0) {
    const durationsFile = resolve(opts.durations ?? 'durations.json');
    const durations = readDurations(durationsFile);
    const picked = shardSelection(planned.scenarios, durations, shard);
    say(
      `shard ${shard.index}/${shard.total}: ${picked.length} of ${planned.scenarios.length} scenarios (${durations.size > 0 ? `split by the durations in ${relative(process.cwd(), durationsFile) || durationsFile}` : 'no recorded durations: split by count'})`,
    );
    shardMeta = { index: shard.index, total: shard.total, fullSuite: wholeSuite, allowUnavailable, scenarios: picked.map((s) => s.id) };
    planned.scenarios = picked;
    // Cucumber loads exactly this shard's scenarios (an outline row by its own line).
    ctx.paths = picked.map((s) => `${s.uri}:${s.line}`);
    if (picked.length === 0 && !opts.dryRun) {
      cleanOutDir(ctx.outDir);
      writeShardMeta(ctx.outDir, shardMeta);
      say(`shard ${shard.index}/${shard.total} has no scenario (more shards than scenarios): nothing to run.`);
      return 0;
    }
  }
  if (planned.scenarios.length === 0 && !shardMeta) {
    say('No scenario matches the selection (--area / --tags / --name).');
    return EXIT_USAGE;
  }
  const agentScenarios = planned.scenarios.filter((s) => !s.noAgent);
  const simScenarios = planned.scenarios.filter((s) => s.noAgent);
  const selection =
    [explicitPaths.length > 0 && `paths ${explicitPaths.join(' ')}`, opts.area && `areas ${opts.area}`, opts.tags && `tags ${opts.tags}`, opts.name && `name /${opts.name}/`]
      .filter(Boolean)
      .join(', ') || 'everything';
  say(
    `${planned.scenarios.length} scenarios selected (${selection}): ${agentScenarios.length} against each of ${targets.join(', ')}, ${simScenarios.length} that never reach an agent (run once, as "simulators")`,
  );

  if (opts.dryRun) {
    for (const name of targets) {
      const previous = process.env.RMH_PROFILE;
      if (profileFile) process.env.RMH_PROFILE = profileFile;
      try {
        dryRunReport(name, await probeTarget(name, profileFile), planned.scenarios, ledgers.get(name)!, allowUnavailable);
      } finally {
        if (previous === undefined) delete process.env.RMH_PROFILE;
        else process.env.RMH_PROFILE = previous;
      }
    }
    if (simScenarios.length > 0) say(`simulators: ${simScenarios.length} @no-agent scenarios would run once`);
    return 0;
  }

  // Each run's output is complete and alone: what earlier runs wrote goes first.
  cleanOutDir(ctx.outDir);
  if (shardMeta) writeShardMeta(ctx.outDir, shardMeta);
  let support = planned.support;
  let broken = false;
  let cucumberFailed = false;
  // Several Cucumber runs in one process: each gets at least one worker (a thread with its own
  // modules), so no module-level state of the support code leaks from one run into the next.
  const runCount = targets.length + (simScenarios.length > 0 ? 1 : 0);
  const workers = runCount > 1 ? Math.max(parallel, 1) : parallel;
  // Targets put their servers' temporary files here; removed whatever happens, since
  // Cucumber's worker threads can be terminated before their exit hooks run.
  const scratch = mkdtempSync(join(tmpdir(), 'rmh-run-'));
  const saved = {
    scratch: process.env.RMH_SCRATCH_DIR,
    target: process.env.RMH_TARGET,
    profile: process.env.RMH_PROFILE,
    allow: process.env.RMH_ALLOW_UNAVAILABLE,
  };
  process.env.RMH_SCRATCH_DIR = scratch;
  // Set before runCucumber starts its worker threads, which copy the environment.
  if (profileFile) process.env.RMH_PROFILE = profileFile;
  if (allowUnavailable) process.env.RMH_ALLOW_UNAVAILABLE = '1';
  else delete process.env.RMH_ALLOW_UNAVAILABLE;
  try {
    if (simScenarios.length > 0) {
      process.env.RMH_TARGET = targets[0]!;
      const t0 = performance.now();
      const r = await runPart(ctx, targets[0]!, 'simulators', 'only', ledgers.get(targets[0]!)!, workers, support);
      support = r.support;
      broken ||= r.broken;
      cucumberFailed ||= r.cucumberFailed;
      const sims = readRuns(ctx.outDir).find((x) => x.kind === 'simulators');
      say(`simulators: ${formatSummary(summarize(sims?.verdicts ?? []))} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    }
    for (const name of targets) {
      if (agentScenarios.length === 0) break;
      process.env.RMH_TARGET = name;
      const t0 = performance.now();
      const loaded = await probeTarget(name, profileFile);
      if (loaded.unavailable) {
        broken ||= loaded.broken === true;
        say(`${name}: unavailable — ${loaded.unavailable}${allowUnavailable ? ` (--allow-unavailable: its ${agentScenarios.length} scenarios are not applicable)` : ''}`);
        writeBucket(ctx.outDir, {
          name,
          verdicts: unavailableVerdicts(name, agentScenarios, loaded.unavailable),
          traces: new Map(),
          files: new Map(),
          unavailable: loaded.unavailable,
          judgement: allowUnavailable ? { problems: [], notes: [`${name}: unavailable — ${loaded.unavailable} (allowed by --allow-unavailable)`] } : { problems: [`${name}: unavailable — ${loaded.unavailable}`], notes: [] },
          startedAt: Date.now(),
        });
        continue;
      }
      say(`${name}: ${loaded.profile!.description}`);
      const r = await runPart(ctx, name, name, 'exclude', ledgers.get(name)!, workers, support);
      support = r.support;
      broken ||= r.broken;
      // A zoo variant's failures are expected: the zoo judge below decides whether it was caught.
      if (!isZooTarget(name)) cucumberFailed ||= r.cucumberFailed;
      // Add what only this process knows of the target to the part the plug-in wrote.
      const part = readRuns(ctx.outDir).find((x) => x.target === name && x.kind !== 'simulators');
      if (part) {
        const { writeFileSync } = await import('node:fs');
        writeFileSync(join(ctx.outDir, name, 'verdicts.json'), `${JSON.stringify({ ...part, description: loaded.profile!.description, capabilities: [...loaded.profile!.capabilities].sort() }, null, 2)}\n`);
      }
      say(`${name}: ${formatSummary(summarize(part?.verdicts ?? []))} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    }
  } finally {
    if (targets.includes('container')) {
      const { reapOwnContainers } = await import('../steps/targets/container.ts');
      await reapOwnContainers();
    }
    rmSync(scratch, { recursive: true, force: true });
    for (const [key, value] of [
      ['RMH_SCRATCH_DIR', saved.scratch],
      ['RMH_TARGET', saved.target],
      ['RMH_PROFILE', saved.profile],
      ['RMH_ALLOW_UNAVAILABLE', saved.allow],
    ] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }

  const allRuns = readRuns(ctx.outDir);
  // Zoo variants (broken agents) are judged apart: caught when a scenario fails for the reason the variant names.
  const zooRuns = allRuns.filter((r) => isZooTarget(r.target));
  const runs = allRuns.filter((r) => !isZooTarget(r.target));
  const fullSuite = wholeSuite && !shardMeta && allRuns.every((r) => r.fullSuite !== false);
  const judgement = judgeParts(runs, { fullSuite, allowUnavailable });
  const zoo = zooRuns.length > 0 ? judgeZooRun(new Map(zooRuns.map((r) => [r.target, r.verdicts]))) : undefined;
  if (zoo && zoo.variants.length + (zoo.control ? 1 : 0) > 0) {
    // The zoo's runs did check something: "nothing was checked" (reports/verdicts.ts) would speak of the other targets only.
    const nothing = (p: string): boolean => p.startsWith('nothing was checked: no scenario ran');
    judgement.problems = judgement.problems.filter((p) => !nothing(p));
    judgement.runProblems = judgement.runProblems.filter((p) => !nothing(p));
    if (judgement.problems.length === 0) judgement.exitCode = 0;
  }
  if (zoo && !zoo.ok) {
    const missed = zoo.variants.filter((j) => !j.caught).map((j) => j.variant);
    const why = [...(missed.length > 0 ? [`not caught: ${missed.join(', ')}`] : []), ...(zoo.control && !zoo.control.ok ? [zoo.control.reason] : [])];
    judgement.problems.push(`the zoo run fails: ${why.join('; ')}`);
    judgement.runProblems.push(judgement.problems.at(-1)!);
    judgement.exitCode = 1;
  }
  if (cucumberFailed && judgement.exitCode === 0 && !broken) {
    judgement.problems.push('Cucumber reported a failure that no verdict explains (see the errors above)');
    judgement.runProblems.push(judgement.problems.at(-1)!);
    judgement.exitCode = 1;
  }
  if (shardMeta) {
    // A shard may hold only scenarios its targets can't run; whether the run checked nothing is for merge to judge, over every shard.
    const whole = (p: string): boolean => p.includes('nothing was checked');
    const moved = judgement.problems.filter(whole);
    judgement.problems = judgement.problems.filter((p) => !whole(p));
    judgement.runProblems = judgement.runProblems.filter((p) => !whole(p));
    judgement.notes.push(...moved.map((p) => `${p} (in this shard; merge judges the whole run)`));
    if (judgement.problems.length === 0) judgement.exitCode = 0;
  }
  if (agentScenarios.length === 0) judgement.notes.push(`no agent scenario was selected: ${targets.join(', ')} ran nothing`);
  // Wall-clock time of the report only; nothing under test reads it.
  writeMatrix(ctx.outDir, new Date().toISOString(), judgement);
  const { writeFileSync } = await import('node:fs');
  // The step catalogue beside the matrix, so QA browsing a run can see what they may write next.
  writeFileSync(join(ctx.outDir, 'steps.html'), renderCataloguePage(await loadStepCatalogue()));

  say('');
  say(`Summary (${((performance.now() - started) / 1000).toFixed(1)} s):`);
  for (const line of summaryLines(runs, judgement)) say(line);
  if (zoo) {
    writeFileSync(join(ctx.outDir, 'zoo.json'), `${JSON.stringify(zoo, null, 2)}\n`);
    for (const line of formatZooReport(zoo).split('\n')) say(`  ${line}`);
  }
  const relOut = relative(process.cwd(), ctx.outDir);
  const rel = relOut === '' ? '.' : relOut.startsWith('..') ? ctx.outDir : relOut;
  say(`Reports: ${rel}/matrix.html (and matrix.json), ${rel}/steps.html (step catalogue); per target and simulators: ${rel}/<name>/cucumber.html, junit.xml, verdicts.json, messages.ndjson, scenarios/`);
  const undefinedLines = undefinedStepLines(undefinedSteps(ctx.seen ?? []), `${rel}/steps.html`);
  if (undefinedLines.length > 0) say('');
  for (const line of undefinedLines) say(line);
  if (broken) return EXIT_USAGE;
  if (judgement.problems.length > 0) {
    say(`The run fails (exit 1):`);
    for (const p of judgement.problems) say(`  ${p}`);
    return 1;
  }
  if (allowUnavailable && judgement.notes.some((n) => n.includes('--allow-unavailable'))) say('Passed, with --allow-unavailable: some targets were not checked (see the notes above).');
  return 0;
}
