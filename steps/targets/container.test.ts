import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { createTarget, DEFAULT_IMAGE, demuxLog, dockerApi, findRuntime, imageSource } from './container.ts';
import { probeRadius } from './radius-probe.ts';
import type { AgentSpec } from './target.ts';
import { TargetUnavailable } from './target.ts';

test('no runtime at DOCKER_HOST: TargetUnavailable("no container runtime ..."), quickly', async () => {
  const saved = process.env.DOCKER_HOST;
  process.env.DOCKER_HOST = 'unix:///tmp/rmh-no-such-runtime.sock';
  try {
    const t0 = performance.now();
    await assert.rejects(createTarget(), (e: unknown) => {
      assert.ok(e instanceof TargetUnavailable);
      assert.match(e.reason, /^no container runtime: nothing answers at unix:\/\/\/tmp\/rmh-no-such-runtime\.sock \(DOCKER_HOST\)/);
      assert.equal(e.reason.includes('\n'), false);
      return true;
    });
    assert.ok(performance.now() - t0 < 3000);
  } finally {
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
  }
});

test('the agent image is built from agent/Dockerfile in the repository, from agent/Containerfile in an installed package', () => {
  const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)));
  const fromRepo = imageSource(repo);
  assert.equal(fromRepo?.kind, 'repository');
  assert.equal(fromRepo?.file, 'agent/Dockerfile');
  assert.equal(fromRepo?.image, DEFAULT_IMAGE);
  // An installed package: this module would be <pkg>/dist/steps/targets/container.js, so the "root" is <pkg>/dist.
  const pkg = mkdtempSync(join(tmpdir(), 'rmh-pkg-'));
  try {
    mkdirSync(join(pkg, 'dist'));
    assert.equal(imageSource(join(pkg, 'dist')), undefined, 'a package without agent/Containerfile has nothing to build from');
    mkdirSync(join(pkg, 'agent'));
    writeFileSync(join(pkg, 'agent/Containerfile'), 'FROM x\n');
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'radius-mfa-harness', version: '9.8.7' }));
    const fromPackage = imageSource(join(pkg, 'dist'));
    assert.equal(fromPackage?.kind, 'package');
    assert.equal(fromPackage?.context, pkg);
    assert.equal(fromPackage?.image, 'radius-mfa-agent:package-9.8.7');
    assert.equal(fromPackage?.baseEnv.RMH_NODE_BIN, process.execPath);
  } finally {
    rmSync(pkg, { recursive: true, force: true });
  }
});

test('runtime detection prefers DOCKER_HOST, then the podman socket', () => {
  assert.deepEqual(findRuntime({ DOCKER_HOST: 'tcp://127.0.0.1:2375' }), { dockerHost: 'tcp://127.0.0.1:2375', source: 'DOCKER_HOST' });
});

const runtime = findRuntime();
const runtimeProblem = runtime
  ? await dockerApi(runtime.dockerHost, '/_ping').then(
      (r) => (r.status === 200 ? undefined : `${runtime.dockerHost} answered /_ping with HTTP ${r.status}`),
      (e: Error) => `nothing answers at ${runtime.dockerHost} (${runtime.source}): ${e.message}`,
    )
  : 'DOCKER_HOST is not set and no podman or docker socket exists';
// Outside CI a machine without a runtime skips these; CI must run them, so there the
// missing runtime is one immediate failure (not a hang, not a skip).
const inCi = process.env.CI === 'true';
const skip = runtimeProblem === undefined ? false : `no container runtime here (${runtimeProblem}); scripts/setup-podman.sh sets up podman${inCi ? '' : '; CI runs this'}`;

if (runtimeProblem !== undefined && inCi) {
  test('CI has a reachable container runtime', () => {
    assert.fail(`CI=true but the container runtime is unreachable: ${runtimeProblem}. Run scripts/setup-podman.sh (scripts/setup.sh does) before the tests.`);
  });
}

