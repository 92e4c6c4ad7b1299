// Cucumber configuration (ESM; profiles). `npx cucumber-js` runs every area
// against the target named by RMH_TARGET (default: embedded) and judges it the
// way `radius-mfa-harness run` does: the plug-in reports/cucumber-plugin.ts
// checks tags and the target's ledger before anything runs, then writes the
// verdicts, JUnit, traces, pcaps and the matrix to reports/out/ (RMH_OUT) and
// sets the exit code from the same judgement. The runner (cli/run.ts) loads
// this file through Cucumber's JS API and adds its own formats and selection.
//
//   npx cucumber-js                                   all areas
//   npx cucumber-js features/factors                  one area
//   npx cucumber-js --tags '@area:factors and not @slow'
//   RMH_PARALLEL=2 npx cucumber-js                    two workers
//   RMH_TARGET=freeradius npx cucumber-js             another target
//   RMH_ALLOW_UNAVAILABLE=1 …                         an unusable target is "not applicable", not a failure
//
// Support code: the World, hooks and parameter types (steps/support) and the
// step definitions (steps/**/*.steps.ts). Features: Cucumber's default,
// features/**/*.feature (not set here, so a path on the command line replaces it). Targets (steps/targets) are loaded on
// demand by the World, never as support code; unit tests (*.test.ts) never.
const parallel = Number.parseInt(process.env.RMH_PARALLEL ?? '0', 10);
const out = process.env.RMH_OUT ?? 'reports/out';
const target = process.env.RMH_TARGET ?? 'embedded';

export default {
  import: ['steps/support/**/!(*.test).ts', 'steps/**/*.steps.ts'],
  // Quoted: a target name may hold a colon (zoo:<variant>, external:<name>), which Cucumber would split on.
  format: ['progress', `"html":"${out}/${target}/cucumber.html"`, `"message":"${out}/${target}/messages.ndjson"`],
  formatOptions: { snippetInterface: 'async-await' },
  plugin: ['./reports/cucumber-plugin.ts'],
  pluginOptions: { rmh: {} },
  parallel: Number.isFinite(parallel) && parallel > 0 ? parallel : 0,
  // Undefined and pending steps fail the run (with Cucumber's snippet).
  strict: true,
};
