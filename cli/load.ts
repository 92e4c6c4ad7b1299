// `radius-mfa-harness load`: simulated AD Connector sign-ins against a target
// agent (the reference agent as a process or container, FreeRADIUS, or an
// external agent) at a rate or a concurrency, bounded in count and time; a
// progress line while it runs; throughput, latency percentiles, answers by
// kind, Okta calls per sign-in and losses at the end, and an HTML page with
// plots. Exit: 0 ran (losses are reported, not failed), 1 the target or lab
// could not start, 2 bad options.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { CodedError, isCodedError } from '../agent/src/errors.ts';
import { type AgentAccount, agentAccount, firstToBreak } from './agent-metrics.ts';
import { FREERADIUS_USERS } from '../steps/targets/freeradius.ts';
import { loadTarget } from '../steps/targets/index.ts';
import type { AgentUnderTest, TargetDriver } from '../steps/targets/target.ts';
import { LOAD_BOUNDS, type LoadProgress, type LoadResult, runSignInLoad, SIGN_IN_KINDS, type SignInKind, startLoadLab } from './load-engine.ts';
import { renderLoadReport } from './load-report.ts';

export const LOAD_TARGETS = ['process', 'container', 'freeradius', 'external'] as const;
/** Targets where the load starts the reference agent itself, and so can set its options. */
const REFERENCE_AGENT_TARGETS: readonly string[] = ['process', 'container'];

const int = (name: string, min: number, max: number) =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .min(min, `${name} must be at least ${min}`)
    .max(max, `${name} must be at most ${max}`);

export const loadOptionsSchema = z.object({
  target: z.enum(LOAD_TARGETS, { error: `target must be one of: ${LOAD_TARGETS.join(', ')}` }).default('process'),
  profile: z.string().optional(),
  users: int('users', 1, LOAD_BOUNDS.users).default(1_000),
  mix: z.string().default('totp=80,push=10,wrong=10'),
  rate: int('rate', 0, LOAD_BOUNDS.rate).default(0),
  concurrency: int('concurrency', 1, LOAD_BOUNDS.concurrency).default(64),
  requestThreads: int('request-threads', 1, 100_000).optional(),
  oktaCallsPerSecond: int('okta-calls-per-second', 1, 100_000).optional(),
  count: int('count', 1, LOAD_BOUNDS.maxSignIns).default(10_000),
  duration: int('duration (seconds)', 1, LOAD_BOUNDS.maxDurationMs / 1000).default(60),
  timeoutMs: int('timeout-ms', 100, 120_000).default(40_000),
  retransmit: z.coerce.number({ error: 'retransmit must be a number' }).min(0, 'retransmit is a share: 0..1').max(1, 'retransmit is a share: 0..1').default(0.05),
  retransmitAfterMs: int('retransmit-after-ms', 1, 60_000).default(1_000),
  pushAnswerMs: int('push-answer-ms', 0, 60_000).default(2_000),
  oktaPort: int('okta-port', 0, 65_535).default(0),
  oktaToken: z.string().min(16, 'okta-token must be at least 16 characters').optional(),
  namespaceAddress: z.boolean().default(false),
  out: z.string().default('reports/out/load'),
  quiet: z.boolean().default(false),
});

export type LoadOptions = z.output<typeof loadOptionsSchema>;

/** "totp=80,push=10,wrong=10" → weights; CodedError LOAD_BAD_MIX with the allowed kinds otherwise. */
export function parseMix(text: string): Record<SignInKind, number> {
  const mix: Record<SignInKind, number> = { totp: 0, push: 0, wrong: 0 };
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([a-z]+)\s*=\s*(\d+(?:\.\d+)?)$/.exec(part);
    if (!m || !SIGN_IN_KINDS.includes(m[1] as SignInKind)) {
      throw new CodedError('LOAD_BAD_MIX', `'${part}' is not kind=weight with a kind of ${SIGN_IN_KINDS.join(', ')} (e.g. --mix totp=80,push=10,wrong=10)`);
    }
    mix[m[1] as SignInKind] = Number(m[2]);
  }
  if (SIGN_IN_KINDS.every((k) => mix[k] === 0)) throw new CodedError('LOAD_BAD_MIX', `--mix gives no kind a weight: use ${SIGN_IN_KINDS.join(', ')}`);
  return mix;
}

