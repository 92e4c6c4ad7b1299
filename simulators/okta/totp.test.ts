/**
 * The org's TOTP check (node:crypto HMAC-SHA1, totp.ts) against otplib's
 * `verifySync` — the reference it replaced on the verify path — over
 * generated secrets, times, codes and used steps: the same accept / replay /
 * refuse and the same step, including the ±1-step window, step 0 and secrets
 * otplib refuses (too short, too long: over 64 bytes, not base32). Plus RFC 6238's vectors.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createGuardrails, generateSync, ScureBase32Plugin, verifySync } from 'otplib';
import { checkTotp, type TotpCheck, TOTP_PERIOD_S, TOTP_WINDOW_STEPS, totpAt, useTotpStep } from './totp.ts';

const GUARDRAILS = createGuardrails({ MIN_SECRET_BYTES: 10 });
const BASE32 = new ScureBase32Plugin();

/** The check as it was written on otplib (simulators/okta/totp.ts before issue 13's cut). */
function reference(secret: string, code: string, atMs: number, usedSteps: ReadonlySet<number>): TotpCheck {
  if (!/^\d{6}$/.test(code)) return { ok: false, reason: 'INVALID' };
  let result: ReturnType<typeof verifySync>;
  try {
    result = verifySync({
      secret,
      token: code,
      epoch: Math.floor(atMs / 1000),
      period: TOTP_PERIOD_S,
      epochTolerance: TOTP_PERIOD_S * TOTP_WINDOW_STEPS,
      guardrails: GUARDRAILS,
    });
  } catch {
    return { ok: false, reason: 'INVALID' };
  }
  if (!result.valid || !('timeStep' in result)) return { ok: false, reason: 'INVALID' };
  if (usedSteps.has(result.timeStep)) return { ok: false, reason: 'REPLAYED' };
  return { ok: true, step: result.timeStep };
}

/** otplib's code for a step (the devices' side). */
function codeAtStep(secret: string, step: number): string {
  return generateSync({ secret, epoch: step * TOTP_PERIOD_S, period: TOTP_PERIOD_S, guardrails: GUARDRAILS });
}

const validSecret = fc.uint8Array({ minLength: 10, maxLength: 80 }).map((b) => BASE32.encode(b));
const secretArb = fc.oneof(
  { weight: 6, arbitrary: validSecret },
  { weight: 1, arbitrary: validSecret.map((s) => s.toLowerCase()) },
  // Too short for the guardrail, not base32, empty, padded.
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 9 }).map((b) => BASE32.encode(b)) },
  { weight: 1, arbitrary: fc.constantFrom('', 'JBSWY3DP 1!', 'JBSWY3DPEHPK3PXP====', '0189', 'JBSWY3DPEHPK3PX8') },
);
const timeArb = fc.oneof(
  fc.integer({ min: 0, max: 2 ** 41 }),
  fc.integer({ min: 0, max: 120_000 }),
  // Around a step boundary.
  fc.tuple(fc.integer({ min: 0, max: 2 ** 30 }), fc.integer({ min: -1_500, max: 1_500 })).map(([k, d]) => Math.max(0, k * 30_000 + d)),
);

