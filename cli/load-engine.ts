/**
 * Simulated AD Connector sign-ins as load: the lab (a mock Okta org over real
 * HTTP on the wall clock, whose virtual phones approve pushes) and a UDP
 * driver that sends Access-Requests to any RADIUS endpoint at a rate or a
 * concurrency, bounded in count AND time. Kinds of sign-in: a TOTP code at the
 * lab's clock (each user at most once per 30-s step, as Okta accepts a step
 * once), PUSH (the phone approves after `pushAnswerMs`), and a wrong code.
 * A share of requests is retransmitted (same bytes, as a NAS does), so the
 * agent's duplicate cache is exercised. Loopback only (and, with the explicit
 * opt-in, private addresses of a network namespace the operator made).
 *
 * It encodes with the agent's codec (agent/src/radius), not the connector's
 * npm `radius` package: the load needs thousands of packets a second, and its
 * question is speed, not protocol conformance (the scenarios ask that).
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { systemClock } from '../agent/src/clock.ts';
import { CodedError } from '../agent/src/errors.ts';
import { RadiusCode } from '../agent/src/radius/codes.ts';
import { encodeRequest } from '../agent/src/radius/codec.ts';
import { attr } from '../agent/src/radius/packet.ts';
import type { FactorDelivery } from '../simulators/okta/delivery.ts';
import { OktaOrg } from '../simulators/okta/org.ts';
import { type RunningOktaServer, startOktaServer } from '../simulators/okta/serve.ts';
import { newTotpSecret, TOTP_PERIOD_S, totpAt } from '../simulators/okta/totp.ts';

export type SignInKind = 'totp' | 'push' | 'wrong';
export const SIGN_IN_KINDS: readonly SignInKind[] = ['totp', 'push', 'wrong'];

/** Where sign-ins go and what they are made of. */
export interface SignInPlan {
  host: string;
  port: number;
  secret: string;
  /** Users `${prefix}${i}` for i < users. */
  users: number;
  prefix: string;
  /** Instead of `${prefix}${i}`: these names in turn (a target with its own users, e.g. FreeRADIUS). */
  userNames?: readonly string[];
  /** Weights of each kind (need not sum to 1). */
  mix: Record<SignInKind, number>;
  /** Sign-ins started per second; 0 = as many as `concurrency` allows. */
  rate: number;
  /** Sign-ins in flight at most. */
  concurrency: number;
  maxSignIns: number;
  maxDurationMs: number;
  /** A sign-in unanswered this long is lost. */
  timeoutMs: number;
  /** Share (0..1) of sign-ins whose request is sent a second time, `retransmitAfterMs` later, if still unanswered. */
  retransmit: number;
  retransmitAfterMs: number;
  /** TOTP codes: every user's shared secret, and the lab's clock. */
  totpSecret: string;
  now: () => number;
  /** Password of a TOTP sign-in, when the target knows no TOTP (FreeRADIUS: a fixed password). */
  fixedPassword?: string;
  /** Allow private (namespace) addresses besides loopback. */
  allowNamespaceAddress?: boolean;
  /** Called about once a second with the figures so far (the progress line). */
  onProgress?: (p: LoadProgress) => void;
}

export interface LoadProgress {
  elapsedMs: number;
  started: number;
  answered: number;
  lost: number;
  inFlight: number;
  /** Answers in the last second. */
  lastSecond: number;
}

/** One second of the run. */
export interface LoadSecond {
  second: number;
  started: number;
  answered: number;
  p50: number;
  p99: number;
}

export interface KindFigures {
  started: number;
  accepted: number;
  rejected: number;
  challenged: number;
  lost: number;
  p50: number;
  p99: number;
}

export interface LoadResult {
  elapsedMs: number;
  started: number;
  answered: number;
  lost: number;
  /** Sign-ins whose request was sent twice. */
  retransmitted: number;
  /** Answers that came for nothing outstanding (a second answer to a retransmission, or after a loss). */
  extraAnswers: number;
  answersPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  byKind: Record<SignInKind, KindFigures>;
  timeline: LoadSecond[];
  stoppedBy: 'count' | 'time';
}

export const LOAD_BOUNDS = { maxSignIns: 1_000_000, maxDurationMs: 600_000, users: 100_000, rate: 50_000, concurrency: 20_000 } as const;

