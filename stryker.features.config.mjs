// StrykerJS with the feature suite as the killer (cucumber runner, embedded
// target: the agent runs in the Cucumber process, so Stryker's per-scenario
// coverage sees which scenarios reach a mutant). `npm run mutation:features`.
// The unit-test config (stryker.config.mjs) is the one `npm run mutation` uses;
// see MUTATION.md.
//
// A narrow slice by default (SLICE below: the User-Name rules and the features
// that sign in with each form of a name), so a run takes minutes and shows the
// feature suite killing mutants. Another slice by hand:
//   RMH_FEATURES_MUTATE=agent/src/engine/factors.ts RMH_FEATURES=features/factors npm run mutation:features
// (comma-separated globs / paths). The whole suite in one Cucumber process is
// not proven: see MUTATION.md ("The feature suite").
import unitConfig from './stryker.config.mjs';

const { nodeTest: _unitTests, ...base } = unitConfig;

/** What the default slice mutates and which features may kill it. */
export const SLICE = {
  mutate: ['agent/src/engine/username.ts'],
  features: ['features/users/user-name-forms.feature', 'features/users/directory-accounts.feature'],
};

const list = (value, fallback) => (value ? value.split(',').map((s) => s.trim()).filter(Boolean) : fallback);
const mutate = list(process.env.RMH_FEATURES_MUTATE, SLICE.mutate);
const features = list(process.env.RMH_FEATURES, SLICE.features);
const isDefaultSlice = !process.env.RMH_FEATURES_MUTATE && !process.env.RMH_FEATURES;

process.env.RMH_TARGET = 'embedded';
// Keep the plug-in's per-run reports inside the sandbox's git-ignored out dir.
process.env.RMH_OUT ??= 'reports/out/mutation-features-runs';

export default {
  ...base,
  plugins: ['./stryker/cucumber-runner.ts'],
  testRunner: 'cucumber',
  cucumber: { features },
  mutate,
  // The default slice's incremental file is committed; another slice keeps its own beside the reports.
  incrementalFile: isDefaultSlice ? 'stryker/incremental-features.json' : 'reports/out/mutation-features/incremental.json',
  htmlReporter: { fileName: 'reports/out/mutation-features/index.html' },
  jsonReporter: { fileName: 'reports/out/mutation-features/mutation.json' },
  // The feature suite needs features/, steps/, reports/ (the plug-in) and the
  // simulators: only generated output stays out of the sandbox.
  ignorePatterns: ['/reports/out', '/bench/.tmp', '/dist', '/.tools', '/out', '/tmp', '/tsconfig*.json', '/.stryker-tmp'],
  tempDirName: '.stryker-tmp/features',
  // The feature suite drives real UDP and timers; one worker leaves the other core to the machine's other users.
  concurrency: 1,
};
