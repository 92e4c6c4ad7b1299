/**
 * Adoption test (a): the package as a team gets it. This repository packed
 * (`npm pack`, which builds dist/ first) and the tarball installed into a new
 * project from the local npm cache — once for all adoption tests
 * (common.ts sharedInstall) —, then `init`, and the team's suite
 *   1. against the embedded agent, and
 *   2. against the reference agent started by hand from the installed package
 *      (`radius-mfa-agent`, wired by `radius-mfa-harness lab --write-agent-config`
 *      to a served lab as its Okta) as the external target, through the
 *      profile `init` wrote.
 * Both bins answer --version from node_modules, where Node refuses to strip
 * types: a .ts file reached at run time would fail the whole test. And the
 * container target works from the package: it builds the agent image from
 * the package's agent/Containerfile and compiled dist/ (one scenario).
 *
 *   node --test scripts/adoption/pack-install.slow.ts      (scripts/test-adoption.sh)
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'yaml';
import { childEnv, copyInstall, killGroups, REPO, removeTree, run, sharedInstall, timed } from './common.ts';

const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
const work = mkdtempSync(join(tmpdir(), 'rmh-adopt-'));
const team = join(work, 'team');
const children: ChildProcess[] = [];

function bin(name: string): string {
  return join(team, 'node_modules', '.bin', name);
}

/** Starts a child and resolves with its stdout once `ready` matches it (bounded). */
function startUntil(cmd: string, args: string[], extraEnv: Record<string, string>, ready: RegExp, timeoutMs: number): Promise<{ child: ChildProcess; out: () => string }> {
  // detached: its own process group, ended with everything it started (npx starts a child of its own).
  const child = spawn(cmd, args, { cwd: team, env: childEnv(extraEnv), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.push(child);
  let out = '';
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`${cmd} ${args.join(' ')} did not print ${ready} within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (ready.test(out)) {
        clearTimeout(timer);
        resolvePromise({ child, out: () => out });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} exited ${code} before it was ready:\n${out}`));
    });
  });
}

/** A UDP port nobody holds right now (bound and released; good enough on a quiet loopback). */
async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

before(() => {
  // The tarball installed once for all adoption tests (scripts/adoption/prepare.ts); this team gets a copy of that project.
  copyInstall(sharedInstall().dir, team);
});

after(() => {
  killGroups(children.flatMap((c) => (c.pid ? [c.pid] : [])));
  removeTree(work);
});

test('the package ships JavaScript and declarations, no TypeScript sources', () => {
  const pkgDir = join(team, 'node_modules', 'radius-mfa-harness');
  const files = readdirSync(pkgDir, { recursive: true, encoding: 'utf8' });
  const ts = files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  assert.deepEqual(ts, [], 'TypeScript sources in the package (Node will not run them under node_modules)');
  assert.ok(files.includes('dist/cli/harness.js') && files.includes('dist/steps/api.d.ts') && files.includes('dist/agent/src/cli.js'));
});

test('both bins answer --version from node_modules', () => {
  for (const name of ['radius-mfa-harness', 'radius-mfa-agent']) {
    const r = run(bin(name), ['--version'], team);
    assert.equal(r.status, 0, r.out);
    assert.equal(r.out.trim().split(' ').slice(0, 2).join(' '), `${name} ${VERSION}`);
  }
});

test("init writes the team's layout and its own step joins the catalogue", () => {
  const r = run(bin('radius-mfa-harness'), ['init', '--name', 'acme'], team);
  assert.equal(r.status, 0, r.out);
  const editor = JSON.parse(readFileSync(join(team, '.vscode/settings.json'), 'utf8')) as Record<string, unknown[]>;
  assert.ok(editor['cucumber.glue']!.includes('node_modules/radius-mfa-harness/dist/steps/**/*.js'));
  assert.ok(editor['cucumber.parameterTypes']!.length > 10, 'the editor settings lack the parameter types');
  const again = run(bin('radius-mfa-harness'), ['init', '--name', 'acme'], team);
  assert.equal(again.status, 2, 'a second init must refuse to overwrite');
  const steps = run(bin('radius-mfa-harness'), ['steps', '--format', 'json'], team);
  assert.equal(steps.status, 0, steps.out);
  const entries = JSON.parse(steps.out) as Array<{ area: string; pattern: string }>;
  assert.ok(entries.some((e) => e.area === 'acme' && e.pattern.startsWith('at least {int} RADIUS packet')), "the team's step is not in the catalogue");
  assert.ok(entries.filter((e) => e.area !== 'acme').length > 50, "the harness's own steps are missing from the catalogue");
});

