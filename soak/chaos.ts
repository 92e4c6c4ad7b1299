/**
 * `npm run chaos [-- --minutes 3 --rate 4 --seed N]` — chaos under load.
 *
 * Sign-ins of every kind flow at a steady rate (each one as AD Connector
 * makes it: the password by LDAP bind against the lab's directory, then the
 * RADIUS Access-Request, retransmitted every 2 s) while faults are injected at
 * random through the served lab's control API (`PUT /faults`): Okta 5xx, 429
 * (a tiny rate limit), latency past the agent's Okta time-out, connection
 * resets, the directory down (refusing or hanging) — and UDP loss, which this
 * load generator applies to its own datagrams (it is the lab's RADIUS client:
 * the lab's `connector.udpLoss` knob is meant for a connector simulator that
 * mirrors it, and this is that simulator). Each fault holds for 3–8 s, with a
 * calm gap between; every kind of fault is used. Then all faults are cleared
 * and a recovery phase must sign every legitimate user in again.
 *
 * The agent runs with responseModeOnTimeout: always-reject, so every request
 * that reaches it must be answered within its total time-out. Fails on:
 * - any Access-Accept that must never happen (a denied push, a wrong code, an
 *   unknown user, the SMS / EMAIL keyword itself);
 * - any request that reached the agent and got no answer within
 *   totalRequestMs + 3 s;
 * - the agent or the lab exiting;
 * - a legitimate sign-in refused after the faults were cleared (recovery).
 */
import { loadavg } from 'node:os';
import { Command, InvalidArgumentError } from 'commander';
import { ldapPasswordChecker } from '../simulators/ad-connector/password-checker.ts';
import { hotpCode, totpCode } from '../simulators/devices/totp.ts';
import { prng } from '../fuzz/engine.ts';
import { verdictOf } from './verdict.ts';
import { type Answer, exchange, type ExchangeResult, inboxCodes, KINDS, type Kind, type Rig, rssKiB, type SoakUser, startRig, takeUser, totpNow } from './rig.ts';

