// StrykerJS: mutation testing of the reference agent's decision engine, transport
// and RADIUS codec (issue 16). `npm run mutation` runs it; it is not part of
// `npm test` (tens of minutes on 2 cores). MUTATION.md has the figures and the
// equivalent mutants.
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
// - Incremental: stryker/incremental.json is committed, so a clean clone only
//   re-tests mutants whose code or covering tests changed.
const unitTests = [
  'agent/src/engine/**/*.test.ts',
  'agent/src/transport/**/*.test.ts',
  'agent/src/radius/**/*.test.ts',
  'agent/src/agent.test.ts',
];

export default {
  $schema: './node_modules/@stryker-mutator/core/schema/stryker-schema.json',
  packageManager: 'npm',
  plugins: ['./stryker/node-test-runner.ts'],
  testRunner: 'node-test',
  nodeTest: { testFiles: unitTests },
  mutate: [
    'agent/src/engine/**/*.ts',
    'agent/src/transport/**/*.ts',
    // The codec proper: encode/decode, Message-Authenticator, User-Password
    // hiding and the digests. The attribute dictionary, code table and value
    // formats (dictionary.ts, codes.ts, values.ts, packet.ts, chap.ts) are
    // left out to keep a run under an hour on 2 cores (see MUTATION.md).
    'agent/src/radius/codec.ts',
    'agent/src/radius/user-password.ts',
    'agent/src/radius/crypto.ts',
    // Tests and test helpers are not the product.
    '!agent/src/**/*.test.ts',
    '!agent/src/**/*.test-helper.ts',
    '!agent/src/transport/udp-test-client.ts',
  ],
  coverageAnalysis: 'perTest',
  // Mutants in code that runs when a module loads (constant tables, module
  // set-up) need a fresh worker and every test file each: on this machine
  // that cost more than all other mutants together. They are reported as
  // "ignored" and counted in MUTATION.md.
  ignoreStatic: true,
  disableTypeChecks: true,
  incremental: true,
  incrementalFile: 'stryker/incremental.json',
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: 'reports/out/mutation/index.html' },
  jsonReporter: { fileName: 'reports/out/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  // Only what the tests need is copied to the sandbox. tsconfig*.json stay out:
  // nothing in the sandbox runs tsc, and Stryker's tsconfig rewriter needs the
  // TypeScript JS API, which TypeScript 7 (native) no longer ships.
  ignorePatterns: ['/reports/out', '/bench/.tmp', '/fuzz', '/docs', '/.tools', '/out', '/tmp', '/tsconfig*.json'],
  // A shared 2-core machine: two workers; the absolute timeout leaves room for
  // load (a test file takes 0.1-2.5 s here) without waiting long on a mutant
  // that makes a test wait forever for a reply.
  concurrency: 2,
  timeoutMS: 8000,
  timeoutFactor: 2,
  dryRunTimeoutMinutes: 15,
  thresholds: { high: 90, low: 80, break: null },
};