test("the team's suite passes against the embedded agent", () => {
  const r = timed('run --target embedded', () => run(bin('radius-mfa-harness'), ['run', '--target', 'embedded', '--ci'], team, {}, 300_000));
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /embedded: 4 passed, 0 failed, 0 not applicable/);
  const junit = readFileSync(join(team, 'reports/out/embedded/junit.xml'), 'utf8');
  assert.match(junit, /<testsuite/);
});

test("the team's suite passes against the reference agent started by hand (external target)", async () => {
  const port = await freeUdpPort();
  const seed = join(team, 'node_modules/radius-mfa-harness/dist/simulators/lab/examples/workspaces.yaml');
  const agentConfig = join(work, 'agent.yaml');
  const lab = await startUntil(
    bin('radius-mfa-harness'),
    ['lab', '--seed', seed, '--write-agent-config', agentConfig, '--agent-listen', `127.0.0.1:${port}`],
    {},
    /"agentConfig":/,
    120_000,
  );
  const endpoints = JSON.parse(lab.out().split('\n').find((l) => l.startsWith('{'))!) as { okta: { caFile?: string } };
  await startUntil(bin('radius-mfa-agent'), ['--config', agentConfig], { NODE_EXTRA_CA_CERTS: endpoints.okta.caFile ?? '' }, /"msg":"listening"/, 60_000);
  const config = parse(readFileSync(agentConfig, 'utf8')) as { apps: Array<{ clients: Array<{ secret: string }> }> };
  const secret = config.apps[0]!.clients[0]!.secret;
  // The profile init wrote, pointed at this agent's port.
  const profile = join(team, 'profiles/acme.yaml');
  writeFileSync(profile, readFileSync(profile, 'utf8').replace(/^port: \d+$/m, `port: ${port}`));
  const r = timed('run --target external', () =>
    run(bin('radius-mfa-harness'), ['run', '--target', 'external', '--profile', 'profiles/acme.yaml', '--ci'], team, { MY_AGENT_SECRET: secret }, 300_000),
  );
  assert.equal(r.status, 0, r.out);
  // Three scenarios need only RADIUS; the fourth needs the lab's mock Okta, which a hand-started agent lacks.
  assert.match(r.out, /external: 3 passed, 0 failed, 1 not applicable/);
  assert.ok(!r.out.includes(secret), 'the shared secret appeared in the output');
});

const noContainers =
  run('podman', ['--version'], REPO).status !== 0
    ? 'podman is not installed (scripts/setup.sh installs it)'
    : !existsSync('/run/podman/podman.sock') && !process.env.DOCKER_HOST
      ? 'no container runtime socket (scripts/setup-podman.sh starts podman\'s)'
      : undefined;

test('the container target works from the installed package (its agent/Containerfile on the compiled dist/)', { skip: noContainers }, () => {
  // One scenario: the point is the image built from the package, not the suite (the embedded and external runs above cover it).
  const r = timed('run --target container (one scenario)', () =>
    run(bin('radius-mfa-harness'), ['run', '--target', 'container', '--ci', '--out', 'reports/container', 'features/acme/radius-basics.feature:13'], team, {}, 900_000),
  );
  assert.equal(r.status, 0, r.out.slice(-3000));
  assert.match(r.out, /container: 1 passed, 0 failed/);
  assert.equal(run('podman', ['image', 'exists', `radius-mfa-agent:package-${VERSION}`], team).status, 0, 'the image was not built from the package');
});

