/**
 * The rig the soak and the chaos run share: the served lab as a process
 * (`radius-mfa-harness lab`, real time, plain HTTP on loopback) from a seed
 * made here with pools of users per kind of sign-in, and the reference agent
 * as a process (`bin/radius-mfa-agent.js`) wired to it — two apps, mfa-only
 * and password-passcode. Sign-ins go over real UDP from this process, encoded
 * and verified by the AD Connector's codec (the npm `radius` package, not the
 * agent's own code). Everything on loopback; every wait bounded.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { type EncodedRequest, encodeAccessRequest, verifyReply } from '../simulators/ad-connector/radius-codec.ts';
import { hotpCode, timeStep, totpCode } from '../simulators/devices/totp.ts';
import { base32 } from '../simulators/lab/derive.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DOMAIN = 'corp.example.com';

/** Every kind of sign-in, and what a correct agent answers. */
export const KINDS = [
  'google-authenticator',
  'okta-verify-code',
  'push-approved',
  'push-denied',
  'sms',
  'email',
  'duo',
  'wrong-code',
  'unknown-user',
  'password-and-code',
] as const;
export type Kind = (typeof KINDS)[number];

type Pool = 'ga' | 'ov' | 'pa' | 'pd' | 'sms' | 'em' | 'duo' | 'wr' | 'pw';
const POOL_OF: Record<Kind, Pool | undefined> = {
  'google-authenticator': 'ga',
  'okta-verify-code': 'ov',
  'push-approved': 'pa',
  'push-denied': 'pd',
  sms: 'sms',
  email: 'em',
  duo: 'duo',
  'wrong-code': 'wr',
  'unknown-user': undefined,
  'password-and-code': 'pw',
};

export interface SoakUser {
  sam: string;
  login: string;
  password: string;
  secret?: string;
  /** Duo: the next HOTP counter to use. */
  counter: number;
  /** Wall time of the last sign-in that used this user (TOTP steps and Okta's 30-s SMS throttle need a gap). */
  lastUsedAt: number;
  lastStep: number;
  busy: boolean;
}

const secretOf = (login: string) => base32(createHash('sha256').update(`soak\0${login}`).digest().subarray(0, 20));

function seedDocument(perPool: number): { seed: Record<string, unknown>; pools: Map<Pool, SoakUser[]> } {
  const pools = new Map<Pool, SoakUser[]>();
  const users: Record<string, unknown>[] = [];
  let phone = 0;
  const pools0: Pool[] = ['ga', 'ov', 'pa', 'pd', 'sms', 'em', 'duo', 'wr', 'pw'];
  for (const pool of pools0) {
    const list: SoakUser[] = [];
    for (let i = 0; i < perPool; i++) {
      const sam = `${pool}-${String(i).padStart(3, '0')}`;
      const login = `${sam}@${DOMAIN}`;
      const password = `Soak-${sam}-Pass-1!`;
      const secret = secretOf(login);
      const number = `+1555${String(6_000_000 + phone++).padStart(7, '0')}`;
      const behaviour = pool === 'pa' ? 'approve' : pool === 'pd' ? 'deny' : 'ignore';
      const phones = [{ name: `${sam}-phone`, number, pushBehaviour: behaviour }];
      const factors: Record<string, unknown>[] =
        pool === 'ov' || pool === 'pa' || pool === 'pd'
          ? [{ type: 'push', secret }]
          : pool === 'sms'
            ? [{ type: 'sms' }]
            : pool === 'em'
              ? [{ type: 'email' }]
              : pool === 'duo'
                ? [{ type: 'duo', secret }]
                : [{ type: 'totp', provider: 'GOOGLE', secret }];
      users.push({ login, password, phones, factors });
      list.push({ sam, login, password, secret, counter: 1, lastUsedAt: 0, lastStep: -1, busy: false });
    }
    pools.set(pool, list);
  }
  const seed = {
    version: 1,
    seed: 'soak-lab',
    org: { name: 'Soak Okta', lockoutThreshold: 0 },
    app: { label: 'Amazon WorkSpaces', name: 'radius' },
    directory: { domain: 'CORP', baseDn: 'DC=corp,DC=example,DC=com' },
    users,
  };
  return { seed, pools };
}

