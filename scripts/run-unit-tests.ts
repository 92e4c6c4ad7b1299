// Runs every *.test.ts beside the code with node's built-in test runner.
// A list is built here (rather than a shell glob) so a missing folder is not an error
// and the run fails loudly when it finds no test at all.
import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';

const roots = ['agent', 'simulators', 'steps', 'reports', 'scripts', 'cli', 'bench', 'fuzz', 'soak', 'stryker'];
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
const result = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=2', '--test-timeout=120000', '--test-reporter=spec', ...selected],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
