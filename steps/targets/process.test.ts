import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { agentConfig } from './agent-config.ts';
import { createTarget } from './process.ts';
import { probeRadius } from './radius-probe.ts';
import type { AgentSpec } from './target.ts';

// Startup needs no Okta call; a stand-in that answers 404 is enough here.
const okta = createServer((_req, res) => res.writeHead(404).end());
let baseUrl = '';
before(async () => {
  await new Promise<void>((r) => okta.listen(0, '127.0.0.1', () => r()));
  const a = okta.address();
  baseUrl = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
after(() => okta.close());

const SECRET = 'process-target-secret';
const TOKEN = 'ssws-token-for-tests';
const spec = (): AgentSpec => ({
  okta: { baseUrl, apiToken: TOKEN, appId: '0oaTEST' },
  mode: 'mfa-only',
  usernameSuffix: '@corp.example.com',
  clients: [{ name: 'connector', address: '127.0.0.2', secret: SECRET, requireMessageAuthenticator: true }],
  timeouts: { totalRequestMs: 20_000 },
});

test('the config file holds no secret or token: they travel in the environment', () => {
  const { yaml, env } = agentConfig(spec(), { listen: { host: '127.0.0.1', port: 0 } });
  assert.equal(yaml.includes(SECRET), false);
  assert.equal(yaml.includes(TOKEN), false);
  assert.match(yaml, /secret: \$\{RMH_CLIENT_SECRET_0\}/);
  assert.deepEqual(env, { RMH_OKTA_API_TOKEN: TOKEN, RMH_CLIENT_SECRET_0: SECRET });
  assert.throws(() => agentConfig({ ...spec(), okta: { apiToken: 't', appId: 'a' } }, { listen: { host: '127.0.0.1', port: 0 } }), /needs the mock Okta org served over HTTP/);
});

test("the spec's Okta call budget and request threads reach the agent's configuration; left out, the agent's defaults stand", () => {
  const set = agentConfig({ ...spec(), oktaCallsPerSecond: 500, requestThreads: 64 }, { listen: { host: '127.0.0.1', port: 0 } }).yaml;
  assert.match(set, /callsPerSecond: 500/);
  assert.match(set, /requestThreads: 64/);
  const unset = agentConfig(spec(), { listen: { host: '127.0.0.1', port: 0 } }).yaml;
  assert.equal(/callsPerSecond|requestThreads/.test(unset), false);
});

test('the agent CLI starts as a child process, answers Status-Server, serves metrics and stops on SIGTERM', async () => {
  const driver = await createTarget();
  assert.equal(driver.profile.capabilities.has('clock-control'), false);
  assert.equal(driver.profile.capabilities.has('okta-mock'), true);
  const agent = await driver.start(spec());
  try {
    assert.equal(agent.onVirtualClock, false);
    const reply = await probeRadius({ host: agent.endpoint.host, port: agent.endpoint.port, secret: SECRET, kind: 'status-server', sourceAddress: '127.0.0.2', timeoutMs: 3000 });
    assert.equal(reply.ok && reply.codeName, 'Access-Accept');
    const metrics = await agent.metrics!();
    assert.match(metrics, /# TYPE /);
  } finally {
    await agent.stop();
    await driver.close();
  }
  const after = await probeRadius({ host: agent.endpoint.host, port: agent.endpoint.port, secret: SECRET, kind: 'status-server', sourceAddress: '127.0.0.2', timeoutMs: 300 });
  assert.equal(after.ok, false);
});

test('a config the agent rejects is reported with the agent\'s own words', async () => {
  const driver = await createTarget();
  const bad = { ...spec(), usernameSuffix: 'no-at-sign' };
  await assert.rejects(driver.start(bad), /the agent process exited \(code 2\) before it said which ports it bound: .*suffix/);
  await driver.close();
});