export interface LabEndpointsLine {
  okta: { baseUrl: string; apiToken: string; appId: string };
  ldap: { url: string; baseDn: string; domain: string };
  control: { url: string; token: string };
}

export interface Rig {
  lab: ChildProcess;
  agent: ChildProcess;
  endpoints: LabEndpointsLine;
  ports: { mfa: number; password: number };
  secret: string;
  pools: Map<Pool, SoakUser[]>;
  /** Agent lines that are not decisions (warnings, errors), for the report. */
  agentNotes: string[];
  /** The agent's inspector WebSocket, when it was started with --inspect. */
  readonly inspectorUrl: string | undefined;
  control(method: string, path: string, body?: unknown): Promise<unknown>;
  stop(): Promise<void>;
  dir: string;
}

/** Resolves with the first stdout line `match` accepts; rejects when the process exits or time runs out. */
function awaitLine<T>(child: ChildProcess, match: (line: string) => T | undefined, what: string, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let tail = '';
    const timer = setTimeout(() => done(new Error(`${what}: nothing after ${ms} ms; last output: ${tail.slice(-500)}`)), ms);
    const onData = (d: Buffer) => {
      buf += d.toString();
      tail = (tail + d.toString()).slice(-2000);
      let nl = buf.indexOf('\n');
      while (nl >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const v = match(line);
        if (v !== undefined) return done(undefined, v);
        nl = buf.indexOf('\n');
      }
    };
    const onExit = (code: number | null, signal: string | null) => done(new Error(`${what}: exited (${signal ?? code}) first; output: ${tail.slice(-800)}`));
    const done = (e?: Error, v?: T) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onErr);
      child.off('exit', onExit);
      if (e) reject(e);
      else resolve(v as T);
    };
    const onErr = (d: Buffer) => {
      tail = (tail + d.toString()).slice(-2000);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onErr);
    child.once('exit', onExit);
  });
}

