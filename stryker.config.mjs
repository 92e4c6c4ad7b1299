// StrykerJS: mutation testing of the reference agent's decision engine, transport
// and RADIUS codec (issue 16). `npm run mutation` (stryker/run.ts) runs one
// Stryker run per part — engine, transport, codec — so each has its own
// incremental file and report and the figures come per folder; MUTATION.md has
// them and the equivalent mutants. Not part of `npm test` (tens of minutes on 2
// cores). One part by hand: RMH_MUTATION_PART=engine npx stryker run
//
// Why these choices:
// - Node runs the .ts sources by type stripping, so there is no build step:
//   Stryker's instrumenter writes mutated TypeScript into the sandbox and node
//   runs it as is (`// @ts-nocheck` is added by disableTypeChecks; the type
//   checker plug-in is not used — tsc runs in `npm test`).
// - The unit tests beside the code (node:test) run in Stryker's worker process
//   through stryker/node-test-runner.ts (node:test's run() without isolation):
//   each test file is one "test" for Stryker's per-test coverage, so a mutant
//   only re-runs the files whose run reached it, without a new node process
//   (the tap runner spent ~2.3 s per file starting node here). The feature
//   suite has its own config, stryker.features.config.mjs (cucumber runner,
//   embedded target).
// - Incremental: stryker/incremental-<part>.json is committed, so a clean clone
//   only re-tests mutants whose code or covering tests changed.
const notProduct = ['!agent/src/**/*.test.ts', '!agent/src/**/*.test-helper.ts', '!agent/src/transport/udp-test-client.ts'];

/** What each part mutates and which unit tests may kill its mutants. */
export const PARTS = {
  engine: {
    mutate: ['agent/src/engine/**/*.ts', ...notProduct],
    tests: ['agent/src/engine/**/*.test.ts', 'agent/src/agent.test.ts'],
  },
  transport: {
    mutate: ['agent/src/transport/**/*.ts', ...notProduct],
    tests: ['agent/src/transport/**/*.test.ts', 'agent/src/agent.test.ts'],
  },
  // The codec proper: encode/decode, Message-Authenticator, User-Password
  // hiding and the digests. The attribute dictionary, code table, value
  // formats, packet helpers and CHAP (dictionary.ts, codes.ts, values.ts,
  // packet.ts, chap.ts: ~400 more mutants) are left out to keep a run near an
  // hour on 2 cores (see MUTATION.md).
  codec: {
    mutate: ['agent/src/radius/codec.ts', 'agent/src/radius/user-password.ts', 'agent/src/radius/crypto.ts'],
    // The transport's tests send real datagrams through the codec (malformed ones too), so they kill codec mutants as well.
    tests: ['agent/src/radius/**/*.test.ts', 'agent/src/transport/radius-server*.test.ts', 'agent/src/agent.test.ts'],
  },
};

/** One test's limit. The slowest unit test takes ~0.5 s idle; this leaves room for a loaded machine. */
const TEST_TIMEOUT_MS = 8000;

const part = process.env.RMH_MUTATION_PART ?? 'engine';
if (!Object.hasOwn(PARTS, part)) {
  throw new Error(`RMH_MUTATION_PART=${part} is not a part; use one of: ${Object.keys(PARTS).join(', ')}`);
}

export default {
  $schema: './node_modules/@stryker-mutator/core/schema/stryker-schema.json',
  packageManager: 'npm',
  plugins: ['./stryker/node-test-runner.ts'],
  testRunner: 'node-test',
  nodeTest: { testFiles: PARTS[part].tests, testTimeoutMs: TEST_TIMEOUT_MS },
  // run()'s own timeout only reaches top-level tests; --test-timeout in the
  // worker's flags reaches the tests inside describe() too. A mutant that leaves
  // a test waiting for ever then fails that test in-process (killed) rather than
  // costing Stryker's timeout and a new worker (~25 s each here).
  testRunnerNodeArgs: [`--test-timeout=${TEST_TIMEOUT_MS}`],
  mutate: PARTS[part].mutate,
  coverageAnalysis: 'perTest',
  // Mutants in code that runs when a module loads (constant tables, module
  // set-up) need a fresh worker and every test file each: on this machine
  // that cost more than all other mutants together. They are reported as
  // "ignored" and counted in MUTATION.md.
  ignoreStatic: true,
  disableTypeChecks: true,
  incremental: true,
  incrementalFile: `stryker/incremental-${part}.json`,
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: `reports/out/mutation/${part}/index.html` },
  jsonReporter: { fileName: `reports/out/mutation/${part}/mutation.json` },
  clearTextReporter: { allowColor: false, logTests: false },
  tempDirName: `.stryker-tmp/${part}`,
  // Only what the tests need is copied to the sandbox. tsconfig*.json stay out:
  // nothing in the sandbox runs tsc, and Stryker's tsconfig rewriter needs the
  // TypeScript JS API, which TypeScript 7 (native) no longer ships.
  ignorePatterns: ['/reports/out', '/bench', '/fuzz', '/soak', '/docs', '/dist', '/.tools', '/out', '/tmp', '/tsconfig*.json', '/features', '/.stryker-tmp'],
  // A shared 2-core machine: two workers. A mutant that leaves a test waiting
  // for ever is a timeout from the runner's own watchdog (3 x the file's dry-run
  // time + TEST_TIMEOUT_MS, in-process); Stryker's timeout, which replaces the
  // worker, is the backstop for a mutant that blocks the event loop.
  concurrency: 2,
  timeoutMS: 30000,
  timeoutFactor: 2,
  dryRunTimeoutMinutes: 15,
  // A worker that ran many mutants (some leave sockets or timers behind when a
  // test timed out) is replaced now and then.
  maxTestRunnerReuse: 200,
  thresholds: { high: 90, low: 80, break: null },
};