const positive = (what: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${what} must be a positive number`);
  return n;
};
const opts = new Command()
  .name('chaos')
  .option('--minutes <n>', 'length of the fault phase', positive('--minutes'), 3)
  .option('--rate <n>', 'sign-ins started per second', positive('--rate'), 4)
  .option('--per-pool <n>', 'users per kind of sign-in', positive('--per-pool'), 30)
  .option('--seed <n>', 'PRNG seed of the fault schedule', positive('--seed'))
  .parse()
  .opts<{ minutes: number; rate: number; perPool: number; seed?: number }>();

const TOTAL_MS = 6_000;
const OKTA_TIMEOUT_MS = 1_500;
const DEADLINE_MS = TOTAL_MS + 3_000;
const RETRANSMIT_MS = 2_000;
const seed = opts.seed ?? Date.now() % 1_000_000;
const rand = prng(seed);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const log = (s: string) => console.log(`[chaos ${new Date().toISOString().slice(11, 19)}] ${s}`);

// ─── faults ───────────────────────────────────────────────────────────────

interface Fault {
  name: string;
  apply(rig: Rig): Promise<void>;
  clear(rig: Rig): Promise<void>;
}
let udpLoss = 0;
const NORMAL_RATE = { limit: 1_000_000, windowSeconds: 60 };
const FAULTS: Fault[] = [
  {
    name: 'okta-5xx',
    apply: async (r) => {
      await r.control('PUT', '/faults', { okta: { errors: { count: 30 + Math.floor(rand() * 50), status: [500, 502, 503][Math.floor(rand() * 3)] } } });
    },
    clear: async (r) => {
      await r.control('PUT', '/faults', { okta: { errors: { count: 0 } } });
    },
  },
  {
    name: 'okta-429',
    apply: async (r) => {
      await r.control('PUT', '/faults', { okta: { rateLimit: { limit: 3, windowSeconds: 5 } } });
    },
    clear: async (r) => {
      await r.control('PUT', '/faults', { okta: { rateLimit: NORMAL_RATE } });
    },
  },
  {
    name: 'okta-latency-past-timeout',
    apply: async (r) => {
      await r.control('PUT', '/faults', { okta: { latencyMs: OKTA_TIMEOUT_MS + 500 + Math.floor(rand() * 1500) } });
    },
    clear: async (r) => {
      await r.control('PUT', '/faults', { okta: { latencyMs: 0 } });
    },
  },
  {
    name: 'okta-resets',
    apply: async (r) => {
      await r.control('PUT', '/faults', { okta: { networkErrors: { count: 30 + Math.floor(rand() * 50) } } });
    },
    clear: async (r) => {
      await r.control('PUT', '/faults', { okta: { networkErrors: { count: 0 } } });
    },
  },
  {
    name: 'directory-down',
    apply: async (r) => {
      await r.control('PUT', '/faults', { directory: { down: true, mode: rand() < 0.5 ? 'refuse' : 'hang' } });
    },
    clear: async (r) => {
      await r.control('PUT', '/faults', { directory: { down: false } });
    },
  },
  {
    name: 'udp-loss',
    apply: async () => {
      udpLoss = 0.2 + rand() * 0.3;
    },
    clear: async () => {
      udpLoss = 0;
    },
  },
];

// ─── sign-ins under fire ──────────────────────────────────────────────────

/** Kinds whose Access-Accept is always wrong. */
const MUST_REJECT: ReadonlySet<Kind> = new Set(['push-denied', 'wrong-code', 'unknown-user']);

interface Tally {
  signIns: number;
  requests: number;
  accepted: number;
  rejected: number;
  lostOnTheWire: number;
  passwordStepFailed: number;
  wrongAccepts: number;
  unanswered: number;
  recoveryRefused: number;
}
const tally: Tally = { signIns: 0, requests: 0, accepted: 0, rejected: 0, lostOnTheWire: 0, passwordStepFailed: 0, wrongAccepts: 0, unanswered: 0, recoveryRefused: 0 };
const problems: string[] = [];
const faultsSeen = new Map<string, number>();
let currentFault = 'none';

function judge(kind: Kind, step: string, r: ExchangeResult, mustReject: boolean): Answer {
  const v = verdictOf(r, mustReject);
  tally.requests++;
  if (r.answer === 'accept') tally.accepted++;
  else if (r.answer === 'reject' || r.answer === 'challenge') tally.rejected++;
  if (v === 'wrong-accept') {
    tally.wrongAccepts++;
    problems.push(`WRONG ACCEPT: ${kind} ${step} during ${currentFault}`);
  } else if (v === 'unanswered') {
    tally.unanswered++;
    problems.push(`UNANSWERED: ${kind} ${step} during ${currentFault}: ${r.delivered} copies reached the agent, no answer in ${DEADLINE_MS} ms`);
  } else if (v === 'lost-on-the-wire') tally.lostOnTheWire++;
  return r.answer;
}

const ldapCheck = (rig: Rig) => ldapPasswordChecker({ url: rig.endpoints.ldap.url, domain: rig.endpoints.ldap.domain, timeoutMs: 3_000 });

/** One sign-in; `recovery`: no fault is active, so a legitimate user must get in. */
async function chaosSignIn(rig: Rig, kind: Kind, user: SoakUser, recovery: boolean): Promise<void> {
  tally.signIns++;
  const send = (port: number, password: string) =>
    exchange(rig, port, user.sam, password, DEADLINE_MS, { loss: () => udpLoss, retransmitMs: RETRANSMIT_MS });
  const legit = !MUST_REJECT.has(kind);
  const refusedInRecovery = (a: Answer, step: string) => {
    if (recovery && legit && a !== 'accept') {
      tally.recoveryRefused++;
      problems.push(`NOT RECOVERED: ${kind} ${step} answered ${a} after the faults were cleared`);
    }
  };
  try {
    // AD Connector checks the password with the directory first (not for the unknown user: that one talks to the agent directly).
    if (kind !== 'unknown-user') {
      const pw = await ldapCheck(rig).check({ username: user.sam, password: user.password });
      if (!pw.ok) {
        tally.passwordStepFailed++;
        if (recovery) problems.push(`NOT RECOVERED: ${kind} password step failed (${pw.reason}) after the faults were cleared`);
        return;
      }
    }
    const mfa = rig.ports.mfa;
    switch (kind) {
      case 'sms':
      case 'email': {
        const inbox = kind === 'sms' ? 'sms' : 'emails';
        const before = await inboxCodes(rig, user.login, inbox);
        const r = await send(mfa, kind === 'sms' ? 'SMS' : 'EMAIL');
        const first = judge(kind, 'keyword', r, true);
        const after = await inboxCodes(rig, user.login, inbox);
        const code = after.length > before.length ? after[after.length - 1] : undefined;
        if (!code) {
          if (recovery) problems.push(`NOT RECOVERED: ${kind} for ${user.sam} sent no code after the faults were cleared (answer ${first}: ${r.replyMessage})`);
          return;
        }
        refusedInRecovery(judge(kind, 'code', await send(mfa, code), false), 'code');
        return;
      }
      case 'password-and-code':
        refusedInRecovery(judge(kind, 'password,code', await send(rig.ports.password, `${user.password},${totpNow(user.secret!)}`), false), 'password,code');
        return;
      case 'duo':
        refusedInRecovery(judge(kind, 'passcode', await send(mfa, hotpCode(user.secret!, user.counter++)), false), 'passcode');
        return;
      case 'wrong-code':
        judge(kind, 'code', await send(mfa, totpCode({ secret: user.secret!, digits: 6, period: 30, algorithm: 'sha1' }, Date.now(), 3)), true);
        return;
      case 'unknown-user':
        judge(kind, 'code', await send(mfa, '123456'), true);
        return;
      case 'push-approved':
      case 'push-denied': {
        const a = judge(kind, 'push', await send(mfa, 'push'), kind === 'push-denied');
        if (kind === 'push-approved') refusedInRecovery(a, 'push');
        return;
      }
      case 'google-authenticator':
      case 'okta-verify-code':
        refusedInRecovery(judge(kind, 'code', await send(mfa, totpNow(user.secret!)), false), 'code');
        return;
    }
  } finally {
    user.lastUsedAt = Date.now();
    user.busy = false;
  }
}

// ─── the run ──────────────────────────────────────────────────────────────

log(`seed ${seed}; starting the served lab and the agent (Okta time-out ${OKTA_TIMEOUT_MS} ms, total ${TOTAL_MS} ms, always-reject); load ${load()}`);
const rig = await startRig({
  perPool: opts.perPool,
  okta: { requestTimeoutMs: OKTA_TIMEOUT_MS, maxRetries: 2, retryBackoffMs: 100, maxRateLimitWaitMs: 2_000 },
  timeouts: { totalRequestMs: TOTAL_MS, pushMs: 3_000, responseModeOnTimeout: 'always-reject' },
});
const crashes: string[] = [];
rig.agent.on('exit', (code, signal) => crashes.push(`the agent exited (${signal ?? `code ${code}`})`));
rig.lab.on('exit', (code, signal) => crashes.push(`the lab exited (${signal ?? `code ${code}`})`));

const running = new Set<Promise<void>>();
let tick = 0;
async function flow(untilMs: number, recovery: boolean): Promise<void> {
  const interval = 1000 / opts.rate;
  let next = Date.now();
  while (Date.now() < untilMs && crashes.length === 0) {
    if (Date.now() < next) {
      await new Promise((r) => setTimeout(r, Math.min(next - Date.now(), 50)));
      continue;
    }
    next += interval;
    const kind = KINDS[tick++ % KINDS.length]!;
    const user = takeUser(rig, kind);
    if (!user) continue;
    const p: Promise<void> = chaosSignIn(rig, kind, user, recovery)
      .catch((e: unknown) => {
        problems.push(`the chaos run's own error (${kind}): ${(e as Error).message}`);
      })
      .finally(() => running.delete(p));
    running.add(p);
  }
}

