// Plain JS on purpose (see node-check.js): runs before any TypeScript is loaded.
//
// V8's young generation for the agent process. Node 24 lets each of the two semi-spaces
// grow to 32 MiB on 64-bit; with thousands of requests pending, the young generation and
// the old-space garbage it promotes are a large part of the agent's RSS. bench/pushes.ts,
// 10,000 pushes pending, back to back at load 3.3–4.6 (2026-12-04): 439 MiB peak RSS
// with V8's sizing, 394 MiB with 8-MiB semi-spaces; single runs at other loads: 453
// (V8's), 341–393 (8 MiB), 345 (2 MiB). Smaller costs CPU on the MFA path (bench/mfa.ts,
// agent CPU per sign-in: 0.254 / 0.257 ms with V8's sizing, 0.271 ms with 8 MiB,
// 0.308 / 0.331 ms with 2 MiB, load 3.6–7), so 8 MiB is the default: ~45 MiB back at
// 10,000 pending for ~6 % CPU. The flag can only be given when V8
// starts, so the launcher re-executes itself once with it (process.execve: the same
// process id, the same file descriptors), unless the operator already set it or opts out.
//
// RADIUS_MFA_AGENT_SEMI_SPACE_MB: the semi-space size in MiB, 1–64 (default 8); 0 leaves
// V8's own sizing. A --max-semi-space-size in NODE_OPTIONS or on node's command line wins.

const FLAG = '--max-semi-space-size';
const ENV = 'RADIUS_MFA_AGENT_SEMI_SPACE_MB';
export const DEFAULT_SEMI_SPACE_MB = 8;

/** The semi-space size to start with, or undefined to leave V8's; exits 2 on a bad setting. */
export function semiSpaceMb(env = process.env) {
  const raw = env[ENV];
  if (raw === undefined || raw === '') return DEFAULT_SEMI_SPACE_MB;
  const mb = Number(raw);
  if (!Number.isInteger(mb) || mb < 0 || mb > 64) {
    process.stderr.write(`${ENV} must be a whole number of MiB from 1 to 64, or 0 for V8's own sizing (default ${DEFAULT_SEMI_SPACE_MB}); it is '${raw}'.\n`);
    process.exit(2);
  }
  return mb === 0 ? undefined : mb;
}

/** Re-executes this process with the semi-space flag when it is not set yet (and execve exists). */
export function startWithSmallYoungGeneration() {
  const mb = semiSpaceMb();
  if (mb === undefined) return;
  if (process.execArgv.some((a) => a.startsWith(FLAG)) || (process.env.NODE_OPTIONS ?? '').includes(FLAG)) return;
  if (typeof process.execve !== 'function' || process.platform === 'win32') return;
  process.execve(process.execPath, [process.execPath, `${FLAG}=${mb}`, ...process.execArgv, ...process.argv.slice(1)], process.env);
}