/** Throws CodedError LOAD_ADDRESS_REFUSED unless `host` is loopback (or, opted in, a private namespace address). */
export function checkLoadAddress(host: string, allowNamespaceAddress = false): void {
  const loopback = /^127\./.test(host) || host === '::1';
  const privateV4 = /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(host);
  if (isIP(host) === 0) {
    throw new CodedError('LOAD_ADDRESS_REFUSED', `the load goes to IP addresses only, not '${host}': use 127.0.0.1, ::1 or a namespace address`);
  }
  if (loopback || (allowNamespaceAddress && privateV4)) return;
  throw new CodedError(
    'LOAD_ADDRESS_REFUSED',
    `the load only goes to loopback (127.0.0.0/8, ::1)${allowNamespaceAddress ? ' or private namespace addresses (10/8, 172.16/12, 192.168/16)' : ''}, not ${host}: ` +
      'run the agent on loopback, or in a network namespace you created and pass --namespace-address',
  );
}

interface Flight {
  kind: SignInKind;
  sentAt: number;
  bytes: Uint8Array;
  retransmitAt: number;
  retransmitted: boolean;
  source: number;
  id: number;
}

function pct(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function round(n: number, d = 1): number {
  const f = 10 ** d;
  return Math.round(n * f) / f;
}

/** Runs one bounded load; resolves when every sign-in is answered or lost. */
export async function runSignInLoad(plan: SignInPlan): Promise<LoadResult> {
  checkLoadAddress(plan.host, plan.allowNamespaceAddress);
  const maxSignIns = Math.min(plan.maxSignIns, LOAD_BOUNDS.maxSignIns);
  const maxDurationMs = Math.min(plan.maxDurationMs, LOAD_BOUNDS.maxDurationMs);
  const concurrency = Math.max(1, Math.min(plan.concurrency, LOAD_BOUNDS.concurrency));
  const v6 = plan.host.includes(':');
  // One source socket per 256 in flight (the RADIUS identifier is one octet per source port).
  const sockets: Socket[] = [];
  const slots: Array<Map<number, Flight>> = [];
  const nSockets = Math.max(1, Math.ceil(concurrency / 200));
  for (let i = 0; i < nSockets; i++) {
    const s = createSocket({ type: v6 ? 'udp6' : 'udp4', recvBufferSize: 4 * 1024 * 1024 });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(0, v6 ? '::1' : plan.host.startsWith('127.') ? '127.0.0.1' : undefined, () => {
        s.off('error', reject);
        resolve();
      });
    });
    s.on('error', () => {});
    sockets.push(s);
    slots.push(new Map());
  }
  const nextId = new Array<number>(nSockets).fill(0);

  const weights = SIGN_IN_KINDS.map((k) => Math.max(0, plan.mix[k] ?? 0));
  const total = weights.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new CodedError('LOAD_BAD_MIX', 'the mix gives every kind a weight of 0: give totp, push or wrong a weight > 0');
  // Deterministic interleaving by weight (a stride scheduler): kinds appear in proportion, spread out.
  const pass = weights.map(() => 0);
  const pickKind = (): SignInKind => {
    let best = -1;
    for (let k = 0; k < weights.length; k++) {
      if (weights[k]! <= 0) continue;
      if (best < 0 || pass[k]! < pass[best]!) best = k;
    }
    pass[best] = pass[best]! + total / weights[best]!;
    return SIGN_IN_KINDS[best]!;
  };

  const lastStep = new Float64Array(plan.users).fill(-1);
  let nextUser = 0;
  let codeStep = -1;
  let code = '';
  /** The user for a sign-in of this kind, or -1 if every user has had this TOTP step. */
  const pickUser = (kind: SignInKind): number => {
    if (kind !== 'totp' || plan.fixedPassword !== undefined) {
      const u = nextUser;
      nextUser = (nextUser + 1) % plan.users;
      return u;
    }
    const step = Math.floor(plan.now() / 1000 / TOTP_PERIOD_S);
    for (let k = 0; k < plan.users; k++) {
      const i = (nextUser + k) % plan.users;
      if (lastStep[i] === step) continue;
      lastStep[i] = step;
      nextUser = (i + 1) % plan.users;
      return i;
    }
    return -1;
  };
  const passwordFor = (kind: SignInKind): string => {
    if (kind === 'push') return 'PUSH';
    if (kind === 'wrong') return plan.fixedPassword ? `${plan.fixedPassword}9` : '000000';
    if (plan.fixedPassword) return plan.fixedPassword;
    const now = plan.now();
    const step = Math.floor(now / 1000 / TOTP_PERIOD_S);
    if (step !== codeStep) {
      codeStep = step;
      code = totpAt(plan.totpSecret, now);
    }
    return code;
  };

  const latencies: number[] = [];
  const byKindLat: Record<SignInKind, number[]> = { totp: [], push: [], wrong: [] };
  const byKind: Record<SignInKind, KindFigures> = {
    totp: { started: 0, accepted: 0, rejected: 0, challenged: 0, lost: 0, p50: 0, p99: 0 },
    push: { started: 0, accepted: 0, rejected: 0, challenged: 0, lost: 0, p50: 0, p99: 0 },
    wrong: { started: 0, accepted: 0, rejected: 0, challenged: 0, lost: 0, p50: 0, p99: 0 },
  };
  const seconds: Array<{ started: number; lat: number[] }> = [];
  const secondOf = (t: number): { started: number; lat: number[] } => {
    const i = Math.floor(t / 1000);
    while (seconds.length <= i) seconds.push({ started: 0, lat: [] });
    return seconds[i]!;
  };

  let started = 0;
  let answered = 0;
  let lost = 0;
  let inFlight = 0;
  let retransmitted = 0;
  let extraAnswers = 0;
  let stoppedBy: LoadResult['stoppedBy'] | undefined;
  let lastProgressAt = 0;
  let answeredAtLastProgress = 0;
  const t0 = performance.now();

  return new Promise<LoadResult>((resolve) => {
    const finish = (): void => {
      clearInterval(ticker);
      for (const s of sockets) s.close();
      const sorted = Float64Array.from(latencies).sort();
      for (const k of SIGN_IN_KINDS) {
        const l = Float64Array.from(byKindLat[k]).sort();
        byKind[k].p50 = round(pct(l, 50), 2);
        byKind[k].p99 = round(pct(l, 99), 2);
      }
      const elapsedMs = performance.now() - t0;
      resolve({
        elapsedMs: round(elapsedMs),
        started,
        answered,
        lost,
        retransmitted,
        extraAnswers,
        answersPerSecond: round(answered / Math.max(0.001, elapsedMs / 1000)),
        p50: round(pct(sorted, 50), 2),
        p95: round(pct(sorted, 95), 2),
        p99: round(pct(sorted, 99), 2),
        max: round(pct(sorted, 100), 2),
        byKind,
        timeline: seconds.map((s, i) => {
          const l = Float64Array.from(s.lat).sort();
          return { second: i, started: s.started, answered: s.lat.length, p50: round(pct(l, 50), 2), p99: round(pct(l, 99), 2) };
        }),
        stoppedBy: stoppedBy ?? 'count',
      });
    };

    const startOne = (now: number): boolean => {
      const kind = pickKind();
      const user = pickUser(kind);
      if (user < 0) return false; // every user had this TOTP step: wait for the next
      let source = -1;
      for (let k = 0; k < nSockets; k++) {
        const i = (started + k) % nSockets;
        if (slots[i]!.size < 255) {
          source = i;
          break;
        }
      }
      if (source < 0) return false;
      let id = nextId[source]!;
      while (slots[source]!.has(id)) id = (id + 1) & 0xff;
      nextId[source] = (id + 1) & 0xff;
      const bytes = encodeRequest(
        {
          code: RadiusCode.AccessRequest,
          identifier: id,
          attributes: [
            attr.text('User-Name', plan.userNames ? plan.userNames[user % plan.userNames.length]! : `${plan.prefix}${user}`),
            attr.ip('NAS-IP-Address', '10.0.1.25'),
            attr.text('NAS-Identifier', 'd-load'),
            attr.integer('NAS-Port-Type', 5),
          ],
          userPassword: passwordFor(kind),
          messageAuthenticator: 'first',
        },
        plan.secret,
      );
      const retransmit = plan.retransmit > 0 && (started * 0.6180339887) % 1 < plan.retransmit;
      const f: Flight = { kind, sentAt: now, bytes, retransmitAt: retransmit ? now + plan.retransmitAfterMs : Number.POSITIVE_INFINITY, retransmitted: false, source, id };
      slots[source]!.set(id, f);
      started++;
      inFlight++;
      byKind[kind].started++;
      secondOf(now - t0).started++;
      sockets[source]!.send(bytes, plan.port, plan.host);
      return true;
    };

    const pump = (): void => {
      const now = performance.now();
      if (!stoppedBy) {
        if (started >= maxSignIns) stoppedBy = 'count';
        else if (now - t0 >= maxDurationMs) stoppedBy = 'time';
      }
      while (!stoppedBy && inFlight < concurrency && started < maxSignIns) {
        // Paced: no more than rate × elapsed started so far.
        if (plan.rate > 0 && started >= ((now - t0) / 1000) * plan.rate) break;
        if (!startOne(now)) break;
      }
      if (stoppedBy && inFlight === 0) finish();
    };

    sockets.forEach((s, source) => {
      s.on('message', (msg) => {
        if (msg.length < 20) return;
        const f = slots[source]!.get(msg[1]!);
        if (!f) {
          extraAnswers++;
          return;
        }
        slots[source]!.delete(msg[1]!);
        const now = performance.now();
        const ms = now - f.sentAt;
        latencies.push(ms);
        byKindLat[f.kind].push(ms);
        secondOf(now - t0).lat.push(ms);
        const k = byKind[f.kind];
        if (msg[0] === RadiusCode.AccessAccept) k.accepted++;
        else if (msg[0] === RadiusCode.AccessChallenge) k.challenged++;
        else k.rejected++;
        answered++;
        inFlight--;
        pump();
      });
    });

    // Time-outs, retransmissions, pacing and the progress line: checked every 20 ms (bounded by the run's limits).
    const ticker = setInterval(() => {
      const now = performance.now();
      for (let source = 0; source < nSockets; source++) {
        for (const [id, f] of slots[source]!) {
          if (now - f.sentAt >= plan.timeoutMs) {
            slots[source]!.delete(id);
            byKind[f.kind].lost++;
            lost++;
            inFlight--;
          } else if (!f.retransmitted && now >= f.retransmitAt) {
            f.retransmitted = true;
            retransmitted++;
            sockets[source]!.send(f.bytes, plan.port, plan.host);
          }
        }
      }
      if (plan.onProgress && now - lastProgressAt >= 1000) {
        plan.onProgress({ elapsedMs: now - t0, started, answered, lost, inFlight, lastSecond: answered - answeredAtLastProgress });
        lastProgressAt = now;
        answeredAtLastProgress = answered;
      }
      pump();
    }, 20);

    pump();
  });
}