describe('checkTotp (node:crypto) agrees with otplib verifySync', () => {
  it('over generated secrets, times, codes (the window ±2 steps, random, malformed) and used steps', () => {
    fc.assert(
      fc.property(
        secretArb,
        timeArb,
        fc.oneof(fc.integer({ min: -2, max: 2 }), fc.stringMatching(/^\d{6}$/), fc.constantFrom('12345', '1234567', 'abcdef', ' 12345', '')),
        fc.array(fc.integer({ min: -2, max: 2 }), { maxLength: 3 }),
        (secret, atMs, codeOrOffset, usedOffsets) => {
          const step = Math.floor(Math.floor(atMs / 1000) / TOTP_PERIOD_S);
          let code = typeof codeOrOffset === 'string' ? codeOrOffset : '000000';
          if (typeof codeOrOffset === 'number') {
            try {
              code = codeAtStep(secret, Math.max(0, step + codeOrOffset));
            } catch {
              // otplib refuses the secret: any code
            }
          }
          const used = new Set(usedOffsets.map((o) => step + o));
          assert.deepEqual(checkTotp(secret, code, atMs, used), reference(secret, code, atMs, used), `${secret} ${atMs} ${code}`);
        },
      ),
      { numRuns: 3_000 },
    );
  });

  it('over 3,000 consecutive steps of one secret: the codes of the step before, the step and the step after are accepted at that step', () => {
    const secret = BASE32.encode(new Uint8Array(Array.from({ length: 20 }, (_, i) => i * 13 + 1)));
    const start = Math.floor(1_767_225_600 / TOTP_PERIOD_S);
    for (let step = start; step < start + 3_000; step++) {
      const atMs = step * TOTP_PERIOD_S * 1000 + ((step * 7_919) % 30_000);
      for (const offset of [-2, -1, 0, 1, 2]) {
        const code = codeAtStep(secret, step + offset);
        const got = checkTotp(secret, code, atMs, new Set());
        assert.deepEqual(got, reference(secret, code, atMs, new Set()), `step ${step} offset ${offset}`);
        // A code may recur at a nearby step (1 in 10^6), so outside the window only the reference decides.
        if (Math.abs(offset) <= TOTP_WINDOW_STEPS) assert.equal(got.ok, true, `step ${step} offset ${offset}`);
      }
    }
  });

  it('RFC 6238 appendix B (SHA-1; the last six of its eight digits)', () => {
    const secret = BASE32.encode(new TextEncoder().encode('12345678901234567890'));
    for (const [t, code] of [
      [59, '287082'],
      [1_111_111_109, '081804'],
      [1_111_111_111, '050471'],
      [1_234_567_890, '005924'],
      [2_000_000_000, '279037'],
      [20_000_000_000, '353130'],
    ] as const) {
      const got = checkTotp(secret, code, t * 1000, new Set());
      assert.equal(got.ok, true, `t=${t}`);
      // The match is the vector's own step (no neighbouring step shares these codes).
      assert.equal(got.ok && got.step, Math.floor(t / 30), `t=${t}`);
      assert.equal(totpAt(secret, t * 1000), code, `otplib at t=${t}`);
    }
  });

  it('a replayed step is REPLAYED, a wrong code INVALID, a refused secret INVALID', () => {
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const at = 1_800_000_000_000;
    const code = totpAt(secret, at);
    const r = checkTotp(secret, code, at, new Set());
    assert.equal(r.ok, true);
    assert.deepEqual(checkTotp(secret, code, at, new Set([r.ok ? r.step : -1])), { ok: false, reason: 'REPLAYED' });
    assert.equal(checkTotp(secret, code === '000000' ? '111111' : '000000', at, new Set()).ok, false);
    assert.deepEqual(checkTotp('JBSWY3DP', code, at, new Set()), { ok: false, reason: 'INVALID' }, 'five bytes: under the guardrail');
  });

  it('a factor signing in every step remembers only the steps still in the window, and a replay in the window stays REPLAYED', () => {
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const used = new Set<number>();
    const start = 1_800_000_000_000;
    for (let i = 0; i < 200; i++) {
      const at = start + i * 30_000;
      const code = totpAt(secret, at);
      const r = checkTotp(secret, code, at, used);
      assert.equal(r.ok, true, `step ${i}`);
      if (r.ok) useTotpStep(used, r.step, at);
      assert.deepEqual(checkTotp(secret, code, at + 29_000, used), { ok: false, reason: 'REPLAYED' });
      // The previous step's code, still inside the window, was used too.
      if (i > 0) assert.deepEqual(checkTotp(secret, totpAt(secret, at - 30_000), at, used), { ok: false, reason: 'REPLAYED' });
      assert.ok(used.size <= 2 * TOTP_WINDOW_STEPS + 1, `remembers ${used.size} steps`);
    }
  });
});
