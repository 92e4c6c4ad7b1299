/**
 * `npm run soak [-- --minutes 10 --rate 8 --per-pool 40]` — not in CI.
 *
 * Mixed sign-ins of every kind (soak/rig.ts KINDS) at a steady rate against
 * the agent as a process, with the served lab. Every 30 s: requests, wrong
 * answers, lost, the agent's RSS. At the end: the RSS slope over the second
 * half (least squares, KiB per minute) and the load average. Exits 1 if any
 * answer was wrong or lost (or the agent died).
 */
import { loadavg } from 'node:os';
import { Command, InvalidArgumentError } from 'commander';
import { KINDS, type Kind, liveHeapBytes, rssKiB, type SignInOutcome, signIn, slope, startRig, takeUser } from './rig.ts';

const positive = (what: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${what} must be a positive number`);
  return n;
};
const opts = new Command()
  .name('soak')
  .option('--minutes <n>', 'how long', positive('--minutes'), 10)
  .option('--rate <n>', 'sign-ins started per second', positive('--rate'), 8)
  .option('--per-pool <n>', 'users per kind of sign-in (TOTP steps and the SMS throttle need a 31-s gap per user)', positive('--per-pool'), 40)
  .option('--report-seconds <n>', 'seconds between report lines', positive('--report-seconds'), 30)
  .parse()
  .opts<{ minutes: number; rate: number; perPool: number; reportSeconds: number }>();

const DEADLINE_MS = 25_000; // the agent's total time-out is 20 s: past 25 s a request is lost
const MAX_IN_FLIGHT = 500;

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const log = (s: string) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${s}`);

log(`starting the served lab (${opts.perPool} users per kind) and the agent; load ${load()}`);
// The inspector on loopback lets the soak ask for a full GC and the live heap (liveHeapBytes).
// 100 request threads, not Okta's 15: the soak is about answers and memory over time on a shared
// machine, not the thread limit (chaos runs with 15 and counts "Request queue is full").
const rig = await startRig({ perPool: opts.perPool, nodeArgs: ['--inspect=127.0.0.1:0'], requestThreads: 100 });
let agentExited: string | undefined;
rig.agent.on('exit', (code, signal) => {
  agentExited = `the agent exited (${signal ?? `code ${code}`}) during the soak`;
});
const pid = rig.agent.pid;
log(`agent pid ${pid}, ports ${rig.ports.mfa} (mfa-only) and ${rig.ports.password} (password-passcode); RSS ${rssKiB(pid)} KiB`);

const totals = { signIns: 0, requests: 0, wrong: 0, lost: 0, skipped: 0 };
const perKind = new Map<Kind, { n: number; wrong: number; lost: number; ms: number }>(KINDS.map((k) => [k, { n: 0, wrong: 0, lost: 0, ms: 0 }]));
const failures: string[] = [];
const samples: Array<[number, number]> = [];
let inFlight = 0;

const record = (o: SignInOutcome) => {
  totals.signIns++;
  totals.requests += o.requests;
  const k = perKind.get(o.kind)!;
  k.n++;
  k.ms += o.ms;
  if (o.lost) {
    totals.lost++;
    k.lost++;
  } else if (!o.ok) {
    totals.wrong++;
    k.wrong++;
  }
  if (!o.ok && failures.length < 50) failures.push(`${o.kind}: ${o.detail}`);
};

const started = Date.now();
const endAt = started + opts.minutes * 60_000;
const interval = 1000 / opts.rate;
let next = started;
let tick = 0;
let nextReport = started + opts.reportSeconds * 1000;
const running = new Set<Promise<void>>();

// Live heap after a full GC at every fifth of the run: the level RSS should settle at (five forced GCs, no more).
const heapAt = [0.2, 0.4, 0.6, 0.8];
const heap: Array<[number, number]> = [];
const measureHeap = async () => {
  const t = (Date.now() - started) / 1000;
  const bytes = await liveHeapBytes(rig.inspectorUrl);
  if (bytes !== undefined) {
    heap.push([t, bytes]);
    log(`t=${t.toFixed(0)}s agent live heap after a full GC: ${(bytes / 1048576).toFixed(1)} MiB`);
  }
};
const heapJobs: Promise<void>[] = [];

