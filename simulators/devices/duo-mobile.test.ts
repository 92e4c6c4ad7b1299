import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateSync } from 'otplib';
import { DuoMobile, DuoPasscodeVerifier } from './duo-mobile.ts';

const SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

test('Duo Mobile shows RFC 4226 HOTP passcodes and a new one on tap', () => {
  const app = new DuoMobile();
  app.activate({ secret: SECRET, label: 'carol' });
  assert.equal(app.currentPasscode(), '755224');
  assert.equal(app.currentPasscode(), '755224', 'stays until the user taps');
  assert.equal(app.nextPasscode(), '287082');
  assert.equal(app.currentPasscode(), generateSync({ secret: SECRET, strategy: 'hotp', counter: 1 }));
});

test('the verifier accepts the shown passcode once, then refuses it as replayed', () => {
  const app = new DuoMobile();
  app.activate({ secret: SECRET });
  const v = new DuoPasscodeVerifier(SECRET);
  const code = app.currentPasscode();
  assert.deepEqual(v.check(code), { valid: true });
  assert.deepEqual(v.check(code), { valid: false, reason: 'REPLAYED' });
  assert.deepEqual(v.check('000000'), { valid: false, reason: 'INVALID' });
  assert.deepEqual(v.check('12ab'), { valid: false, reason: 'INVALID' });
});

test('a passcode a few taps ahead is accepted, one beyond the look-ahead is not', () => {
  const app = new DuoMobile();
  app.activate({ secret: SECRET });
  const v = new DuoPasscodeVerifier(SECRET, { lookAhead: 3 });
  app.nextPasscode();
  app.nextPasscode();
  assert.equal(v.check(app.currentPasscode()).valid, true, 'counter 2 within [0,3)');
  for (let i = 0; i < 4; i++) app.nextPasscode();
  assert.equal(v.check(app.currentPasscode()).valid, false, 'counter 6 outside [3,6)');
  const checker = v.checker();
  app.activate({ secret: SECRET, counter: 4 });
  assert.equal(checker(app.currentPasscode(), 0), true);
});

test('an app that is not activated says so', () => {
  assert.throws(() => new DuoMobile().currentPasscode(), { code: 'DEVICE_NOT_ACTIVATED' });
});