/** Options as commander gives them (strings) → validated; CodedError LOAD_BAD_OPTION listing every problem. */
export function validateLoadOptions(raw: Record<string, unknown>): LoadOptions {
  const r = loadOptionsSchema.safeParse(raw);
  if (!r.success) {
    throw new CodedError('LOAD_BAD_OPTION', `bad load options:\n  - ${r.error.issues.map((i) => `--${String(i.path[0] ?? '?')}: ${i.message}`).join('\n  - ')}`);
  }
  if (r.data.target === 'external' && !r.data.profile) throw new CodedError('LOAD_BAD_OPTION', '--target external needs --profile FILE (host, port, secret of your agent)');
  // Settings of the reference agent the load starts: another target's agent is configured by its owner.
  for (const [key, flag] of [
    ['requestThreads', '--request-threads'],
    ['oktaCallsPerSecond', '--okta-calls-per-second'],
  ] as const) {
    if (r.data[key] !== undefined && !REFERENCE_AGENT_TARGETS.includes(r.data.target)) {
      throw new CodedError(
        'LOAD_BAD_OPTION',
        `${flag} sets the reference agent the load starts (targets ${REFERENCE_AGENT_TARGETS.join(', ')}), not ${r.data.target}: set an agent you run yourself in its own configuration`,
      );
    }
  }
  parseMix(r.data.mix);
  return r.data;
}

function loadavg(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').trim();
  } catch {
    return 'unavailable';
  }
}

export interface LoadRunOutput {
  result: LoadResult;
  oktaCalls: number;
  html: string;
  json: string;
}

