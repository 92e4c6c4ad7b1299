// Runs every *.test.ts beside the code with node's built-in test runner.
// A list is built here (rather than a shell glob) so a missing folder is not an error
// and the run fails loudly when it finds no test at all.
import { spawnSync } from 'node:child_process';
import { globSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const roots = ['agent', 'bin', 'simulators', 'steps', 'reports', 'scripts', 'cli', 'bench', 'fuzz', 'soak', 'stryker'];
const files = roots
  .flatMap((root) => globSync(`${root}/**/*.test.ts`))
  .filter((f) => !f.includes('node_modules'))
  .sort();
const only = process.argv.slice(2);
const selected = only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files;
if (selected.length === 0) {
  console.error('run-unit-tests: no *.test.ts file found');
  process.exit(1);
}
// A test that runs the suite without naming a report folder must not write into
// reports/out: npm test runs the features beside the unit tests (scripts/test.sh),
// and a unit test's run would clear and overwrite their reports. RMH_OUT is the
// default report folder of both entry points (cucumber.js and `run --out`).
const out = process.env.RMH_OUT ?? mkdtempSync(join(tmpdir(), 'rmh-unit-out-'));
const result = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=2', '--test-timeout=120000', '--test-reporter=spec', ...selected],
  { stdio: 'inherit', env: { ...process.env, RMH_OUT: out } },
);
if (process.env.RMH_OUT === undefined) rmSync(out, { recursive: true, force: true });
process.exit(result.status ?? 1);
