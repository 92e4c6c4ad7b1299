/**
 * `radius-mfa-harness init`: writes the layout of a team's repository that
 * tests its own RADIUS agent with the installed harness (docs/adopting.md):
 *
 *   features/<name>/radius-basics.feature   the team's scenarios (their area is the folder)
 *   steps/<name>.steps.ts                   the team's extra steps, in the harness's catalogue (stepsFor)
 *   profiles/<name>.yaml                    how to reach the team's agent (external target)
 *   ledgers/<name>.yaml                     its known deviations, named by the profile
 *   cucumber.js                             the harness's support code from the package + the team's steps
 *   tsconfig.json                           type-checks the step files against the package's .d.ts
 *   package.json                            "type": "module" and test scripts (created or completed)
 *   .gitignore                              reports/out/
 *   .vscode/settings.json                   Cucumber extension: glue (package + team steps), parameter types
 *
 * With --conformance it also copies the harness's own conformance features
 * (features/<area>/ as shipped in the package), so the same suite the
 * harness runs on its reference targets runs against the team's agent.
 *
 * Existing files are never overwritten without --force (package.json and
 * .gitignore are completed, not replaced). The templates are pure functions
 * (tested); only initCommand touches the disk.
 */
import { cpSync, existsSync, globSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CodedError } from '../agent/src/errors.ts';

export interface InitOptions {
  /** The team's repository (default: the working directory). */
  dir?: string;
  /** The agent's short name: the feature area, the step area, the profile and ledger file names. */
  name?: string;
  /** Replace files that exist. */
  force?: boolean;
  /** Also copy the harness's conformance features into features/. */
  conformance?: boolean;
}

/**
 * The harness's own features: beside cli/ in the repository, one folder above
 * dist/ in the installed package (package.json "files" ships them).
 */
export function conformanceFeaturesDir(): string | undefined {
  const root = dirname(dirname(fileURLToPath(import.meta.url)));
  return [join(root, 'features'), join(root, '..', 'features')].find((d) => existsSync(join(d, 'README.md')) && globSync('*/**/*.feature', { cwd: d }).length > 0);
}

export interface PlannedFile {
  path: string;
  content: string;
}

const NAME = /^[a-z][a-z0-9-]{0,39}$/;

export function checkName(name: string): string {
  if (!NAME.test(name)) {
    throw new CodedError(
      'INIT_BAD_NAME',
      `--name "${name}" can't name a feature folder and a profile: use 1-40 lower-case letters, digits and dashes, starting with a letter (e.g. my-agent).`,
    );
  }
  return name;
}

export function featureTemplate(name: string): string {
  return `@area:${name}
Feature: Our agent answers the AD Connector, and only with the right secret
  The team's own scenarios, in the words of the harness's step catalogue
  (\`npx radius-mfa-harness steps\`). The first three run against any agent; the
  last one needs the lab's mock Okta (the embedded agent, or an agent wired to
  a served lab), so it is "not applicable" elsewhere.

  Background:
    Given Alice is a WorkSpaces user
    And Alice has Okta Verify on her phone

  @needs:status-server
  Scenario: Status-Server is answered
    When a RADIUS client sends a Status-Server request
    Then the agent answers with Access-Accept

  @needs:message-authenticator
  Scenario: A wrong code is rejected with Message-Authenticator first
    When a RADIUS client sends "000000" as Alice's MFA code
    Then the agent answers with Access-Reject
    And the reply's first attribute is Message-Authenticator
    And at least 2 RADIUS packets crossed the wire

  Scenario: With a wrong shared secret the agent stays silent
    Given the AD Connector waits 2 seconds for each RADIUS answer and retries 1 time
    And the AD Connector is configured with a wrong shared secret
    When she signs in to WorkSpaces with her current Okta Verify code
    Then her sign-in fails because the RADIUS server did not answer

  @needs:okta-mock
  Scenario: Alice signs in with her Okta Verify code
    When she signs in to WorkSpaces with her current Okta Verify code
    Then she is signed in
`;
}

export function stepsTemplate(name: string): string {
  return `// ${name}'s own steps. They register in the harness's step catalogue through
// stepsFor, like the harness's steps, so \`npx radius-mfa-harness steps\` and the
// report's step page list them with their description and example.
import assert from 'node:assert/strict';
import { type LabWorld, stepsFor } from 'radius-mfa-harness/steps';

const { Then } = stepsFor<LabWorld>('${name}');

Then(
  'at least {int} RADIUS packet(s) crossed the wire',
  {
    description: "Counts the RADIUS datagrams of the scenario's packet trace (both directions, every client).",
    example: 'Then at least 2 RADIUS packets crossed the wire',
  },
  function (this: LabWorld, count: number) {
    assert.ok(this.trace.length >= count, \`only \${this.trace.length} RADIUS packets crossed the wire, expected at least \${count}\`);
  },
);
`;
}