export async function loadCommand(raw: Record<string, unknown>, io: { out: (s: string) => void; err: (s: string) => void; tty: boolean } = defaultIo()): Promise<number> {
  let o: LoadOptions;
  let mix: Record<SignInKind, number>;
  try {
    o = validateLoadOptions(raw);
    mix = parseMix(o.mix);
  } catch (e) {
    io.err(`radius-mfa-harness load: ${isCodedError(e) ? `${e.code}: ${e.message}` : String(e)}\n`);
    return 2;
  }
  let lab: Awaited<ReturnType<typeof startLoadLab>> | undefined;
  let driver: TargetDriver | undefined;
  let agent: AgentUnderTest | undefined;
  try {
    const freeradius = o.target === 'freeradius';
    if (freeradius && mix.push > 0) {
      io.err('radius-mfa-harness load: FreeRADIUS knows no Okta: push sign-ins are left out of the mix\n');
      mix = { ...mix, push: 0 };
    }
    lab = await startLoadLab({
      users: freeradius ? 1 : o.users,
      pushAnswerMs: o.pushAnswerMs,
      port: o.oktaPort,
      ...(o.oktaToken ? { token: o.oktaToken } : {}),
    });
    io.err(`radius-mfa-harness load: mock Okta ${lab.url} (${o.users} users ${lab.prefix}N${lab.suffix}); starting ${o.target}\n`);
    driver = await loadTarget(o.target, o.profile ? { profile: o.profile } : {});
    const secret = randomBytes(18).toString('base64url');
    agent = await driver.start({
      okta: { baseUrl: lab.url, apiToken: lab.token, appId: lab.appId },
      mode: 'mfa-only',
      usernameSuffix: lab.suffix,
      clients: [{ name: 'load', address: '127.0.0.1', secret, requireMessageAuthenticator: true }],
      ...(o.requestThreads !== undefined ? { requestThreads: o.requestThreads } : {}),
      ...(o.oktaCallsPerSecond !== undefined ? { oktaCallsPerSecond: o.oktaCallsPerSecond } : {}),
    });
    const scrape = async (): Promise<string | undefined> => (agent?.metrics ? agent.metrics().catch(() => undefined) : undefined);
    const metricsBefore = await scrape();
    const before = loadavg();
    const startedAt = new Date().toISOString();
    const callsBefore = lab.oktaCalls;
    const progress = (p: LoadProgress): void => {
      if (o.quiet) return;
      const line = `[${(p.elapsedMs / 1000).toFixed(0)} s] started ${p.started}, answered ${p.answered} (${p.lastSecond}/s), in flight ${p.inFlight}, lost ${p.lost}`;
      io.err(io.tty ? `\r${line.padEnd(90)}` : `${line}\n`);
    };
    const plan = {
      host: agent.endpoint.host,
      port: agent.endpoint.port,
      secret: agent.secret ?? secret,
      users: o.users,
      prefix: lab.prefix,
      mix,
      rate: o.rate,
      concurrency: o.concurrency,
      maxSignIns: o.count,
      maxDurationMs: o.duration * 1000,
      timeoutMs: o.timeoutMs,
      retransmit: o.retransmit,
      retransmitAfterMs: o.retransmitAfterMs,
      totpSecret: lab.totpSecret,
      now: () => Date.now(),
      allowNamespaceAddress: o.namespaceAddress,
      onProgress: progress,
      ...(freeradius ? { fixedPassword: FREERADIUS_USERS[0]!.password, userNames: FREERADIUS_USERS.map((u) => u.user) } : {}),
    };
    const result = await runSignInLoad(plan);
    if (io.tty && !o.quiet) io.err('\n');
    const oktaCalls = lab.oktaCalls - callsBefore;
    const after = loadavg();
    const metricsAfter = await scrape();
    const account = metricsBefore !== undefined && metricsAfter !== undefined ? agentAccount(metricsBefore, metricsAfter) : undefined;
    const hint = account ? firstToBreak(account, o.requestThreads, o.oktaCallsPerSecond) : undefined;
    const { onProgress: _p, now: _n, totpSecret: _t, secret: _s, ...shownPlan } = plan;
    const meta = {
      target: o.target,
      endpoint: `${plan.host}:${plan.port}`,
      startedAt,
      loadavgBefore: before,
      loadavgAfter: after,
      oktaCalls,
      plan: {
        ...shownPlan,
        ...(o.requestThreads !== undefined ? { requestThreads: o.requestThreads } : {}),
        ...(o.oktaCallsPerSecond !== undefined ? { oktaCallsPerSecond: o.oktaCallsPerSecond } : {}),
      },
      ...(account ? { agent: { ...account, ...(hint ? { firstToBreak: hint } : {}) } } : {}),
    };
    mkdirSync(o.out, { recursive: true });
    writeFileSync(join(o.out, 'load.html'), renderLoadReport(result, meta));
    writeFileSync(join(o.out, 'load.json'), `${JSON.stringify({ ...meta, result }, null, 2)}\n`);
    io.out(summary(result, oktaCalls, before, after, account, hint));
    io.out(`report: ${join(o.out, 'load.html')} (and load.json)\n`);
    return 0;
  } catch (e) {
    io.err(`radius-mfa-harness load: ${isCodedError(e) ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  } finally {
    await agent?.stop().catch(() => {});
    await driver?.close().catch(() => {});
    await lab?.close();
  }
}

export function summary(r: LoadResult, oktaCalls: number, before: string, after: string, account?: AgentAccount, hint?: string): string {
  const kinds = SIGN_IN_KINDS.filter((k) => r.byKind[k].started > 0)
    .map((k) => {
      const f = r.byKind[k];
      return `  ${k.padEnd(5)} started ${f.started}, accepted ${f.accepted}, rejected ${f.rejected}, challenged ${f.challenged}, lost ${f.lost}; p50 ${f.p50} ms, p99 ${f.p99} ms`;
    })
    .join('\n');
  const perSignIn = r.answered > 0 ? (oktaCalls / r.answered).toFixed(2) : '—';
  const list = (xs: Array<{ key: string; count: number }>): string => (xs.length > 0 ? xs.map((x) => `${x.key} ${x.count}`).join(', ') : 'none');
  const agentLines = account
    ? `  the agent's own account (its /metrics): decisions ${list(account.reasons)}; dropped ${list(account.drops)}\n` +
      (hint ? `  first to break: ${hint}\n` : '')
    : '';
  return (
    `load: ${r.started} sign-ins in ${(r.elapsedMs / 1000).toFixed(1)} s (stopped by ${r.stoppedBy}): ${r.answered} answered (${r.answersPerSecond}/s), ${r.lost} lost, ` +
    `${r.retransmitted} retransmitted; latency p50 ${r.p50} ms, p95 ${r.p95} ms, p99 ${r.p99} ms, max ${r.max} ms; Okta calls per sign-in ${perSignIn}\n` +
    `${kinds}\n${agentLines}  loadavg ${before} → ${after}\n`
  );
}

function defaultIo(): { out: (s: string) => void; err: (s: string) => void; tty: boolean } {
  return { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s), tty: process.stderr.isTTY === true };
}