function stopProcess(child: ChildProcess, ms = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export interface RigOptions {
  perPool: number;
  agentLogLevel?: string;
  /** Merged into the agent's `okta` section (time-outs, retries). */
  okta?: Record<string, unknown>;
  /** Merged into each app's `timeouts`. */
  timeouts?: Record<string, unknown>;
  /** Node flags for the agent process (e.g. --inspect). */
  nodeArgs?: string[];
  /** The agent's requestThreads (default: the agent's own, 15). */
  requestThreads?: number;
}

export async function startRig(o: RigOptions): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'rmh-soak-'));
  const { seed, pools } = seedDocument(o.perPool);
  const seedFile = join(dir, 'seed.yaml');
  writeFileSync(seedFile, stringify(seed));
  const lab = spawn(process.execPath, ['bin/radius-mfa-harness.js', 'lab', '--seed', seedFile, '--no-https'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let agent: ChildProcess | undefined;
  try {
    const endpoints = await awaitLine(
      lab,
      (l) => (l.startsWith('{') ? (JSON.parse(l) as LabEndpointsLine) : undefined),
      'the served lab',
      180_000,
    );
    lab.stdout?.resume();
    lab.stderr?.resume();
    const control = async (method: string, path: string, body?: unknown): Promise<unknown> => {
      const res = await fetch(`${endpoints.control.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${endpoints.control.token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(10_000),
      });
      const json = (await res.json()) as unknown;
      if (!res.ok) throw new Error(`control ${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };
    // The mock org enforces Okta's org-wide default (600 calls a minute); the soak measures the agent, not the limiter.
    await control('PUT', '/faults', { okta: { rateLimit: { limit: 1_000_000, windowSeconds: 60 } } });

    const secret = base32(createHash('sha256').update(`soak secret ${Date.now()}`).digest()).slice(0, 32);
    const app = (name: string, mode: string) => ({
      name,
      appId: endpoints.okta.appId,
      listen: { host: '127.0.0.1', port: 0 },
      mode,
      usernameFormat: { suffix: `@${DOMAIN}` },
      clients: [{ name: 'soak', address: '127.0.0.1', secret: '$' + '{RMH_SOAK_SECRET}' }],
      timeouts: { totalRequestMs: 20_000, pushMs: 10_000, ...o.timeouts },
    });
    const config = {
      okta: {
        orgUrl: endpoints.okta.baseUrl,
        apiToken: '$' + '{RMH_SOAK_TOKEN}',
        pushPollIntervalMs: 300,
        requestTimeoutMs: 5_000,
        // Matches the org's lifted limit above: at 8 sign-ins a second the agent's default budget
        // (20 calls/s, Okta's 1,200 a minute) queues sign-ins into request-queue-full and time-outs,
        // which is the budget working (agent/src/okta/call-slots.test.ts, load's "first to break"),
        // not what a soak looks for.
        callsPerSecond: 1_000,
        ...o.okta,
      },
      apps: [app('mfa', 'mfa-only'), app('password', 'password-passcode')],
      ...(o.requestThreads === undefined ? {} : { requestThreads: o.requestThreads }),
      logging: { level: o.agentLogLevel ?? 'info' },
    };
    const configFile = join(dir, 'agent.yaml');
    writeFileSync(configFile, stringify(config), { mode: 0o600 });
    agent = spawn(process.execPath, [...(o.nodeArgs ?? []), 'bin/radius-mfa-agent.js', '--config', configFile], {
      cwd: ROOT,
      env: { ...process.env, RMH_SOAK_SECRET: secret, RMH_SOAK_TOKEN: endpoints.okta.apiToken },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let inspectorUrl: string | undefined;
    agent.stderr?.on('data', (d: Buffer) => {
      inspectorUrl ??= /ws:\/\/127\.0\.0\.1:\d+\/[\w-]+/.exec(d.toString())?.[0];
    });
    const ports: Partial<Record<'mfa' | 'password', number>> = {};
    await awaitLine(
      agent,
      (l) => {
        if (!l.startsWith('{')) return undefined;
        const j = JSON.parse(l) as { msg?: string; app?: 'mfa' | 'password'; port?: number };
        if (j.msg === 'listening' && j.app && j.port) ports[j.app] = j.port;
        return ports.mfa && ports.password ? true : undefined;
      },
      'the agent',
      60_000,
    );
    const agentNotes: string[] = [];
    let pending = '';
    agent.stdout?.on('data', (d: Buffer) => {
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) {
        // Decisions are the agent's normal chatter; anything at warn or above is kept for the report.
        if (/"level":(40|50|60)/.test(l) && agentNotes.length < 200) agentNotes.push(l.slice(0, 400));
      }
    });
    agent.stderr?.on('data', (d: Buffer) => {
      const text = d.toString();
      // The inspector's own banner is not a note about the agent.
      if (agentNotes.length < 200 && !/Debugger listening|For help, see|Debugger attached|^\s*$/.test(text)) agentNotes.push(text.slice(0, 400));
    });
    const running = agent;
    return {
      lab,
      agent: running,
      endpoints,
      ports: { mfa: ports.mfa!, password: ports.password! },
      secret,
      pools,
      agentNotes,
      get inspectorUrl() {
        return inspectorUrl;
      },
      control,
      dir,
      async stop() {
        await stopProcess(running);
        await stopProcess(lab);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    if (agent) await stopProcess(agent);
    await stopProcess(lab);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

// ─── one exchange ─────────────────────────────────────────────────────────

export type Answer = 'accept' | 'reject' | 'challenge' | 'lost';

export interface ExchangeOptions {
  /** Chance (0..1) that a datagram vanishes on the way, each direction, asked per datagram (chaos: UDP loss). */
  loss?: () => number;
  /** Send the same datagram again after this long without a reply, as a NAS does (default: never). */
  retransmitMs?: number;
}

export interface ExchangeResult {
  answer: Answer;
  replyMessage: string;
  ms: number;
  /** Copies that reached the agent (not dropped by the simulated loss). */
  delivered: number;
  /** Whether the agent sent any verified reply (even one the simulated loss then dropped). */
  agentAnswered: boolean;
}

/** One Access-Request over a socket of its own; a reply that fails verification is no reply (as a NAS treats it). */
export function exchange(rig: Rig, port: number, userName: string, password: string, deadlineMs: number, o: ExchangeOptions = {}): Promise<ExchangeResult> {
  const started = performance.now();
  const request: EncodedRequest = encodeAccessRequest({
    identifier: Math.floor(Math.random() * 256),
    secret: rig.secret,
    userName,
    password,
    protocol: 'PAP',
    messageAuthenticator: true,
    nasIdentifier: 'soak',
  });
  const dropped = () => (o.loss ? Math.random() < o.loss() : false);
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    let delivered = 0;
    let agentAnswered = false;
    let resend: NodeJS.Timeout | undefined;
    const finish = (answer: Answer, replyMessage = '') => {
      clearTimeout(timer);
      clearInterval(resend);
      socket.close();
      resolve({ answer, replyMessage, ms: performance.now() - started, delivered, agentAnswered });
    };
    const timer = setTimeout(() => finish('lost'), deadlineMs);
    const send = () => {
      if (dropped()) return;
      delivered++;
      socket.send(request.bytes, port, '127.0.0.1');
    };
    socket.on('error', () => {
      /* a send error is a lost request: the deadline reports it */
    });
    socket.on('message', (msg) => {
      const v = verifyReply(request, msg, rig.secret, { requireMessageAuthenticator: true });
      if (!v.ok) return;
      agentAnswered = true;
      if (dropped()) return;
      const r = v.reply;
      finish(r.codeName === 'Access-Accept' ? 'accept' : r.codeName === 'Access-Reject' ? 'reject' : 'challenge', r.replyMessages.join(''));
    });
    socket.bind(0, '127.0.0.1', () => {
      send();
      if (o.retransmitMs) resend = setInterval(send, o.retransmitMs);
    });
  });
}

// ─── sign-ins of every kind ───────────────────────────────────────────────

export interface SignInOutcome {
  kind: Kind;
  /** Datagrams exchanged (two for SMS / email: the request for a code, then the code). */
  requests: number;
  ok: boolean;
  lost: boolean;
  /** What went wrong, when !ok: expected vs got. */
  detail?: string;
  ms: number;
}

const TOTP_GAP_MS = 31_000;

/** A user of the pool free to sign in now (not busy, last sign-in ended over 31 s ago, a new TOTP step), or undefined. */
export function takeUser(rig: Rig, kind: Kind, now = Date.now()): SoakUser | undefined {
  const pool = POOL_OF[kind];
  if (!pool) return { sam: `nobody-${Math.floor(Math.random() * 1e6)}`, login: '', password: 'x', counter: 0, lastUsedAt: 0, lastStep: -1, busy: false };
  const step = timeStep(now);
  const free = rig.pools.get(pool)!.find((u) => !u.busy && now - u.lastUsedAt > TOTP_GAP_MS && u.lastStep < step);
  if (free) {
    free.busy = true;
    free.lastUsedAt = now;
    free.lastStep = step;
  }
  return free;
}

export const totpNow = (secret: string) => totpCode({ secret, digits: 6, period: 30, algorithm: 'sha1' }, Date.now());

/**
 * One sign-in of `kind` for `user` (from takeUser). `deadlineMs` bounds each
 * exchange; `accept` is what a correct agent must answer. Releases the user.
 */
export async function signIn(rig: Rig, kind: Kind, user: SoakUser, deadlineMs: number): Promise<SignInOutcome> {
  const t0 = performance.now();
  const out = (requests: number, ok: boolean, lost: boolean, detail?: string): SignInOutcome => ({
    kind,
    requests,
    ok,
    lost,
    ...(detail ? { detail } : {}),
    ms: performance.now() - t0,
  });
  const expect = async (port: number, password: string, want: Answer, requests: number): Promise<SignInOutcome | undefined> => {
    const r = await exchange(rig, port, user.sam, password, deadlineMs);
    if (r.answer === 'lost') return out(requests, false, true, `no verified reply within ${deadlineMs} ms`);
    if (r.answer !== want) return out(requests, false, false, `expected ${want}, got ${r.answer} (${r.replyMessage.slice(0, 120)})`);
    return undefined;
  };
  try {
    switch (kind) {
      case 'google-authenticator':
      case 'okta-verify-code':
        return (await expect(rig.ports.mfa, totpNow(user.secret!), 'accept', 1)) ?? out(1, true, false);
      case 'push-approved':
        return (await expect(rig.ports.mfa, 'push', 'accept', 1)) ?? out(1, true, false);
      case 'push-denied':
        return (await expect(rig.ports.mfa, 'push', 'reject', 1)) ?? out(1, true, false);
      case 'wrong-code': {
        // A code two steps away from now: outside Okta's ±1 window, never valid.
        const wrong = totpCode({ secret: user.secret!, digits: 6, period: 30, algorithm: 'sha1' }, Date.now(), 3);
        return (await expect(rig.ports.mfa, wrong, 'reject', 1)) ?? out(1, true, false);
      }
      case 'unknown-user':
        return (await expect(rig.ports.mfa, '123456', 'reject', 1)) ?? out(1, true, false);
      case 'duo': {
        const code = hotpCode(user.secret!, user.counter++);
        return (await expect(rig.ports.mfa, code, 'accept', 1)) ?? out(1, true, false);
      }
      case 'password-and-code':
        return (await expect(rig.ports.password, `${user.password},${totpNow(user.secret!)}`, 'accept', 1)) ?? out(1, true, false);
      case 'sms':
      case 'email': {
        const inbox = kind === 'sms' ? 'sms' : 'emails';
        const before = await inboxCodes(rig, user.login, inbox);
        const first = await expect(rig.ports.mfa, kind === 'sms' ? 'SMS' : 'EMAIL', 'reject', 1);
        if (first) return first;
        const after = await inboxCodes(rig, user.login, inbox);
        const code = after.length > before.length ? after[after.length - 1] : undefined;
        if (!code) return out(1, false, false, `the agent said a code was sent, but no new ${kind} arrived`);
        return (await expect(rig.ports.mfa, code, 'accept', 2)) ?? out(2, true, false);
      }
    }
  } finally {
    // The gap runs from the end: a slow sign-in may have made Okta send its SMS late.
    user.lastUsedAt = Date.now();
    user.busy = false;
  }
}

export async function inboxCodes(rig: Rig, login: string, inbox: 'sms' | 'emails'): Promise<string[]> {
  const body = (await rig.control('GET', `/users/${encodeURIComponent(login)}/${inbox}`)) as { messages?: Array<{ code?: string }>; emails?: Array<{ code?: string }> };
  return (body.messages ?? body.emails ?? []).map((m) => m.code ?? '').filter((c) => c !== '');
}

/** Resident set of a process in KiB (from /proc), or undefined once it is gone. */
export function rssKiB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Least-squares slope of y over x. */
export function slope(points: ReadonlyArray<readonly [number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/**
 * The agent's live heap after a full GC, through its inspector (the agent runs
 * with --inspect=127.0.0.1:0 in the soak; loopback only): HeapProfiler.collectGarbage,
 * then Runtime.getHeapUsage. RSS alone cannot tell growth from garbage not yet
 * collected; a full GC of a ~30 MiB heap takes tens of milliseconds, unlike a heap
 * snapshot (seconds, during which requests queue up). Undefined if it cannot ask.
 */
export async function liveHeapBytes(inspectorUrl: string | undefined, ms = 15_000): Promise<number | undefined> {
  if (!inspectorUrl) return undefined;
  return new Promise((resolve) => {
    const ws = new WebSocket(inspectorUrl);
    const timer = setTimeout(() => done(undefined), ms);
    const done = (v: number | undefined) => {
      clearTimeout(timer);
      ws.close();
      resolve(v);
    };
    ws.onerror = () => done(undefined);
    ws.onopen = () => {
      ws.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' }));
    };
    ws.onmessage = (ev: MessageEvent) => {
      const msg = JSON.parse(String(ev.data)) as { id?: number; result?: { usedSize?: number } };
      if (msg.id === 1) ws.send(JSON.stringify({ id: 2, method: 'Runtime.getHeapUsage' }));
      if (msg.id === 2) done(msg.result?.usedSize);
    };
  });
}