/** The simulated world the load signs in against: a mock Okta org on the wall clock, over HTTP, whose phones approve. */
export interface LoadLab {
  org: OktaOrg;
  url: string;
  token: string;
  appId: string;
  totpSecret: string;
  prefix: string;
  suffix: string;
  /** Okta API calls answered so far (every operation, polls included). */
  readonly oktaCalls: number;
  close(): Promise<void>;
}

export interface LoadLabOptions {
  users: number;
  /** The phones approve a push this long after it arrives. */
  pushAnswerMs: number;
  host?: string;
  port?: number;
  /** API token to issue (an external agent may need to know it in advance). */
  token?: string;
}

export async function startLoadLab(options: LoadLabOptions): Promise<LoadLab> {
  const clock = systemClock;
  const timers = new Set<NodeJS.Timeout>();
  let org: OktaOrg | undefined;
  const delivery: FactorDelivery = {
    push: (n) => {
      const t = setTimeout(() => {
        timers.delete(t);
        try {
          org?.answerPush(n.transactionId, 'APPROVE');
        } catch {
          // expired or already answered: a phone too late
        }
      }, options.pushAnswerMs);
      timers.add(t);
    },
    oneTimeCode: () => {},
  };
  org = new OktaOrg({ clock, delivery, seed: 17 });
  // The load measures the agent, not Okta's per-minute rate limit or its lockout of wrong codes.
  org.setRateLimit({ limit: 1_000_000_000, windowMs: 60_000 });
  org.factorLockoutThreshold = 0;
  const token = org.createApiToken('load', options.token);
  const app = org.createApp({ label: 'Amazon WorkSpaces RADIUS (load)' });
  const totpSecret = newTotpSecret();
  const prefix = 'load';
  const suffix = '@corp.example.com';
  for (let i = 0; i < Math.min(options.users, LOAD_BOUNDS.users); i++) {
    const u = org.createUser({ profile: { login: `${prefix}${i}${suffix}`, email: `${prefix}${i}${suffix}` }, password: 'Load-pw-1' });
    org.assignUserToApp(app.id, u.id);
    // Okta Verify: push, and its TOTP companion on the same secret.
    org.enrollFactor(u.id, { factorType: 'push', provider: 'OKTA', sharedSecret: totpSecret, activate: true });
  }
  let calls = 0;
  const server: RunningOktaServer = await startOktaServer(org, {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    observe: () => {
      calls++;
    },
  });
  return {
    org,
    url: server.url,
    token,
    appId: app.id,
    totpSecret,
    prefix,
    suffix,
    get oktaCalls() {
      return calls;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await server.close();
    },
  };
}