async function schedule(untilMs: number): Promise<void> {
  let order: Fault[] = [];
  while (Date.now() < untilMs && crashes.length === 0) {
    if (order.length === 0) order = [...FAULTS].sort(() => rand() - 0.5); // every kind of fault, in a random order, again and again
    const f = order.shift()!;
    const holdMs = 3_000 + Math.floor(rand() * 5_000);
    currentFault = f.name;
    faultsSeen.set(f.name, (faultsSeen.get(f.name) ?? 0) + 1);
    await f.apply(rig);
    log(`fault ${f.name} for ${(holdMs / 1000).toFixed(1)} s  (sign-ins ${tally.signIns}, accepted ${tally.accepted}, rejected ${tally.rejected}, wrong accepts ${tally.wrongAccepts}, unanswered ${tally.unanswered}, agent RSS ${rssKiB(rig.agent.pid)} KiB)`);
    await new Promise((r) => setTimeout(r, Math.min(holdMs, Math.max(0, untilMs - Date.now()))));
    await f.clear(rig);
    currentFault = 'calm';
    await new Promise((r) => setTimeout(r, 1_000 + Math.floor(rand() * 2_000)));
  }
  currentFault = 'none';
}

const faultEnd = Date.now() + opts.minutes * 60_000;
await Promise.all([flow(faultEnd, false), schedule(faultEnd)]);
// Every fault off (the rate limit back to normal, the directory up, no loss), and let what is in flight finish.
await rig.control('PUT', '/faults', { okta: { latencyMs: 0, errors: { count: 0 }, networkErrors: { count: 0 }, rateLimit: NORMAL_RATE }, directory: { down: false } });
udpLoss = 0;
currentFault = 'recovery';
log(`faults cleared; waiting for ${running.size} sign-ins in flight, then 35 s of recovery`);
await Promise.all(running);
const before = { ...tally };
const recoveryStartedAt = Date.now();
await flow(Date.now() + 35_000, true);
await Promise.all(running);
const recoverySignIns = tally.signIns - before.signIns;

