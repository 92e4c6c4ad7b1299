// Issue 11 ("conformance against a real agent where it really runs"): the
// reference agent, started by hand — not by the harness — as "my own agent"
// with its own secret, on ::1 and on an address inside a network namespace this
// test creates, wired to the run's stable okta-mock endpoint (fixed URL, token
// and CA). The harness reaches it as an external target: every applicable
// scenario passes, and every scenario that passes on the embedded target (the
// same agent, started by the harness) and applies here passes here too.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { referenceAgentConfig } from '../../simulators/lab/agent-config.ts';
import { loadOrCreateCa } from '../../simulators/okta/tls.ts';
import { DNS_DOMAIN, SCENARIO_SEED } from '../support/fixtures/people.ts';

const root = new URL('../../', import.meta.url).pathname;
const SECRET = 'my-own-agent-secret-4f9c2a';
const TOKEN = '00okta-mock-token-for-my-own-agent-7c1e';
/** Areas that exercise Okta (codes, pushes, SMS, user states) and RADIUS hygiene; modes and timeouts are the operator's. */
const AREAS = 'factors,protocol,secrets';
const CAPABILITIES = [
  'okta-mock',
  'lab-codes',
  'push-control',
  'message-authenticator',
  'requires-message-authenticator',
  'proxy-state',
  'duplicate-cache',
  'status-server',
  'chap-reject-reason',
  'reference-rules',
];

async function freeTcpPort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function freeUdpPort(host: string): Promise<number> {
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  await new Promise<void>((resolve) => socket.bind(0, host, resolve));
  const { port } = socket.address();
  socket.close();
  return port;
}

interface Setup {
  agentHost: string;
  /** Where the okta-mock endpoint listens (reachable by the agent). */
  oktaHost: string;
  /** The RADIUS clients the agent's operator allows (the connector's source addresses). */
  clients: string[];
  /** Runs the agent's command (e.g. inside a network namespace). */
  wrap?: (argv: string[]) => string[];
  /** Also run the embedded target (the same agent, started by the harness) and compare. */
  compareWithEmbedded: boolean;
}