const report = () => {
  const rss = rssKiB(pid);
  const t = (Date.now() - started) / 1000;
  if (rss !== undefined) samples.push([t, rss]);
  log(
    `t=${t.toFixed(0)}s requests=${totals.requests} sign-ins=${totals.signIns} wrong=${totals.wrong} lost=${totals.lost} in-flight=${inFlight} skipped=${totals.skipped} agentRSS=${rss ?? '?'}KiB load=${load()}`,
  );
};
report();

while (Date.now() < endAt && !agentExited) {
  const now = Date.now();
  if (now >= nextReport) {
    report();
    nextReport += opts.reportSeconds * 1000;
  }
  if (heapAt.length > 0 && now - started >= heapAt[0]! * opts.minutes * 60_000) {
    heapAt.shift();
    heapJobs.push(measureHeap());
  }
  if (now < next) {
    await new Promise((r) => setTimeout(r, Math.min(next - now, 50)));
    continue;
  }
  next += interval;
  const kind = KINDS[tick++ % KINDS.length]!;
  const user = inFlight < MAX_IN_FLIGHT ? takeUser(rig, kind) : undefined;
  if (!user) {
    totals.skipped++;
    continue;
  }
  inFlight++;
  const p: Promise<void> = signIn(rig, kind, user, DEADLINE_MS)
    .then(record, (e: unknown) => record({ kind, requests: 0, ok: false, lost: false, detail: `the soak's own error: ${(e as Error).message}`, ms: 0 }))
    .finally(() => {
      inFlight--;
      running.delete(p);
    });
  running.add(p);
}
log(`stopped starting sign-ins; waiting for ${running.size} in flight`);
await Promise.all(running);
report();
await Promise.all(heapJobs);
await measureHeap();

const half = (Date.now() - started) / 2000;
const secondHalf = samples.filter(([t]) => t >= half);
const slopePerMin = slope(secondHalf) * 60;
const firstRss = samples[0]?.[1];
const lastRss = samples[samples.length - 1]?.[1];
console.log(`\nsoak summary (${opts.minutes} min at ${opts.rate}/s, ${opts.perPool} users per kind)`);
console.log(`  sign-ins ${totals.signIns}, requests ${totals.requests}, wrong ${totals.wrong}, lost ${totals.lost}, skipped (no free user) ${totals.skipped}`);
for (const [k, v] of perKind) console.log(`  ${k.padEnd(22)} ${String(v.n).padStart(6)}  wrong ${v.wrong}  lost ${v.lost}  mean ${v.n ? (v.ms / v.n).toFixed(0) : '-'} ms`);
console.log(`  agent RSS: first ${firstRss} KiB, last ${lastRss} KiB, slope over the second half ${slopePerMin.toFixed(1)} KiB/min (${secondHalf.length} samples)`);
console.log(`  agent live heap after a full GC: ${heap.map(([t, b]) => `${(b / 1048576).toFixed(1)} MiB at ${t.toFixed(0)} s`).join(', ') || 'not measured'}`);
const heapHalf = heap.filter(([t]) => t >= half);
console.log(`  live heap slope over the second half: ${((slope(heapHalf) * 60) / 1024).toFixed(1)} KiB/min (${heapHalf.length} points)`);
console.log(`  load average at the end: ${load()}`);
if (rig.agentNotes.length > 0) console.log(`  agent warnings/errors (${rig.agentNotes.length}, first 5):\n    ${rig.agentNotes.slice(0, 5).join('\n    ')}`);
if (failures.length > 0) console.log(`  failures (first ${failures.length}):\n    ${failures.join('\n    ')}`);
if (agentExited) console.log(`  ${agentExited}`);
const failed = totals.wrong > 0 || totals.lost > 0 || agentExited !== undefined || totals.signIns === 0;
rig.agent.removeAllListeners('exit');
await rig.stop();
console.log(failed ? 'soak: FAILED' : 'soak: passed (0 wrong, 0 lost)');
process.exit(failed ? 1 : 0);
