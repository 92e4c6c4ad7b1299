/**
 * Builds what `npm pack` ships: dist/ with the compiled JavaScript and .d.ts of
 * agent/src, simulators, steps, reports and cli (tsconfig.build.json), the
 * files they read at run time, and copies of the bins (the process target
 * spawns `<dist>/bin/radius-mfa-agent.js`, two folders above its own module).
 *
 * Node refuses to strip types under node_modules
 * (ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING), so an installed package must
 * be JavaScript; the repository keeps running its .ts files directly (the bins
 * pick the .ts sources when they are there, see bin/entry.js).
 *
 *   node scripts/build-package.ts        (npm run build; npm pack runs it as prepack)
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, globSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const DIST = join(ROOT, 'dist');

/** Files the compiled code reads beside itself (new URL('./x', import.meta.url)) or that a team copies. */
const ASSETS = [
  'simulators/ad-connector/sign-in-page/page.html',
  'simulators/lab/examples/*.yaml',
  'steps/targets/ledgers/*.yaml',
  'steps/targets/profiles/*.yaml',
  'agent/examples/*.yaml',
];

function fail(message: string): never {
  process.stderr.write(`build-package: ${message}\n`);
  process.exit(1);
}

rmSync(DIST, { recursive: true, force: true });
const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
if (!existsSync(tsc)) fail('node_modules/.bin/tsc is missing: run npm ci first.');
const built = spawnSync(tsc, ['-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
if (built.status !== 0) fail(`tsc -p tsconfig.build.json exited ${built.status ?? built.signal}: fix the type errors above.`);

let copied = 0;
for (const pattern of ASSETS) {
  for (const file of globSync(pattern, { cwd: ROOT })) {
    mkdirSync(dirname(join(DIST, file)), { recursive: true });
    cpSync(join(ROOT, file), join(DIST, file));
    copied++;
  }
}
// Only the bins themselves: bin/ also holds their tests (*.test.ts), which the package must not ship.
mkdirSync(join(DIST, 'bin'), { recursive: true });
for (const file of globSync('bin/*.js', { cwd: ROOT })) cpSync(join(ROOT, file), join(DIST, file));

// The emitted code must not import a .ts file: under node_modules that is the error this build exists to avoid.
const leftovers: string[] = [];
for (const file of globSync('**/*.js', { cwd: DIST })) {
  const text = readFileSync(join(DIST, file), 'utf8');
  if (/(?:from\s+|import\s*\(\s*)['"][^'"]+\.ts['"]/.test(text)) leftovers.push(file);
}
if (leftovers.length > 0) fail(`these emitted files still import .ts modules: ${leftovers.join(', ')}`);

const js = globSync('**/*.js', { cwd: DIST }).length;
const dts = globSync('**/*.d.ts', { cwd: DIST }).length;
process.stdout.write(`build-package: dist/ has ${js} .js and ${dts} .d.ts files, ${copied} assets, bin/\n`);
