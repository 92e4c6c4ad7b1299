// StrykerJS with the feature suite (cucumber runner, embedded target: the agent
// runs in the Cucumber process, so Stryker's per-scenario coverage sees which
// scenarios reach a mutant). `npm run mutation:features`. The unit-test config
// (stryker.config.mjs) is the one `npm run mutation` uses; see MUTATION.md.
import unitConfig from './stryker.config.mjs';

const { nodeTest: _unitTests, ...base } = unitConfig;

process.env.RMH_TARGET = 'embedded';
// Keep the plug-in's per-run reports inside the sandbox's git-ignored out dir.
process.env.RMH_OUT ??= 'reports/out/mutation-features-runs';

export default {
  ...base,
  plugins: ['./stryker/cucumber-runner.ts'],
  testRunner: 'cucumber',
  cucumber: {},
  incrementalFile: `stryker/incremental-features-${process.env.RMH_MUTATION_PART ?? 'engine'}.json`,
  htmlReporter: { fileName: 'reports/out/mutation-features/index.html' },
  jsonReporter: { fileName: 'reports/out/mutation-features/mutation.json' },
  // The feature suite needs features/, steps/, reports/ (the plug-in) and the
  // simulators: only generated output stays out of the sandbox.
  ignorePatterns: ['/reports/out', '/bench/.tmp', '/dist', '/.tools', '/out', '/tmp', '/tsconfig*.json', '/.stryker-tmp'],
  tempDirName: '.stryker-tmp/features',
  // The feature suite drives real UDP and timers: one worker per core at most.
  concurrency: 2,
};