export function profileTemplate(name: string): string {
  return `# How the harness reaches ${name} (the external target):
#   MY_AGENT_SECRET=... npx radius-mfa-harness run --target external --profile profiles/${name}.yaml
# The agent must accept RADIUS clients 127.0.0.2 and 127.0.0.3 (the lab's AD
# Connector addresses) with this secret, or set probeSource to an address it knows.
# Declare only what the agent really offers: scenarios that need more are
# reported "not applicable". Capabilities: see \`npx radius-mfa-harness run --dry-run\`.
name: ${name}
description: ${name} under test
host: 127.0.0.1
port: 1812
secretEnv: MY_AGENT_SECRET
capabilities:
  - message-authenticator
  - status-server
probe: status-server
probeTimeoutMs: 3000
ledger: ../ledgers/${name}.yaml
`;
}

export function ledgerTemplate(name: string): string {
  return `# Known deviations of ${name}: scenarios it is known to fail, with the step,
# the message and why. A listed scenario that fails that way is an "expected
# deviation"; one that passes fails the run (update this file).
#   deviations:
#     - scenario: ${name}/radius-basics.feature::Status-Server is answered
#       step: the agent answers with Access-Accept
#       failure: did not answer
#       reason: Status-Server lands in release 2.0 (TICKET-123)
target: external:${name}
deviations: []
`;
}

export const CUCUMBER_TEMPLATE = `// Cucumber configuration: the harness's support code (World, hooks, steps)
// from the installed package, then this repository's own steps.
//   npx radius-mfa-harness run --target embedded
//   npx radius-mfa-harness run --target external --profile profiles/<name>.yaml
import { harnessConfig } from 'radius-mfa-harness/cucumber';

export default harnessConfig({ steps: ['steps/**/*.steps.ts'] });
`;

export const TSCONFIG_TEMPLATE = `${JSON.stringify(
  {
    compilerOptions: {
      target: 'es2024',
      module: 'nodenext',
      moduleResolution: 'nodenext',
      types: ['node'],
      strict: true,
      noEmit: true,
      allowImportingTsExtensions: true,
      verbatimModuleSyntax: true,
      erasableSyntaxOnly: true,
      skipLibCheck: true,
    },
    include: ['steps'],
  },
  null,
  2,
)}\n`;

/** Every file of the layout with its content (package.json and .gitignore apart: they are completed). */
export function layout(name: string): PlannedFile[] {
  checkName(name);
  return [
    { path: `features/${name}/radius-basics.feature`, content: featureTemplate(name) },
    { path: `steps/${name}.steps.ts`, content: stepsTemplate(name) },
    { path: `profiles/${name}.yaml`, content: profileTemplate(name) },
    { path: `ledgers/${name}.yaml`, content: ledgerTemplate(name) },
    { path: 'cucumber.js', content: CUCUMBER_TEMPLATE },
    { path: 'tsconfig.json', content: TSCONFIG_TEMPLATE },
  ];
}

interface PackageJson {
  name?: string;
  type?: string;
  scripts?: Record<string, string>;
  [key: string]: unknown;
}

/**
 * The team's package.json with what the layout needs: ES modules (cucumber.js
 * and the step files use import) and scripts for the two usual runs. A package
 * that declares CommonJS is refused rather than silently switched.
 */
export function completePackageJson(existing: PackageJson | undefined, name: string, dirName: string): PackageJson {
  const pkg: PackageJson = existing ? { ...existing } : { name: dirName.toLowerCase().replace(/[^a-z0-9-]/g, '-') || 'mfa-tests', private: true };
  if (pkg.type === 'commonjs') {
    throw new CodedError(
      'INIT_COMMONJS',
      'package.json says "type": "commonjs", but cucumber.js and the step files are ES modules: set "type": "module" (or run init in a new folder).',
    );
  }
  pkg.type = 'module';
  pkg.scripts = {
    'test:mfa': 'radius-mfa-harness run --target embedded',
    'test:mfa:agent': `radius-mfa-harness run --target external --profile profiles/${name}.yaml`,
    ...pkg.scripts,
  };
  return pkg;
}