async function runAgainstOwnAgent(setup: Setup): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rmh-own-agent-'));
  let agent: ChildProcess | undefined;
  try {
    // What the agent's operator configures once: the CA to trust, the org URL, token and app id.
    const caDir = join(dir, 'ca');
    const ca = await loadOrCreateCa(caDir);
    const oktaPort = await freeTcpPort(setup.oktaHost);
    // Inside a namespace the agent's address doesn't exist out here: any high port is free there.
    const radiusPort = setup.wrap ? 20_000 + (process.pid % 20_000) : await freeUdpPort(setup.agentHost);
    const appId = SCENARIO_SEED.app?.id;
    assert.ok(appId, 'the scenario seed names a fixed app id');
    const oktaUrl = `https://${setup.oktaHost.includes(':') ? `[${setup.oktaHost}]` : setup.oktaHost}:${oktaPort}`;
    const config = referenceAgentConfig({
      orgUrl: oktaUrl,
      apiToken: TOKEN,
      appId,
      secret: SECRET,
      listen: { host: setup.agentHost, port: radiusPort },
      clientAddresses: setup.clients,
      usernameSuffix: `@${DNS_DOMAIN}`,
    });
    // Every scenario's org has users of its own under the same logins (as if each were deleted and made
    // again): an agent that caches lookups would meet yesterday's user ids, so its operator turns the cache off.
    (config.okta as { lookupCacheMs?: number }).lookupCacheMs = 0;
    const configFile = join(dir, 'agent.yaml');
    writeFileSync(configFile, stringify(config));
    const argv = [process.execPath, join(root, 'bin/radius-mfa-agent.js'), '--config', configFile];
    const [cmd, ...args] = setup.wrap ? setup.wrap(argv) : argv;
    agent = spawn(cmd!, args, { env: { ...process.env, NODE_EXTRA_CA_CERTS: ca.caFile }, stdio: ['ignore', 'pipe', 'pipe'] });
    let agentOutput = '';
    agent.stdout?.on('data', (d) => (agentOutput += d));
    agent.stderr?.on('data', (d) => (agentOutput += d));
    await waitFor(() => /"msg":"listening"/.test(agentOutput), 30_000, () => `the agent did not start:\n${agentOutput}`);

    const profile = join(dir, 'my-agent.yaml');
    writeFileSync(
      profile,
      stringify({
        name: 'my-own-agent',
        description: `the reference agent started by hand on ${setup.agentHost}`,
        host: setup.agentHost,
        port: radiusPort,
        secretEnv: 'MY_OWN_AGENT_SECRET',
        capabilities: CAPABILITIES,
        oktaMock: { host: setup.oktaHost, httpsPort: oktaPort, tokenEnv: 'MY_OWN_AGENT_OKTA_TOKEN', caDir },
      }),
    );
    const out = join(dir, 'out');
    const targets = setup.compareWithEmbedded ? 'embedded,external' : 'external';
    const run = spawnSync(
      process.execPath,
      [join(root, 'bin/radius-mfa-harness.js'), 'run', '--target', targets, '--profile', profile, '--area', AREAS, '--parallel', '1', '--out', out, '--ci'],
      { cwd: root, encoding: 'utf8', timeout: 900_000, env: { ...process.env, MY_OWN_AGENT_SECRET: SECRET, MY_OWN_AGENT_OKTA_TOKEN: TOKEN } },
    );
    const summary = run.stdout.split('\n').filter((l) => /FAIL|passed|Summary|UNEXPECTED|unavailable/.test(l)).join('\n');
    assert.equal(run.status, 0, `the run failed:\n${summary}\n${run.stderr.slice(-2000)}\nagent:\n${agentOutput.slice(-2000)}`);
    const matrix = JSON.parse(readFileSync(join(out, 'matrix.json'), 'utf8')) as {
      targets: Array<{ target: string; summary: Record<string, number>; verdicts?: Array<{ id: string; verdict: string }> }>;
    };
    const external = matrix.targets.find((t) => t.target.startsWith('external'));
    assert.ok(external, `no external column in the matrix: ${matrix.targets.map((t) => t.target).join(', ')}`);
    assert.equal(external.summary.fail, 0, summary);
    assert.ok((external.summary.pass ?? 0) >= 40, `only ${external.summary.pass} scenarios passed on the agent run by hand:\n${summary}`);
    if (setup.compareWithEmbedded) {
      const verdicts = (name: string): Map<string, string> =>
        new Map(JSON.parse(readFileSync(join(out, name, 'verdicts.json'), 'utf8')).verdicts.map((v: { id: string; verdict: string }) => [v.id, v.verdict]));
      const onEmbedded = verdicts('embedded');
      const onExternal = verdicts(external.target);
      for (const [id, v] of onExternal) {
        if (v === 'not-applicable') continue;
        assert.ok(!(onEmbedded.get(id) === 'pass' && v !== 'pass'), `${id} passes on embedded but is ${v} on the agent run by hand`);
      }
      const okta = [...onExternal].filter(([id, v]) => v === 'pass' && onEmbedded.get(id) === 'pass').length;
      assert.ok(okta >= 40, `only ${okta} scenarios pass on both`);
    }
  } finally {
    agent?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function waitFor(ok: () => boolean, ms: number, why: () => string): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error(why());
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('the reference agent run by hand on ::1, wired to the run\u2019s okta-mock endpoint, passes as an external target what it passes embedded', async () => {
  await runAgainstOwnAgent({ agentHost: '::1', oktaHost: '127.0.0.1', clients: ['::1'], compareWithEmbedded: true });
});

const canNetns = process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list']).status === 0;

test('the reference agent run by hand inside a network namespace (198.18.0.2) passes as an external target', { skip: !process.env.CI && !canNetns && 'needs root and iproute2' }, async () => {
  assert.ok(canNetns, 'CI runs as root with iproute2: network namespaces must work');
  const ns = `rmh-ext-${process.pid}`;
  const hostSide = `rmh${process.pid % 100000}h`;
  const nsSide = `rmh${process.pid % 100000}n`;
  const sh = (...argv: string[]): void => {
    const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
    assert.equal(r.status, 0, `${argv.join(' ')}: ${r.stderr}`);
  };
  sh('ip', 'netns', 'add', ns);
  try {
    sh('ip', 'link', 'add', hostSide, 'type', 'veth', 'peer', 'name', nsSide);
    sh('ip', 'link', 'set', nsSide, 'netns', ns);
    sh('ip', 'addr', 'add', '198.18.0.1/30', 'dev', hostSide);
    sh('ip', 'link', 'set', hostSide, 'up');
    sh('ip', 'netns', 'exec', ns, 'ip', 'addr', 'add', '198.18.0.2/30', 'dev', nsSide);
    sh('ip', 'netns', 'exec', ns, 'ip', 'link', 'set', nsSide, 'up');
    sh('ip', 'netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
    await runAgainstOwnAgent({
      agentHost: '198.18.0.2',
      oktaHost: '198.18.0.1',
      clients: ['198.18.0.1'],
      wrap: (argv) => ['ip', 'netns', 'exec', ns, ...argv],
      compareWithEmbedded: false,
    });
  } finally {
    spawnSync('ip', ['link', 'del', hostSide]);
    spawnSync('ip', ['netns', 'del', ns]);
  }
});
