/**
 * A StrykerJS test runner for node:test files, run in Stryker's worker process
 * (no new node per mutant). The tap runner starts a node process per test file
 * and mutant: on this 2-core machine about 2.3 s of every file's run was start-up
 * and module loading, against 0.6 s of testing. Here each test file is run with
 * node:test's `run({ isolation: 'none' })` inside the worker, so the product's
 * modules are loaded once and each mutant only re-runs the test files.
 *
 * How it stays correct:
 * - Mutants are switched at run time (`__stryker__.activeMutant`), so the
 *   cached product modules see each mutant. A test file is imported anew on
 *   every run: a resolve hook gives its URL a fresh `?stryker-run=N` query, so
 *   its describe/it calls register again.
 * - Coverage is per test file (a file is one Stryker "test"). The mutated
 *   source files are imported once before the first test file, with no current
 *   test, so code that runs at module load is "static" coverage; Stryker
 *   restarts this worker for such mutants (capabilities: no reloadEnvironment).
 * - A mutant run stops at the first failing test unless Stryker asks for all
 *   (disableBail); the hit limit turns a mutant's endless loop into a timeout.
 *
 * Options (stryker config): nodeTest.testFiles — globs of *.test.ts files;
 * nodeTest.testTimeoutMs — one test's limit (default 5000).
 */
import { createHash } from 'node:crypto';
import { globSync, readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { relative, resolve as resolvePath } from 'node:path';
import { run } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type InstrumenterContext, INSTRUMENTER_CONSTANTS, type StrykerOptions } from '@stryker-mutator/api/core';
import type { Logger } from '@stryker-mutator/api/logging';
import { commonTokens, declareClassPlugin, PluginKind, tokens } from '@stryker-mutator/api/plugin';
import {
  type DryRunOptions,
  type DryRunResult,
  DryRunStatus,
  determineHitLimitReached,
  type MutantRunOptions,
  type MutantRunResult,
  type TestResult,
  type TestRunnerCapabilities,
  TestStatus,
  toMutantRunResult,
} from '@stryker-mutator/api/test-runner';

type NodeTestOptions = { testFiles?: string[]; testTimeoutMs?: number };

/** The generation of test-file imports; bumped before every file run. */
let generation = 0;
const TEST_FILE = /(\.test\.ts|\/node-test-pace\.ts)$/;
const PACE = new URL('./node-test-pace.ts', import.meta.url).pathname;
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    if (TEST_FILE.test(resolved.url)) return { ...resolved, url: `${resolved.url}?stryker-run=${generation}` };
    return resolved;
  },
});

/**
 * Globs relative to the sandbox; a leading "!" excludes. The paths stay
 * relative: they are Stryker's test ids, kept in the committed incremental
 * file, so they must not name the sandbox (a new random folder each run).
 */
export function expandGlobs(patterns: readonly string[], cwd: string): string[] {
  const include = patterns.filter((p) => !p.startsWith('!'));
  const exclude = new Set(patterns.filter((p) => p.startsWith('!')).flatMap((p) => globSync(p.slice(1), { cwd })));
  const files = include.flatMap((p) => globSync(p, { cwd })).filter((f) => !exclude.has(f) && !f.includes('node_modules'));
  return [...new Set(files)].sort();
}

/** The file of a test id (`path#digest`). */
export function fileOfTestId(id: string): string {
  const hash = id.lastIndexOf('#');
  return hash < 0 ? id : id.slice(0, hash);
}

function context(): InstrumenterContext {
  const g = globalThis as unknown as Record<string, InstrumenterContext | undefined>;
  g[INSTRUMENTER_CONSTANTS.NAMESPACE] ??= {};
  return g[INSTRUMENTER_CONSTANTS.NAMESPACE] as InstrumenterContext;
}