export function completeGitignore(existing: string | undefined): string {
  const lines = (existing ?? '').split('\n');
  if (lines.some((l) => l.trim() === 'reports/out/' || l.trim() === '/reports/out/')) return existing ?? '';
  const base = existing && !existing.endsWith('\n') ? `${existing}\n` : (existing ?? '');
  return `${base}reports/out/\nnode_modules/\n`;
}

/** Writes the layout; returns the paths written (relative to dir). Refuses to overwrite unless force. */
export function writeLayout(opts: InitOptions): string[] {
  const dir = resolve(opts.dir ?? '.');
  const name = checkName(opts.name ?? 'my-agent');
  const files = layout(name);
  const featuresDir = opts.conformance ? conformanceFeaturesDir() : undefined;
  if (opts.conformance && !featuresDir) throw new CodedError('INIT_NO_CONFORMANCE', "this copy of the harness has no features/ folder to copy: reinstall the package (it ships features/), or run init without --conformance.");
  const conformance = featuresDir ? globSync('*/**/*.feature', { cwd: featuresDir }).map((f) => `features/${f}`) : [];
  const clashes = [...files.map((f) => f.path), ...conformance].filter((p) => existsSync(join(dir, p)));
  if (clashes.length > 0 && !opts.force) {
    throw new CodedError('INIT_EXISTS', `${clashes.join(', ')} already exist in ${dir}: nothing was written. Use --force to replace them, or another --name.`);
  }
  const pkgFile = join(dir, 'package.json');
  let existingPkg: PackageJson | undefined;
  if (existsSync(pkgFile)) {
    try {
      existingPkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as PackageJson;
    } catch (e) {
      throw new CodedError('INIT_BAD_PACKAGE_JSON', `${pkgFile} is not valid JSON (${(e as Error).message}): fix it, then run init again.`);
    }
  }
  const pkg = completePackageJson(existingPkg, name, dir.split('/').pop() ?? '');
  const ignoreFile = join(dir, '.gitignore');
  const ignore = completeGitignore(existsSync(ignoreFile) ? readFileSync(ignoreFile, 'utf8') : undefined);
  for (const f of files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.content);
  }
  for (const f of conformance) cpSync(join(featuresDir!, f.slice('features/'.length)), join(dir, f));
  writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);
  writeFileSync(ignoreFile, ignore);
  return [...files.map((f) => f.path), 'package.json', '.gitignore', ...conformance];
}

/**
 * .vscode/settings.json for the Cucumber extension (cli/vscode.ts): the glue in
 * the package and the team's steps, and the parameter types of the support code
 * as loaded through the cucumber.js just written. Other keys of an existing file stay.
 */
async function writeEditorSettings(dir: string): Promise<string> {
  const { editorSettings, loadEditorView, TEAM_GLUE_GLOB } = await import('./vscode.ts');
  const file = join(dir, '.vscode', 'settings.json');
  const existing = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  const { parameterTypes } = await loadEditorView(dir);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(editorSettings(parameterTypes, existing, TEAM_GLUE_GLOB), null, 2)}\n`);
  return '.vscode/settings.json';
}

export async function initCommand(opts: InitOptions): Promise<number> {
  try {
    const written = writeLayout(opts);
    const dir = resolve(opts.dir ?? '.');
    try {
      written.push(await writeEditorSettings(dir));
    } catch (e) {
      // The layout is written; editor settings need the package installed (its support code is loaded).
      process.stderr.write(`note: .vscode/settings.json not written (${(e as Error).message.split('\n')[0]}); run init again after npm install radius-mfa-harness.\n`);
    }
    const where = relative(process.cwd(), dir) || '.';
    const name = opts.name ?? 'my-agent';
    process.stdout.write(
      [
        `Wrote ${written.length} files in ${where}:`,
        ...written.filter((p) => !p.startsWith('features/') || p.startsWith(`features/${name}/`)).map((p) => `  ${p}`),
        ...(opts.conformance ? [`  features/<area>/*.feature (${written.filter((p) => p.startsWith('features/') && !p.startsWith(`features/${name}/`)).length} conformance features of the harness)`] : []),
        '',
        'Next:',
        '  npx radius-mfa-harness run --target embedded             # the team suite against the reference agent, in-process',
        `  MY_AGENT_SECRET=... npx radius-mfa-harness run --target external --profile profiles/${name}.yaml`,
        '  npx radius-mfa-harness steps                             # every step you can write, yours included',
        '',
      ].join('\n'),
    );
    return 0;
  } catch (e) {
    if (e instanceof CodedError) {
      process.stderr.write(`radius-mfa-harness init: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
