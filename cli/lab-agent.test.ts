/**
 * A served lab as a real agent uses it: the reference agent started from its
 * CLI with the config `lab --write-agent-config` wrote, talking to the mock
 * Okta over HTTPS (trusting the lab's CA through NODE_EXTRA_CA_CERTS), on the
 * lab's real-time clock. Checks the two figures: oathtool at wall time
 * gets an Access-Accept through radclient, and 2,000 sign-ins in a row under a
 * tight rate limit never meet a stale 429 (one from a window with room left).
 * Everything on loopback; every wait bounded.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { RadiusCode } from '../agent/src/radius/codes.ts';
import { decodePacket } from '../agent/src/radius/codec.ts';
import { buildAccessRequest } from '../agent/src/test-support/radius-test-client.ts';
import { UdpTestClient } from '../agent/src/transport/udp-test-client.ts';
import { writeAgentConfig } from '../simulators/lab/agent-config.ts';
import { Lab, type LabEndpoints } from '../simulators/lab/lab.ts';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const example = join(repo, 'simulators', 'lab', 'examples', 'workspaces.yaml');
const BOB_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const have = (cmd: string, arg: string): boolean => spawnSync(cmd, [arg], { stdio: 'ignore' }).error === undefined;
const tools = have('radclient', '-v') && have('oathtool', '--version');
if (!tools && process.env.CI === 'true') throw new Error('radclient (freeradius-utils) and oathtool are required in CI');
const skip = tools ? false : 'radclient or oathtool is not installed';

interface AgentConfigFile {
  okta: { orgUrl: string; apiToken: string; pushPollIntervalMs?: number; callsPerSecond?: number };
  apps: Array<{ appId: string; listen: { host: string; port: number }; clients: Array<{ address: string; secret: string }>; usernameFormat: { suffix?: string } }>;
}

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Lines of a child's stdout+stderr, for waiting on a JSON line. */
function collect(child: ChildProcess): { text: () => string } {
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  return { text: () => out };
}

async function until<T>(get: () => T | undefined, what: string, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function jsonLine<T>(text: string, pick: (o: Record<string, unknown>) => boolean): T | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const o = JSON.parse(line) as Record<string, unknown>;
      if (pick(o)) return o as T;
    } catch {
      // a partial line: wait for the rest
    }
  }
  return undefined;
}

/** Starts the reference agent from its CLI, trusting `caFile`; resolves once it logs "listening". */
async function startAgent(configFile: string, caFile: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['bin/radius-mfa-agent.js', '--config', configFile], {
    cwd: repo,
    env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = collect(child);
  await until(() => jsonLine(out.text(), (o) => o.msg === 'listening'), `the agent to listen (output: ${out.text().slice(0, 500)})`, 20_000);
  return child;
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** One Access-Request through radclient; only the reply code and Reply-Message are kept (the output holds the password). */
function radclient(port: number, secret: string, user: string, password: string, timeoutS: number): Promise<{ code: string | null; replyMessage: string }> {
  const lines = [`User-Name = "${user}"`, `User-Password = "${password}"`, 'Message-Authenticator = 0x00'];
  return new Promise((resolveRun, reject) => {
    const child = spawn('radclient', ['-x', '-r', '1', '-t', String(timeoutS), `127.0.0.1:${port}`, 'auth', secret], { stdio: 'pipe' });
    const out = collect(child);
    const killer = setTimeout(() => child.kill('SIGKILL'), (timeoutS + 5) * 1000);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(killer);
      const text = out.text();
      resolveRun({
        code: /Received (Access-\w+)/.exec(text)?.[1] ?? null,
        replyMessage: [...text.matchAll(/Reply-Message = "([^"]*)"/g)].map((m) => m[1]).join(''),
      });
    });
    child.stdin.end(`${lines.join('\n')}\n`);
  });
}

describe('the lab command with the reference agent it writes a config for', { skip }, () => {
  let dir: string;
  let lab: ChildProcess | undefined;
  let agent: ChildProcess | undefined;
  let ep: LabEndpoints & { agentConfig?: string };
  let config: AgentConfigFile;
  let port: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rmh-lab-agent-'));
    port = await freeUdpPort();
    const configFile = join(dir, 'agent.yaml');
    lab = spawn(process.execPath, ['bin/radius-mfa-harness.js', 'lab', '--seed', example, '--write-agent-config', configFile, '--agent-listen', `127.0.0.1:${port}`], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = collect(lab);
    ep = await until(() => jsonLine<typeof ep>(out.text(), (o) => 'okta' in o), `the lab's endpoints line (output: ${out.text().slice(0, 500)})`, 30_000);
    config = YAML.parse(readFileSync(configFile, 'utf8')) as AgentConfigFile;
    agent = await startAgent(configFile, ep.okta.caFile!);
  });

  after(async () => {
    await stop(agent);
    await stop(lab);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes a config for itself: HTTPS org URL, the lab token and app, a loopback client; the endpoints line names it', () => {
    assert.equal(ep.agentConfig, join(dir, 'agent.yaml'));
    assert.equal(ep.clock.kind, 'real-time');
    assert.equal(config.okta.orgUrl, ep.okta.httpsUrl);
    assert.equal(config.okta.apiToken, ep.okta.apiToken);
    assert.equal(config.apps[0]!.appId, ep.okta.appId);
    assert.deepEqual(config.apps[0]!.listen, { host: '127.0.0.1', port });
    assert.equal(config.apps[0]!.usernameFormat.suffix, '@corp.example.com');
    assert.ok(config.apps[0]!.clients.some((c) => c.address === '127.0.0.0/8'));
  });

  it('oathtool --totp at wall time: Access-Accept from the agent over HTTPS; a wrong code: Access-Reject', async () => {
    const code = execFileSync('oathtool', ['--totp', '-b', BOB_SECRET], { encoding: 'utf8' }).trim();
    assert.match(code, /^\d{6}$/);
    const secret = config.apps[0]!.clients[0]!.secret;
    const ok = await radclient(port, secret, 'bob', code, 10);
    assert.equal(ok.code, 'Access-Accept', ok.replyMessage);
    const bad = await radclient(port, secret, 'bob', code === '000000' ? '111111' : '000000', 10);
    assert.equal(bad.code, 'Access-Reject');
  });

  it('a push "approved after 5 s" (set through the control API) is approved after 5 s of real time', async () => {
    const set = await fetch(`${ep.control.url}/devices/alice-iphone/push-behaviour`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ep.control.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ behaviour: 'approve after 5s' }),
    });
    assert.equal(set.status, 200);
    const started = Date.now();
    const r = await radclient(port, config.apps[0]!.clients[0]!.secret, 'alice', 'push', 25);
    const took = Date.now() - started;
    assert.equal(r.code, 'Access-Accept', r.replyMessage);
    assert.ok(took >= 4_900 && took < 20_000, `accepted after ${took} ms: when the phone answered, not before, not never`);
  });
});

