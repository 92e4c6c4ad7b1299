// Plain JS on purpose (see node-check.js): runs before any TypeScript is loaded.
//
// V8 heap flags for the agent process; both can only be given when V8 starts, so the
// launcher re-executes itself once with them (process.execve: the same process id, the
// same file descriptors), unless the operator already set them or opts out.
//
// 1. A smaller young generation. Node 24 lets each of the two semi-spaces grow to 32 MiB
//    on 64-bit; with thousands of requests pending, the young generation and the
//    old-space garbage it promotes are a large part of the agent's RSS. bench/pushes.ts,
//    10,000 pushes pending, back to back at load 3.3–4.6 (2026-12-04): 439 MiB peak RSS
//    with V8's sizing, 394 MiB with 8-MiB semi-spaces. Smaller costs CPU on the MFA path
//    (bench/mfa.ts, agent CPU per sign-in: 0.254 / 0.257 ms with V8's sizing, 0.271 ms
//    with 8 MiB, 0.308 / 0.331 ms with 2 MiB, load 3.6–7), so 8 MiB is the default.
//    RADIUS_MFA_AGENT_SEMI_SPACE_MB: 1–64 (default 8); 0 leaves V8's own sizing. A
//    --max-semi-space-size in NODE_OPTIONS or on node's command line wins.
//
// 2. A slower-growing old space. After a full collection V8 lets the old space grow to up
//    to 4× what survived before it collects again; a pending push's short-lived state is
//    promoted (it lives the seconds between two polls) and then dies there, so with
//    10,000 pending the heap grew to ~300 MiB without one full collection in the run
//    (--trace-gc, 2026-12-04). --heap-growing-percent=20 starts the next full collection
//    once the old space is 20 % above what survived the last: a soft trigger, not a
//    ceiling (unlike --max-old-space-size, the heap still grows as far as the live data
//    needs). bench/pushes.ts at load 0.4–1 (2026-12-04): 371–380 MiB peak RSS with V8's
//    growth, 236 MiB (twice) with 20 %; bench/mfa.ts agent CPU per sign-in 0.201 / 0.210 ms
//    either way (the MFA path's live heap is small, its full collections cheap).
//    RADIUS_MFA_AGENT_HEAP_GROWTH_PERCENT: 1–100 (default 20); 0 leaves V8's own. A
//    --heap-growing-percent on node's command line wins (NODE_OPTIONS cannot carry it).

const SEMI_FLAG = '--max-semi-space-size';
const SEMI_ENV = 'RADIUS_MFA_AGENT_SEMI_SPACE_MB';
export const DEFAULT_SEMI_SPACE_MB = 8;
const GROWTH_FLAG = '--heap-growing-percent';
const GROWTH_ENV = 'RADIUS_MFA_AGENT_HEAP_GROWTH_PERCENT';
export const DEFAULT_HEAP_GROWTH_PERCENT = 20;

/** A whole number from `min` to `max` in `env[name]`, its default when unset, undefined for 0; exits 2 on a bad setting. */
function setting(env, name, min, max, fallback, unit, zeroMeans) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > max || (n > 0 && n < min)) {
    process.stderr.write(`${name} must be a whole number ${unit} from ${min} to ${max}, or 0 for ${zeroMeans} (default ${fallback}); it is '${raw}'.\n`);
    process.exit(2);
  }
  return n === 0 ? undefined : n;
}

/** The semi-space size to start with, or undefined to leave V8's; exits 2 on a bad setting. */
export function semiSpaceMb(env = process.env) {
  return setting(env, SEMI_ENV, 1, 64, DEFAULT_SEMI_SPACE_MB, 'of MiB', "V8's own sizing");
}

/** The old space's growth trigger in per cent, or undefined to leave V8's; exits 2 on a bad setting. */
export function heapGrowthPercent(env = process.env) {
  return setting(env, GROWTH_ENV, 1, 100, DEFAULT_HEAP_GROWTH_PERCENT, 'of per cent', "V8's own growth");
}

/** The flags the agent should start with and does not have yet. */
export function missingHeapFlags(env = process.env, execArgv = process.execArgv) {
  const flags = [];
  const mb = semiSpaceMb(env);
  if (mb !== undefined && !execArgv.some((a) => a.startsWith(SEMI_FLAG)) && !(env.NODE_OPTIONS ?? '').includes(SEMI_FLAG)) {
    flags.push(`${SEMI_FLAG}=${mb}`);
  }
  const growth = heapGrowthPercent(env);
  if (growth !== undefined && !execArgv.some((a) => a.startsWith(GROWTH_FLAG) || a.startsWith('--heap_growing_percent'))) {
    flags.push(`${GROWTH_FLAG}=${growth}`);
  }
  return flags;
}

/** Re-executes this process with the heap flags it lacks (once: the new process has them), where execve exists. */
export function startWithAgentHeapFlags() {
  const flags = missingHeapFlags();
  if (flags.length === 0) return;
  if (typeof process.execve !== 'function' || process.platform === 'win32') return;
  process.execve(process.execPath, [process.execPath, ...flags, ...process.execArgv, ...process.argv.slice(1)], process.env);
}
