/**
 * The stable okta-mock endpoint with an agent the harness does not start:
 * the reference agent from its CLI, configured once with the endpoint's URL,
 * token, app id and CA, meets two scenarios' orgs swapped behind it — each
 * scenario's people sign in, the other's do not, and between scenarios the
 * agent fails closed.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RadiusCode } from '../../agent/src/radius/codes.ts';
import { decodePacket } from '../../agent/src/radius/codec.ts';
import { buildAccessRequest } from '../../agent/src/test-support/radius-test-client.ts';
import { UdpTestClient } from '../../agent/src/transport/udp-test-client.ts';
import { Lab } from '../lab/lab.ts';
import type { SeedInput } from '../lab/seed.ts';
import { type StableOktaEndpoint, startStableOktaEndpoint } from './stable-endpoint.ts';
import { totpAt } from './totp.ts';

const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const SECRET = 'stable-endpoint-radius-secret';
const BOB = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const CAROL = 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU';

/** A scenario's world: same seed key (so the same app id), its own people. */
function scenarioSeed(login: string, secret: string): SeedInput {
  return {
    seed: 'stable-endpoint-run',
    org: { name: 'CORP Okta' },
    users: [
      {
        login,
        password: 'Lab-Pass-1',
        phones: [{ name: `${login.split('@')[0]}-phone`, number: login.startsWith('bob') ? '+15555550102' : '+15555550103' }],
        factors: [{ type: 'totp', provider: 'GOOGLE', secret }],
      },
    ],
  };
}

describe('the stable okta-mock endpoint with the reference agent run by hand', () => {
  let endpoint: StableOktaEndpoint;
  let agent: ChildProcess | undefined;
  let dir: string;
  let port: number;
  let client: UdpTestClient;
  let a: Lab;
  let b: Lab;

  before(async () => {
    a = await Lab.fromSeed(scenarioSeed('bob@corp.example.com', BOB), { clockKind: 'real-time' });
    b = await Lab.fromSeed(scenarioSeed('carol@corp.example.com', CAROL), { clockKind: 'real-time' });
    assert.equal(a.app.id, b.app.id, 'same seed key, same app id');
    endpoint = await startStableOktaEndpoint({ appId: a.app.id });
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    port = s.address().port;
    await new Promise<void>((r) => s.close(() => r()));
    dir = mkdtempSync(join(tmpdir(), 'rmh-stable-'));
    const config = join(dir, 'agent.yaml');
    writeFileSync(
      config,
      [
        'okta:',
        `  orgUrl: ${endpoint.url}`,
        // The agent expands ${NAME} from its environment (agent/src/config.ts).
        `  apiToken: $\{OKTA_API_TOKEN}`,
        '  maxRetries: 0',
        'apps:',
        '  - name: external',
        `    appId: ${a.app.id}`,
        `    listen: { host: 127.0.0.1, port: ${port} }`,
        "    usernameFormat: { suffix: '@corp.example.com' }",
        '    clients:',
        '      - name: me',
        '        address: 127.0.0.1',
        `        secret: $\{RADIUS_SECRET}`,
        'logging: { level: warn }',
        '',
      ].join('\n'),
    );
    // "By hand": a process of its own that only knows the endpoint's URL, token and CA.
    agent = spawn(process.execPath, ['bin/radius-mfa-agent.js', '--config', config], {
      cwd: repo,
      env: { ...process.env, NODE_EXTRA_CA_CERTS: endpoint.caFile!, OKTA_API_TOKEN: endpoint.apiToken, RADIUS_SECRET: SECRET },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    agent.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    agent.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    client = await UdpTestClient.open('127.0.0.1');
    // Ready when it answers (a reject: no scenario yet).
    const end = Date.now() + 20_000;
    for (;;) {
      if ((await signIn('bob', '000000', 500)) !== 'no reply') break;
      if (Date.now() > end) throw new Error(`the agent did not answer within 20 s; its output: ${output.slice(0, 1000)}`);
    }
  });

  after(async () => {
    client?.close();
    if (agent && agent.exitCode === null) {
      const exited = new Promise((r) => agent!.once('exit', r));
      agent.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (agent.exitCode === null) agent.kill('SIGKILL');
    }
    await endpoint?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function signIn(user: string, password: string, waitMs = 10_000): Promise<string> {
    const reply = await client.exchange(buildAccessRequest({ userName: user, password, secret: SECRET }), { address: '127.0.0.1', port }, waitMs).catch(() => undefined);
    if (!reply) return 'no reply';
    const d = decodePacket(reply);
    return !d.ok ? 'undecodable' : d.packet.code === RadiusCode.AccessAccept ? 'accept' : d.packet.code === RadiusCode.AccessReject ? 'reject' : `code ${d.packet.code}`;
  }

  it("each scenario's org answers behind the same URL and token; between scenarios the agent fails closed", async () => {
    const releaseA = endpoint.use(a.org);
    assert.equal(await signIn('bob', totpAt(BOB, a.clock.now())), 'accept', "scenario A: Bob is A's");
    assert.equal(await signIn('carol', totpAt(CAROL, a.clock.now())), 'reject', 'Carol is not in scenario A');
    releaseA();

    assert.equal(await signIn('bob', totpAt(BOB, Date.now() + 30_000)), 'reject', 'no scenario: 503, rejected');

    const releaseB = endpoint.use(b.org);
    assert.equal(await signIn('carol', totpAt(CAROL, b.clock.now())), 'accept', "scenario B: Carol is B's");
    assert.equal(await signIn('bob', totpAt(BOB, b.clock.now() + 30_000)), 'reject', 'Bob is not in scenario B');
    releaseB();
  });
});