describe('2,000 sign-ins against a served lab under a tight rate limit: no stale 429', { skip }, () => {
  const SIGN_INS = 2_000;
  const LANES = 4;
  const LIMIT = 150;
  let dir: string;
  let lab: Lab;
  let agent: ChildProcess | undefined;
  let ep: LabEndpoints;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rmh-lab-2000-'));
    lab = await Lab.fromFile(example, { clockKind: 'real-time' });
    ep = await lab.start();
  });

  after(async () => {
    await stop(agent);
    await lab?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`${SIGN_INS} push sign-ins in ${LANES} lanes: every one accepted, every 429 from a full window`, { timeout: 300_000 }, async () => {
    const port = await freeUdpPort();
    const configFile = join(dir, 'agent.yaml');
    await writeAgentConfig(configFile, lab, ep, { listen: { host: '127.0.0.1', port } });
    // Poll the push every 5 ms instead of every second: the same calls, 200 times faster.
    const cfg = YAML.parse(readFileSync(configFile, 'utf8')) as AgentConfigFile;
    cfg.okta.pushPollIntervalMs = 5;
    // The agent's own call budget (default 20/s) above the mock's limit: the mock's windows are
    // what this test is about, and under the default the agent never reached them (0 refused).
    cfg.okta.callsPerSecond = 1_000;
    writeFileSync(configFile, YAML.stringify(cfg), { mode: 0o600 });
    agent = await startAgent(configFile, ep.okta.caFile!);
    const secret = cfg.apps[0]!.clients[0]!.secret;

    lab.network.phone('alice-iphone')!.oktaVerify!.setPushBehaviour({ action: 'approve' });
    await lab.faults.apply({ okta: { rateLimit: { limit: LIMIT, windowSeconds: 1 } } });
    // Record what the mock's limiter decided for every call, by window.
    const windows = new Map<number, { allowed: number; refused: number }>();
    const limiter = lab.org.rateLimiter;
    const take = limiter.take.bind(limiter);
    limiter.take = (now: number) => {
      const r = take(now);
      const w = windows.get(r.resetEpochS) ?? { allowed: 0, refused: 0 };
      if (r.exceeded) w.refused++;
      else w.allowed++;
      windows.set(r.resetEpochS, w);
      return r;
    };

    const started = Date.now();
    const outcomes = new Map<string, number>();
    let next = 0;
    const lane = async (): Promise<void> => {
      const client = await UdpTestClient.open('127.0.0.1');
      try {
        while (next < SIGN_INS && Date.now() - started < 240_000) {
          next++;
          const reply = await client
            .exchange(buildAccessRequest({ userName: 'alice', password: 'push', secret }), { address: '127.0.0.1', port }, 15_000)
            .catch(() => undefined);
          const d = reply ? decodePacket(reply) : undefined;
          const name = !d ? 'no reply' : !d.ok ? 'undecodable' : d.packet.code === RadiusCode.AccessAccept ? 'accept' : `code ${d.packet.code}`;
          outcomes.set(name, (outcomes.get(name) ?? 0) + 1);
        }
      } finally {
        client.close();
      }
    };
    await Promise.all(Array.from({ length: LANES }, lane));
    const seconds = (Date.now() - started) / 1000;

    const allowed = [...windows.values()].reduce((n, w) => n + w.allowed, 0);
    const refused = [...windows.values()].reduce((n, w) => n + w.refused, 0);
    const stale = [...windows.entries()].filter(([, w]) => w.refused > 0 && w.allowed < LIMIT);
    console.log(
      `# ${SIGN_INS} sign-ins in ${seconds.toFixed(1)} s: ${JSON.stringify(Object.fromEntries(outcomes))}; ` +
        `${allowed} Okta calls allowed and ${refused} refused (429) over ${windows.size} windows of 1 s, limit ${LIMIT}`,
    );
    assert.deepEqual(Object.fromEntries(outcomes), { accept: SIGN_INS }, 'every sign-in accepted');
    assert.ok(allowed > LIMIT * 5, `the calls (${allowed}) span many windows' worth of the limit: a window that never reset would have failed them`);
    assert.ok(refused > 0, 'the agent reached the limit (some calls refused with 429): otherwise no window was tested for a stale 429');
    assert.deepEqual(stale, [], 'no 429 from a window that still had room');
  });
});