test('a container whose agent exits at start fails the start at once, with its exit code and its own words', { skip, timeout: 600_000 }, async () => {
  const spec: AgentSpec = {
    okta: { baseUrl: 'http://127.0.0.1:9', apiToken: 'token-for-tests', appId: '0oaTEST' },
    mode: 'mfa-only',
    clients: [{ name: 'connector', address: '127.0.0.2', secret: 'container-target-secret', requireMessageAuthenticator: true }],
    usernameSuffix: 'no-at-sign',
  };
  const driver = await createTarget();
  try {
    await assert.rejects(driver.start(spec), /^Error: the agent container exited \(exit code 2\) before it said which ports it bound: .*suffix/);
  } finally {
    await driver.close();
  }
});

test("demuxLog: the Docker API's log frames (stdout and stderr) become the text; a TTY's plain log stays as it is", () => {
  const frame = (stream: number, text: string): Buffer => {
    const body = Buffer.from(text);
    const head = Buffer.alloc(8);
    head[0] = stream;
    head.writeUInt32BE(body.length, 4);
    return Buffer.concat([head, body]);
  };
  assert.equal(demuxLog(Buffer.concat([frame(1, '{"msg":"listening"}\n'), frame(2, 'warn: x\n'), frame(1, 'Zoë\n')])), '{"msg":"listening"}\nwarn: x\nZoë\n');
  assert.equal(demuxLog(Buffer.from('{"msg":"plain"}\n')), '{"msg":"plain"}\n');
  assert.equal(demuxLog(Buffer.alloc(0)), '');
});

test('a container from the agent image starts on the host network and answers Status-Server', { skip, timeout: 600_000 }, async () => {
  const okta = createServer((_req, res) => res.writeHead(404).end());
  await new Promise<void>((r) => okta.listen(0, '127.0.0.1', () => r()));
  const a = okta.address();
  const secret = 'container-target-secret';
  const spec: AgentSpec = {
    okta: { baseUrl: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`, apiToken: 'token-for-tests', appId: '0oaTEST' },
    mode: 'mfa-only',
    clients: [{ name: 'connector', address: '127.0.0.2', secret, requireMessageAuthenticator: true }],
  };
  let driver: Awaited<ReturnType<typeof createTarget>> | undefined;
  try {
    driver = await createTarget();
    assert.equal(process.env.TESTCONTAINERS_RYUK_DISABLED, 'true');
    const agent = await driver.start(spec);
    const reply = await probeRadius({ host: agent.endpoint.host, port: agent.endpoint.port, secret, kind: 'status-server', sourceAddress: '127.0.0.2', timeoutMs: 3000 });
    assert.equal(reply.ok && reply.codeName, 'Access-Accept');
    const rejected = await probeRadius({ host: agent.endpoint.host, port: agent.endpoint.port, secret, kind: 'access-request', sourceAddress: '127.0.0.2', timeoutMs: 5000 });
    assert.equal(rejected.ok && rejected.codeName, 'Access-Reject');
    assert.match(await agent.metrics!(), /# TYPE /);
    // Its log, as a failed scenario's report keeps it: the start-up lines and the decision on the probe.
    const log = await agent.log!();
    assert.match(log, /"msg":"http listening"/);
    assert.match(log, /"msg":"decision"/);
    await agent.stop();
  } finally {
    await driver?.close();
    okta.close();
  }
});

test('containers of a process that died are removed by the next run', { skip, timeout: 300_000 }, async () => {
  // A container labelled with a pid that is certainly not running (pid_max is far below this).
  const made = spawnSync('podman', ['create', '--label', 'radius-mfa-harness.owner-pid=2147483000', 'radius-mfa-base:latest', 'node', '-e', '0'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(made.status, 0, made.stderr);
  const id = made.stdout.trim();
  try {
    const driver = await createTarget();
    await driver.close();
    assert.notEqual(spawnSync('podman', ['container', 'exists', id]).status, 0, 'the orphan is gone');
  } finally {
    spawnSync('podman', ['rm', '-f', '-t', '0', id], { stdio: 'ignore', timeout: 20_000 });
  }
});
