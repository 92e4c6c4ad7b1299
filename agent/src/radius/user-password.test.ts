import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { hideUserPassword, unhideUserPassword } from './user-password.ts';

const auth = Buffer.from('0f403f9473978057bd83d5cb98f4227a', 'hex');

describe('User-Password hiding (RFC 2865 §5.2)', () => {
  it('matches the RFC 2865 §7.1 example', () => {
    assert.equal(hideUserPassword('arctangent', 'xyzzy5461', auth).toString('hex'), '0dbe708d93d413ce3196e43f782a0aee');
  });

  it('round-trips every length 0..128 with the right padded size', () => {
    for (let n = 0; n <= 128; n++) {
      // Non-zero octets: trailing NULs are padding by definition and cannot survive.
      const pw = Buffer.alloc(n, 0x61 + (n % 26));
      const hidden = hideUserPassword(pw, 'secret', auth);
      assert.equal(hidden.length, Math.max(16, Math.ceil(n / 16) * 16), `length for ${n}`);
      assert.deepEqual(unhideUserPassword(hidden, 'secret', auth), pw, `round trip for ${n}`);
    }
  });

  it('an empty password is 16 hidden octets and comes back empty', () => {
    const hidden = hideUserPassword('', 'secret', auth);
    assert.equal(hidden.length, 16);
    assert.equal(unhideUserPassword(hidden, 'secret', auth).length, 0);
  });

  it('refuses 129 octets with a coded error', () => {
    assert.throws(() => hideUserPassword('x'.repeat(129), 'secret', auth), { code: 'RADIUS_USER_PASSWORD_TOO_LONG' });
  });

  it('refuses hidden values that are empty, not a multiple of 16, or over 128', () => {
    for (const n of [0, 1, 15, 17, 144]) {
      assert.throws(() => unhideUserPassword(new Uint8Array(n), 'secret', auth), { code: 'RADIUS_BAD_USER_PASSWORD_LENGTH' }, `n=${n}`);
    }
  });

  it('keeps NUL octets inside a password (only trailing padding is removed)', () => {
    const pw = Buffer.from([0x41, 0x00, 0x42]);
    assert.deepEqual(unhideUserPassword(hideUserPassword(pw, 's', auth), 's', auth), pw);
  });

  it('a wrong secret yields something else (it cannot be detected here)', () => {
    const hidden = hideUserPassword('123456', 'right', auth);
    assert.notEqual(unhideUserPassword(hidden, 'wrong', auth).toString('latin1'), '123456');
  });

  it('property: random passwords, secrets and authenticators round-trip', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 128 }).filter((p) => p.length === 0 || p[p.length - 1] !== 0),
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        (pw, secret) => {
          const a = randomBytes(16);
          assert.deepEqual(Buffer.from(unhideUserPassword(hideUserPassword(pw, secret, a), secret, a)), Buffer.from(pw));
        },
      ),
      { numRuns: 300 },
    );
  });
});
