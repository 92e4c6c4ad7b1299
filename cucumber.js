// Cucumber configuration (ESM; profiles). `npx cucumber-js` runs every area
// against the target named by RMH_TARGET (default: embedded). The runner
// (`radius-mfa-harness run`, cli/run.ts) loads this file through Cucumber's JS
// API and adds its own formats (HTML, JUnit, message stream) and selection.
//
//   npx cucumber-js                                   all areas
//   npx cucumber-js features/factors                  one area
//   npx cucumber-js --tags '@area:factors and not @slow'
//   RMH_PARALLEL=2 npx cucumber-js                    two workers
//
// Support code: the World, hooks and parameter types (steps/support) and the
// step definitions (steps/**/*.steps.ts). Features: Cucumber's default,
// features/**/*.feature (not set here, so a path on the command line replaces it). Targets (steps/targets) are loaded on
// demand by the World, never as support code; unit tests (*.test.ts) never.
const parallel = Number.parseInt(process.env.RMH_PARALLEL ?? '0', 10);

export default {
  import: ['steps/support/**/!(*.test).ts', 'steps/**/*.steps.ts'],
  format: ['progress'],
  formatOptions: { snippetInterface: 'async-await' },
  parallel: Number.isFinite(parallel) && parallel > 0 ? parallel : 0,
  // Undefined and pending steps fail the run (with Cucumber's snippet).
  strict: true,
};
