// Tests that kill mutants StrykerJS found alive in factors.ts, ttl-map.ts and
// request-gate.ts (npm run mutation, MUTATION.md): the edges of pure rules the
// main tests reach only through the engine.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock } from '../../../simulators/clock/virtual-clock.ts';
import type { OktaFactor } from '../okta/types.ts';
import { classify, looksLikePasscode, maskEmail, maskPhone, parseKeyword } from './factors.ts';
import { RequestGate } from './request-gate.ts';
import { TtlMap } from './ttl-map.ts';

const factor = (factorType: string, provider: string | undefined): OktaFactor =>
  ({ id: 'f', factorType, provider, status: 'ACTIVE' }) as OktaFactor;

describe('factors: classify', () => {
  it('a TOTP factor by provider: Okta Verify, Google Authenticator, anything else (or none) a token', () => {
    assert.equal(classify(factor('token:software:totp', 'okta')), 'okta-verify-totp');
    assert.equal(classify(factor('token:software:totp', 'GOOGLE')), 'google-authenticator');
    assert.equal(classify(factor('token:software:totp', 'FORTINET')), 'hardware-token');
    assert.equal(classify(factor('token:software:totp', undefined)), 'hardware-token');
  });

  it('hardware tokens under either type name', () => {
    assert.equal(classify(factor('token:hardware', 'YUBICO')), 'hardware-token');
    assert.equal(classify(factor('token', 'RSA')), 'hardware-token');
  });

  it('push only from Okta, web only from Duo, unknown types not at all', () => {
    assert.equal(classify(factor('push', 'OKTA')), 'okta-verify-push');
    assert.equal(classify(factor('push', 'DUO')), null);
    assert.equal(classify(factor('web', 'DUO')), 'duo');
    assert.equal(classify(factor('web', 'OKTA')), null);
    assert.equal(classify(factor('question', 'OKTA')), null);
    assert.equal(classify(factor('webauthn', 'FIDO')), null);
  });
});

describe('factors: answers', () => {
  it('keywords are whole words, any case, surrounding spaces dropped', () => {
    assert.equal(parseKeyword('  push '), 'PUSH');
    assert.equal(parseKeyword('Sms'), 'SMS');
    assert.equal(parseKeyword('pushy'), null);
  });

  it('a passcode is 4 to 10 digits and nothing else (spaces around allowed)', () => {
    assert.equal(looksLikePasscode(' 123456 '), true);
    assert.equal(looksLikePasscode('1234'), true);
    assert.equal(looksLikePasscode('123'), false);
    assert.equal(looksLikePasscode('x123456'), false);
    assert.equal(looksLikePasscode('123456x'), false);
    assert.equal(looksLikePasscode('12345678901'), false);
  });
});

describe('factors: masked destinations (never the whole number or address)', () => {
  it('phones: NANP numbers as +1 XXX-XXX-last4, others by their last 4, too short as "your phone"', () => {
    assert.equal(maskPhone('+1 (555) 010-1234'), '+1 XXX-XXX-1234');
    assert.equal(maskPhone('+44 20 7946 0958'), 'number ending 0958');
    // 11 digits not starting with 1, and a 1-prefixed number of another length.
    assert.equal(maskPhone('+49 3012345678'), 'number ending 5678');
    assert.equal(maskPhone('1555010123'), 'number ending 0123');
    assert.equal(maskPhone('+7 495 123 4567'), 'number ending 4567');
    assert.equal(maskPhone('1234'), 'number ending 1234');
    assert.equal(maskPhone('123'), 'your phone');
    assert.equal(maskPhone(undefined), 'your phone');
  });

  it('email: first letter and domain; no address or no local part as "your email address"', () => {
    assert.equal(maskEmail('alice@corp.example.com'), 'a***@corp.example.com');
    assert.equal(maskEmail('a@corp.example.com'), 'a***@corp.example.com');
    assert.equal(maskEmail('@corp.example.com'), 'your email address');
    assert.equal(maskEmail('alice'), 'your email address');
    assert.equal(maskEmail(''), 'your email address');
    assert.equal(maskEmail(undefined), 'your email address');
  });
});

describe('TtlMap and RequestGate edges', () => {
  it('delete() removes an entry before it expires', () => {
    const clock = new VirtualClock(0);
    const map = new TtlMap<string>(clock, 10);
    map.set('a', 'x', 1000);
    map.delete('a');
    assert.equal(map.get('a'), undefined);
    assert.equal(map.size, 0);
  });

  it('a full map drops its oldest entries first, down to the limit', () => {
    const clock = new VirtualClock(0);
    const map = new TtlMap<number>(clock, 2);
    for (const [i, k] of ['a', 'b', 'c', 'd'].entries()) map.set(k, i, 1000);
    assert.equal(map.size, 2);
    assert.deepEqual(['a', 'b', 'c', 'd'].map((k) => map.get(k)), [undefined, undefined, 2, 3]);
  });

  it('a limit below zero keeps nothing and still returns (no endless eviction)', () => {
    const map = new TtlMap<number>(new VirtualClock(0), -1);
    map.set('a', 1, 1000);
    assert.equal(map.size, 0);
  });

  it('a gate of one thread is allowed and says its limit; zero is refused with the value', () => {
    const gate = new RequestGate(1);
    assert.equal(gate.limit, 1);
    const release = gate.tryEnter();
    assert.ok(release);
    assert.equal(gate.tryEnter(), undefined);
    release();
    assert.throws(() => new RequestGate(0), /positive integer, got 0/);
  });
});