export class NodeTestRunner {
  static inject = tokens(commonTokens.options, commonTokens.logger);
  private readonly options: StrykerOptions;
  private readonly log: Logger;
  private testFiles: string[] = [];
  private testTimeoutMs = 5000;
  private sourcesLoaded = false;
  /** Test ids by file (see #testId). */
  private readonly ids = new Map<string, string>();
  /** Each file's time in the dry run: a mutant's files run fastest first, so a kill comes early. */
  private readonly dryRunMs = new Map<string, number>();

  constructor(options: StrykerOptions, log: Logger) {
    this.options = options;
    this.log = log;
  }

  capabilities(): TestRunnerCapabilities {
    // ES modules cannot be unloaded: Stryker restarts the worker for static mutants.
    return { reloadEnvironment: false };
  }

  async init(): Promise<void> {
    const own = (this.options as StrykerOptions & { nodeTest?: NodeTestOptions }).nodeTest;
    this.testFiles = expandGlobs(own?.testFiles ?? ['**/*.test.ts'], process.cwd());
    this.testTimeoutMs = own?.testTimeoutMs ?? this.testTimeoutMs;
    if (this.testFiles.length === 0) throw new Error('node-test runner: nodeTest.testFiles matched no file; give globs of *.test.ts files');
  }

  async dryRun(options: DryRunOptions): Promise<DryRunResult> {
    const ctx = context();
    ctx.activeMutant = undefined;
    if (!this.sourcesLoaded) {
      // Module-level code of the product runs here, outside any test: "static".
      ctx.currentTestId = undefined;
      for (const file of expandGlobs(this.options.mutate, process.cwd())) await import(pathToFileURL(resolvePath(file)).href);
      this.sourcesLoaded = true;
    }
    const files = options.testFiles?.length ? options.testFiles.map((f) => relative(process.cwd(), resolvePath(f))) : this.testFiles;
    const result = await this.runFiles(files, options.disableBail, options.coverageAnalysis !== 'off');
    if (result.status === DryRunStatus.Complete) for (const test of result.tests) this.dryRunMs.set(test.id, test.timeSpentMs);
    if (result.status === DryRunStatus.Complete && options.coverageAnalysis !== 'off') result.mutantCoverage = ctx.mutantCoverage;
    return result;
  }

