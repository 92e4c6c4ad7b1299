import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseDocument } from 'yaml';
import { isCodedError } from '../agent/src/errors.ts';
import { parseLedger } from '../reports/ledger.ts';
import { checkTags } from '../reports/tags.ts';
import { readExternalProfile } from '../steps/targets/external.ts';
import { checkName, completeGitignore, completePackageJson, featureTemplate, layout, writeLayout } from './init.ts';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'rmh-init-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('names that cannot be a folder and a profile name are refused with what to use', () => {
  assert.equal(checkName('my-agent'), 'my-agent');
  for (const bad of ['', 'My Agent', '1agent', '../x', 'a'.repeat(41)]) {
    assert.throws(() => checkName(bad), (e: unknown) => isCodedError(e, 'INIT_BAD_NAME') && /lower-case letters/.test((e as Error).message), bad);
  }
});

test('the layout has the features, steps, profile, ledger and cucumber config of one agent', () => {
  assert.deepEqual(
    layout('acme').map((f) => f.path),
    ['features/acme/radius-basics.feature', 'steps/acme.steps.ts', 'profiles/acme.yaml', 'ledgers/acme.yaml', 'cucumber.js', 'tsconfig.json'],
  );
});

test("the feature's tags pass the harness's tag check in its own folder", () => {
  const tags = [...featureTemplate('acme').matchAll(/@[^\s]+/g)].map((m) => m[0]);
  assert.ok(tags.includes('@area:acme'));
  assert.deepEqual(checkTags(tags, 'features/acme/radius-basics.feature', 1, ['acme']), []);
});

test('the profile is one the external target accepts, and its ledger parses as the ledger of external:<name>', (t) => {
  const dir = tempDir(t);
  writeLayout({ dir, name: 'acme' });
  const profile = readExternalProfile(join(dir, 'profiles/acme.yaml'), { MY_AGENT_SECRET: 'a-secret-of-some-length' });
  assert.equal(profile.name, 'acme');
  assert.equal(profile.ledger, join(dir, 'ledgers/acme.yaml'));
  const ledger = parseLedger(readFileSync(join(dir, 'ledgers/acme.yaml'), 'utf8'), 'ledgers/acme.yaml', 'external');
  assert.deepEqual(ledger.entries, []);
});

test('init writes every file and completes package.json (ES modules, scripts) and .gitignore', (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'team', scripts: { test: 'echo mine' } }));
  writeFileSync(join(dir, '.gitignore'), 'dist/');
  const written = writeLayout({ dir, name: 'acme' });
  for (const p of written) assert.ok(existsSync(join(dir, p)), p);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  assert.equal(pkg.type, 'module');
  assert.equal(pkg.scripts.test, 'echo mine', "the team's own scripts stay");
  assert.match(pkg.scripts['test:mfa:agent'], /--profile profiles\/acme\.yaml/);
  assert.equal(readFileSync(join(dir, '.gitignore'), 'utf8'), 'dist/\nreports/out/\nnode_modules/\n');
  assert.match(readFileSync(join(dir, 'cucumber.js'), 'utf8'), /from 'radius-mfa-harness\/cucumber'/);
  assert.match(readFileSync(join(dir, 'steps/acme.steps.ts'), 'utf8'), /stepsFor<LabWorld>\('acme'\)/);
  assert.equal(parseDocument(readFileSync(join(dir, 'profiles/acme.yaml'), 'utf8')).errors.length, 0);
});

test('init refuses to overwrite without --force and writes nothing then', (t) => {
  const dir = tempDir(t);
  writeLayout({ dir, name: 'acme' });
  writeFileSync(join(dir, 'cucumber.js'), '// mine\n');
  assert.throws(() => writeLayout({ dir, name: 'acme' }), (e: unknown) => isCodedError(e, 'INIT_EXISTS') && /cucumber\.js/.test((e as Error).message));
  assert.equal(readFileSync(join(dir, 'cucumber.js'), 'utf8'), '// mine\n');
  writeLayout({ dir, name: 'acme', force: true });
  assert.notEqual(readFileSync(join(dir, 'cucumber.js'), 'utf8'), '// mine\n');
});

test('a CommonJS package is refused rather than switched', () => {
  assert.throws(() => completePackageJson({ type: 'commonjs' }, 'acme', 'team'), (e: unknown) => isCodedError(e, 'INIT_COMMONJS'));
  assert.equal(completePackageJson(undefined, 'acme', 'Team Repo').name, 'team-repo');
});

test('.gitignore is completed once', () => {
  const once = completeGitignore(undefined);
  assert.equal(completeGitignore(once), once);
});

test("--conformance copies the harness's features beside the team's own, and refuses to overwrite them", (t) => {
  const dir = tempDir(t);
  const written = writeLayout({ dir, name: 'acme', conformance: true });
  const copied = written.filter((p) => p.startsWith('features/') && !p.startsWith('features/acme/'));
  assert.ok(copied.includes('features/factors/push.feature'), copied.join(', '));
  assert.equal(readFileSync(join(dir, 'features/factors/push.feature'), 'utf8'), readFileSync('features/factors/push.feature', 'utf8'));
  assert.throws(() => writeLayout({ dir, name: 'other', conformance: true }), (e: unknown) => isCodedError(e, 'INIT_EXISTS') && /push\.feature/.test((e as Error).message));
});