console.log(`\nchaos summary (seed ${seed}, ${opts.minutes} min of faults at ${opts.rate}/s, then 35 s of recovery)`);
console.log(`  faults injected: ${[...faultsSeen].map(([n, c]) => `${n} ×${c}`).join(', ')}`);
console.log(
  `  sign-ins ${tally.signIns} (recovery ${recoverySignIns}), requests ${tally.requests}: accepted ${tally.accepted}, rejected ${tally.rejected}, password step failed ${tally.passwordStepFailed}, lost on the wire (simulated loss) ${tally.lostOnTheWire}`,
);
console.log(`  wrong accepts ${tally.wrongAccepts}, unanswered past the deadline ${tally.unanswered}, not recovered ${tally.recoveryRefused}, crashes ${crashes.length}`);
console.log(`  agent RSS ${rssKiB(rig.agent.pid)} KiB; load average ${load()}`);
const busyTimes = rig.agentNotes.filter((l) => l.includes('Request queue is full')).map((l) => Number(/"time":(\d+)/.exec(l)?.[1] ?? 0));
console.log(`  "Request queue is full" (every request thread busy; a reject, which is safe): ${busyTimes.filter((t) => t < recoveryStartedAt).length} during the faults, ${busyTimes.filter((t) => t >= recoveryStartedAt).length} in recovery`);
if (rig.agentNotes.length > 0) console.log(`  agent warnings/errors: ${rig.agentNotes.length} (first 3):\n    ${rig.agentNotes.slice(0, 3).join('\n    ')}`);
if (problems.length > 0) console.log(`  problems (first 30):\n    ${problems.slice(0, 30).join('\n    ')}`);
if (crashes.length > 0) console.log(`  ${crashes.join('; ')}`);
const failed = problems.length > 0 || crashes.length > 0 || tally.signIns === 0 || recoverySignIns === 0 || faultsSeen.size < FAULTS.length;
rig.agent.removeAllListeners('exit');
rig.lab.removeAllListeners('exit');
await rig.stop();
console.log(failed ? 'chaos: FAILED' : 'chaos: passed (no wrong accept, nothing unanswered, no crash, recovered)');
process.exit(failed ? 1 : 0);