  async mutantRun(options: MutantRunOptions): Promise<MutantRunResult> {
    const ctx = context();
    ctx.activeMutant = options.activeMutant.id;
    ctx.hitLimit = options.hitLimit;
    ctx.hitCount = options.hitLimit ? 0 : undefined;
    try {
      const files = (options.testFilter?.map(fileOfTestId) ?? [...this.testFiles]).sort(
        (a, b) => (this.dryRunMs.get(this.#testId(a)) ?? 0) - (this.dryRunMs.get(this.#testId(b)) ?? 0),
      );
      return toMutantRunResult(await this.runFiles(files, options.disableBail, false));
    } finally {
      ctx.activeMutant = undefined;
    }
  }

  /**
   * A test file's id (and name): its path and a digest of its text. Stryker's
   * incremental mode reuses a mutant's result while its tests are "unchanged",
   * matching tests by name, and a test with no position (one per file here)
   * never looks changed: with the digest in the name an edited test file is a
   * new test, so every mutant it covers or killed is tested again.
   */
  #testId(file: string): string {
    let id = this.ids.get(file);
    if (id === undefined) {
      id = `${file}#${createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 12)}`;
      this.ids.set(file, id);
    }
    return id;
  }

  private async runFiles(files: readonly string[], disableBail: boolean, perTestCoverage: boolean): Promise<DryRunResult> {
    const ctx = context();
    const tests: TestResult[] = [];
    for (const file of files) {
      const id = this.#testId(file);
      ctx.currentTestId = perTestCoverage ? id : undefined;
      generation += 1;
      const started = performance.now();
      // The dry run has no limit of its own (Stryker's dryRunTimeoutMinutes).
      const known = this.dryRunMs.get(id);
      const limitMs = known === undefined ? undefined : 3 * known + this.testTimeoutMs;
      const outcome = await this.runFile(file, disableBail, limitMs);
      ctx.currentTestId = undefined;
      const timeSpentMs = Math.round(performance.now() - started);
      const limit = determineHitLimitReached(ctx.hitCount, ctx.hitLimit);
      if (limit) return limit;
      if (outcome === 'timeout') return { status: DryRunStatus.Timeout, reason: `${file} did not finish within ${limitMs} ms` };
      if (outcome.length > 0) {
        tests.push({ id, name: id, fileName: file, timeSpentMs, status: TestStatus.Failed, failureMessage: outcome.join('; ') });
        if (!disableBail) break;
      } else {
        tests.push({ id, name: id, fileName: file, timeSpentMs, status: TestStatus.Success });
      }
    }
    return { status: DryRunStatus.Complete, tests };
  }

  /**
   * The failures of one file's tests (empty: all passed), or 'timeout' when
   * the file ran past `limitMs`. node:test's own timeouts do not reach every
   * test here (a test inside describe() waiting on a promise that never settles
   * was seen to wait for ever under run() without isolation), so this watchdog
   * is what turns such a mutant into a timeout without waiting for Stryker's
   * (which replaces the worker). What the abandoned test still holds stays in
   * this worker until maxTestRunnerReuse replaces it.
   */
  private async runFile(file: string, disableBail: boolean, limitMs: number | undefined): Promise<string[] | 'timeout'> {
    const failures: string[] = [];
    const abort = new AbortController();
    // run() without isolation never ends its root test by itself: node ends it
    // from the 'beforeExit' handler it adds, which never fires in Stryker's
    // worker (its IPC channel keeps the loop alive). That handler waits for the
    // running tests, then ends the root and removes its process listeners; it
    // is called once the first top-level test has finished (after every file
    // was imported, so every top-level test is registered).
    const before = new Set(process.listeners('beforeExit'));
    // A per-test timeout: a mutant that leaves a test waiting for a reply fails
    // that test here (killed) instead of costing Stryker's timeout and a new worker.
    const stream = run({ files: [PACE, resolvePath(file)], isolation: 'none', concurrency: 1, signal: abort.signal, timeout: this.testTimeoutMs });
    const finish = process.listeners('beforeExit').filter((listener) => !before.has(listener));
    const consume = this.consume(stream, finish, failures, abort, disableBail);
    if (limitMs === undefined) {
      await consume;
    } else {
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), limitMs);
      });
      const result = await Promise.race([consume, expired]);
      clearTimeout(timer);
      if (result === 'timeout') {
        abort.abort();
        return 'timeout';
      }
    }
    if (this.log.isDebugEnabled()) this.log.debug(`node-test: ${file} ${failures.length} failure(s)`);
    return failures;
  }

  private async consume(
    stream: ReturnType<typeof run>,
    finish: readonly NodeJS.BeforeExitListener[],
    failures: string[],
    abort: AbortController,
    disableBail: boolean,
  ): Promise<'done'> {
    let finishing = false;
    for await (const event of stream) {
      if (process.env.RMH_STRYKER_TRACE) this.log.debug(`node-test event ${event.type} ${JSON.stringify(event.data).slice(0, 200)}`);
      if (!finishing && (event.type === 'test:pass' || event.type === 'test:fail') && event.data.nesting === 0) {
        finishing = true;
        for (const listener of finish) listener(0);
      }
      if (event.type !== 'test:fail') continue;
      const error = event.data.details.error as Error & { cause?: unknown };
      const cause = error.cause instanceof Error ? error.cause.message : String(error.cause ?? error.message);
      failures.push(`${event.data.name}: ${cause}`.slice(0, 500));
      if (!disableBail) abort.abort();
    }
    return 'done';
  }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.TestRunner, 'node-test', NodeTestRunner)];

export const strykerValidationSchema = {
  $schema: 'http://json-schema.org/draft-07/schema',
  type: 'object',
  properties: {
    nodeTest: {
      type: 'object',
      additionalProperties: false,
      properties: { testFiles: { type: 'array', items: { type: 'string' } }, testTimeoutMs: { type: 'number', minimum: 1 } },
    },
  },
};
