import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { generateSync, generateURI, verifySync } from 'otplib';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { GoogleAuthenticator } from './phone.ts';
import { normaliseSecret, parseOtpauthUri, totpCode } from './totp.ts';

const SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'; // "12345678901234567890", RFC 6238's test key

function hasOathtool(): boolean {
  try {
    execFileSync('oathtool', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('codes match RFC 6238 test vectors', () => {
  const p = { secret: SECRET, period: 30, digits: 8 as const, algorithm: 'sha1' as const };
  assert.equal(totpCode(p, 59_000), '94287082');
  assert.equal(totpCode(p, 1_111_111_109_000), '07081804');
  assert.equal(totpCode(p, 1_234_567_890_000), '89005924');
});

test('the app shows what otplib computes for the shared clock, and moves with it', async () => {
  const clock = new VirtualClock();
  const app = new GoogleAuthenticator(clock);
  app.scan({ sharedSecret: SECRET, label: 'bob' });
  const expected = (t: number) => generateSync({ secret: SECRET, epoch: Math.floor(t / 1000) });
  assert.equal(app.currentCode(), expected(clock.now()));
  const before = app.currentCode();
  await clock.advance(30_000);
  assert.equal(app.currentCode(), expected(clock.now()));
  assert.equal(app.previousCode(), before);
  assert.notEqual(app.currentCode(), before);
});

test('previous and next step codes are the neighbouring windows', async () => {
  const clock = new VirtualClock();
  const app = new GoogleAuthenticator(clock);
  app.scan({ sharedSecret: SECRET });
  const prev = app.previousCode();
  const next = app.nextCode();
  await clock.advance(30_000);
  assert.equal(app.currentCode(), next);
  const res = verifySync({ secret: SECRET, token: prev, epoch: Math.floor(clock.now() / 1000), epochTolerance: 30 });
  assert.equal(res.valid, false, 'two steps back is outside a ±1 window');
  assert.ok(app.secondsRemaining() > 0 && app.secondsRemaining() <= 30);
});

test('an independent tool (oathtool) agrees for an Okta-length secret', { skip: !hasOathtool() && 'oathtool not installed' }, () => {
  const clock = new VirtualClock(Date.UTC(2026, 2, 1, 12, 0, 7));
  const app = new GoogleAuthenticator(clock);
  const secret = 'JBSWY3DPEHPK3PXP'; // 10 bytes, as Okta hands out
  app.scan({ sharedSecret: secret });
  const at = new Date(clock.now()).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  const out = execFileSync('oathtool', ['--totp', '-b', `--now=${at}`, secret], { encoding: 'utf8' }).trim();
  assert.equal(app.currentCode(), out);
});

test('scanning an otpauth URI reads issuer, label and parameters', () => {
  const uri = generateURI({ issuer: 'CORP Okta', label: 'alice@corp.example', secret: SECRET });
  const a = parseOtpauthUri(uri);
  assert.equal(a.issuer, 'CORP Okta');
  assert.equal(a.label, 'alice@corp.example');
  assert.equal(a.secret, SECRET);
  assert.deepEqual([a.period, a.digits, a.algorithm], [30, 6, 'sha1']);
  const clock = new VirtualClock();
  const app = new GoogleAuthenticator(clock);
  const view = app.scan(uri);
  assert.equal(view.label, 'alice@corp.example');
  assert.equal(app.currentCode('alice@corp.example'), generateSync({ secret: SECRET, epoch: clock.now() / 1000 }));
});

test('a bad URI is refused with a code and without echoing the secret', () => {
  for (const uri of ['not a uri', 'https://x/?secret=ABC', `otpauth://hotp/x?secret=${SECRET}`, 'otpauth://totp/x']) {
    assert.throws(
      () => parseOtpauthUri(uri),
      (e: unknown) => (e as { code: string }).code === 'DEVICE_BAD_OTPAUTH_URI' && !(e as Error).message.includes(SECRET),
    );
  }
  assert.throws(() => normaliseSecret('abc'), { code: 'DEVICE_BAD_SECRET' });
  assert.equal(normaliseSecret('jbsw y3dp ehpk 3pxp'), 'JBSWY3DPEHPK3PXP');
});

test('asking for a code before scanning says what to do', () => {
  const app = new GoogleAuthenticator(new VirtualClock());
  assert.throws(() => app.currentCode(), { code: 'DEVICE_NO_ACCOUNT' });
  app.scan({ sharedSecret: SECRET, label: 'a' });
  assert.throws(() => app.currentCode('zzz'), { code: 'DEVICE_NO_ACCOUNT' });
});
