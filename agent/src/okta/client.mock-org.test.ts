/**
 * The Okta client against the lab's mock org (same msw handlers as the HTTP
 * server, reached through oktaFetch, on a VirtualClock).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock } from '../../../simulators/clock/virtual-clock.ts';
import { RecordingDelivery } from '../../../simulators/okta/delivery.ts';
import { OktaOrg } from '../../../simulators/okta/org.ts';
import { oktaFetch } from '../../../simulators/okta/serve.ts';
import { totpAt } from '../../../simulators/okta/totp.ts';
import { isCodedError } from '../errors.ts';
import { OktaClient } from './client.ts';

function lab() {
  const clock = new VirtualClock();
  const delivery = new RecordingDelivery();
  const org = new OktaOrg({ clock, delivery, seed: 5 });
  const token = org.createApiToken();
  const user = org.createUser({ profile: { login: 'erin@example.com', email: 'erin@example.com' }, password: 'Erin-pw-1' });
  const app = org.createApp({ label: 'RADIUS' });
  org.assignUserToApp(app.id, user.id);
  const c = new OktaClient({ orgUrl: org.orgUrl, apiToken: token, clock, fetch: oktaFetch(org), retryBackoffMs: 100, pushPollIntervalMs: 1_000 });
  return { clock, delivery, org, token, user, app, c };
}

describe('OktaClient against the mock org', () => {
  it('reads the user, the assignment and the factors', async () => {
    const { c, user, app, org } = lab();
    org.enrollFactor(user.id, { factorType: 'token:software:totp', provider: 'GOOGLE', activate: true });
    const u = await c.getUser('erin@example.com');
    assert.equal(u?.id, user.id);
    assert.equal(u?.status, 'ACTIVE');
    assert.equal(await c.getUser('nobody@example.com'), null);
    assert.equal(await c.isAssignedToApp(app.id, user.id), true);
    const other = org.createUser({ profile: { login: 'x@example.com' }, password: 'pw' });
    assert.equal(await c.isAssignedToApp(app.id, other.id), false);
    const factors = await c.listFactors(user.id);
    assert.deepEqual(
      factors.map((f) => [f.factorType, f.provider, f.status]),
      [['token:software:totp', 'GOOGLE', 'ACTIVE']],
    );
    assert.equal(typeof factors[0]?.created, 'string');
  });

  it('verifies a TOTP code; a wrong or replayed code is INVALID', async () => {
    const { c, user, org, clock } = lab();
    const f = org.enrollFactor(user.id, { factorType: 'token:software:totp', provider: 'OKTA', activate: true });
    const code = totpAt(f.activation!.sharedSecret, clock.now());
    assert.equal((await c.verifyPasscode(user.id, f.factor.id, '000000')).outcome, 'INVALID');
    assert.equal((await c.verifyPasscode(user.id, f.factor.id, code)).outcome, 'SUCCESS');
    assert.equal((await c.verifyPasscode(user.id, f.factor.id, code)).outcome, 'INVALID', 'replay');
  });

  it('SMS: challenge sends a code that then verifies', async () => {
    const { c, user, org, delivery } = lab();
    const f = org.enrollFactor(user.id, { factorType: 'sms', phoneNumber: '+15555550100', activate: true });
    const ch = await c.challenge(user.id, f.factor.id);
    assert.equal(ch.outcome, 'CHALLENGE');
    assert.ok(ch.expiresAt);
    const sms = delivery.codes.at(-1)!;
    assert.equal((await c.verifyPasscode(user.id, f.factor.id, sms.code)).outcome, 'SUCCESS');
  });

  it('SMS asked for again within 30 s is TOO_SOON (429 E0000109), in one call and without retries', async () => {
    const { c, user, org, delivery, clock } = lab();
    const f = org.enrollFactor(user.id, { factorType: 'sms', phoneNumber: '+15555550100', activate: true });
    assert.equal((await c.challenge(user.id, f.factor.id)).outcome, 'CHALLENGE');
    const sent = delivery.codes.length;
    await clock.advance(10_000);
    assert.equal((await c.challenge(user.id, f.factor.id)).outcome, 'TOO_SOON');
    assert.equal(delivery.codes.length, sent, 'no second code');
    await clock.advance(25_000);
    assert.equal((await c.challenge(user.id, f.factor.id)).outcome, 'CHALLENGE');
  });

  it('push: approved, denied, and left unanswered past the push timeout', async () => {
    const { c, user, org, delivery, clock } = lab();
    const f = org.enrollFactor(user.id, { factorType: 'push', provider: 'OKTA', activate: true });
    const settle = () => new Promise((r) => setImmediate(r));

    let p = c.verifyPush(user.id, f.factor.id, 30_000);
    await settle();
    org.answerPush(delivery.pushes.at(-1)!.transactionId, 'APPROVE');
    await clock.advance(1_000);
    assert.equal((await p).outcome, 'SUCCESS');

    p = c.verifyPush(user.id, f.factor.id, 30_000);
    await settle();
    org.answerPush(delivery.pushes.at(-1)!.transactionId, 'REJECT');
    await clock.advance(1_000);
    assert.equal((await p).outcome, 'REJECTED');

    p = c.verifyPush(user.id, f.factor.id, 5_000);
    for (let i = 0; i < 6; i++) await clock.advance(1_000);
    assert.equal((await p).outcome, 'TIMEOUT');
  });

  it('Duo passcode (the mock extension): verify with passCode', async () => {
    const { c, user, org } = lab();
    const f = org.enrollFactor(user.id, { factorType: 'web', provider: 'DUO', duoPasscodeChecker: (p) => p === '1357913' });
    assert.equal((await c.verifyPasscode(user.id, f.factor.id, '1357913')).outcome, 'SUCCESS');
    assert.equal((await c.verifyPasscode(user.id, f.factor.id, '1111111')).outcome, 'INVALID');
  });

  it('Authn primary auth: right and wrong password; factor verify with the stateToken', async () => {
    const { c, user, org, clock } = lab();
    const f = org.enrollFactor(user.id, { factorType: 'token:software:totp', provider: 'OKTA', activate: true });
    const r = await c.primaryAuth('erin@example.com', 'Erin-pw-1');
    assert.equal(r.status, 'MFA_REQUIRED');
    assert.equal(r.userId, user.id);
    assert.equal((await c.primaryAuth('erin@example.com', 'nope')).status, 'INVALID_CREDENTIALS');
    const v = await c.authnVerifyFactor(r.stateToken!, f.factor.id, totpAt(f.activation!.sharedSecret, clock.now()));
    assert.equal(v.status, 'SUCCESS');
  });

  it('Authn transaction: passcode inside it (wrong, then right); the transaction ends on SUCCESS', async () => {
    const { c, user, org, clock } = lab();
    const f = org.enrollFactor(user.id, { factorType: 'token:software:totp', provider: 'GOOGLE', activate: true });
    const r = await c.primaryAuth('erin@example.com', 'Erin-pw-1');
    assert.equal(r.status, 'MFA_REQUIRED');
    assert.ok(r.stateToken && r.expiresAt && r.expiresAt > clock.now());
    assert.deepEqual(
      r.factors?.map((x) => [x.id, x.factorType, x.provider]),
      [[f.factor.id, 'token:software:totp', 'GOOGLE']],
    );
    assert.equal((await c.authnVerifyPasscode(r.stateToken, f.factor.id, '000000')).outcome, 'INVALID');
    const code = totpAt(f.activation!.sharedSecret, clock.now());
    assert.equal((await c.authnVerifyPasscode(r.stateToken, f.factor.id, code)).outcome, 'SUCCESS');
    assert.equal((await c.authnVerifyPasscode(r.stateToken, f.factor.id, code)).outcome, 'EXPIRED', 'a finished transaction is gone');
  });

  it('Authn SMS / call / email: the challenge sends the code through the same endpoint, then it verifies', async () => {
    const { c, user, org, delivery } = lab();
    const sms = org.enrollFactor(user.id, { factorType: 'sms', phoneNumber: '+15555550100', activate: true });
    const email = org.enrollFactor(user.id, { factorType: 'email', email: 'erin@example.com', activate: true });
    for (const f of [sms, email]) {
      const r = await c.primaryAuth('erin@example.com', 'Erin-pw-1');
      const before = delivery.codes.length;
      assert.equal((await c.authnChallenge(r.stateToken!, f.factor.id)).outcome, 'CHALLENGE');
      assert.equal(delivery.codes.length, before + 1, 'one code sent');
      const sent = delivery.codes.at(-1)!;
      assert.equal((await c.authnVerifyPasscode(r.stateToken!, f.factor.id, sent.code)).outcome, 'SUCCESS');
    }
  });

  it('Authn push: approved, denied, unanswered past the push timeout (polled with the stateToken)', async () => {
    const { c, user, org, delivery, clock } = lab();
    const f = org.enrollFactor(user.id, { factorType: 'push', provider: 'OKTA', activate: true });
    const settle = () => new Promise((r) => setImmediate(r));
    const start = async () => (await c.primaryAuth('erin@example.com', 'Erin-pw-1')).stateToken!;

    let p = c.authnVerifyPush(await start(), f.factor.id, 30_000);
    await settle();
    org.answerPush(delivery.pushes.at(-1)!.transactionId, 'APPROVE');
    await clock.advance(1_000);
    assert.equal((await p).outcome, 'SUCCESS');

    p = c.authnVerifyPush(await start(), f.factor.id, 30_000);
    await settle();
    org.answerPush(delivery.pushes.at(-1)!.transactionId, 'REJECT');
    await clock.advance(1_000);
    assert.equal((await p).outcome, 'REJECTED');

    const pushesBefore = delivery.pushes.length;
    p = c.authnVerifyPush(await start(), f.factor.id, 5_000);
    for (let i = 0; i < 6; i++) await clock.advance(1_000);
    assert.equal((await p).outcome, 'TIMEOUT');
    assert.equal(delivery.pushes.length, pushesBefore + 1, 'one push; the rest were polls');
  });

  it('Authn: an expired stateToken is EXPIRED', async () => {
    const { c, user, org, clock } = lab();
    const f = org.enrollFactor(user.id, { factorType: 'token:software:totp', provider: 'OKTA', activate: true });
    const r = await c.primaryAuth('erin@example.com', 'Erin-pw-1');
    await clock.advance(5 * 60_000 + 1);
    assert.equal((await c.authnVerifyPasscode(r.stateToken!, f.factor.id, '123456')).outcome, 'EXPIRED');
    assert.equal((await c.authnChallenge(r.stateToken!, f.factor.id)).outcome, 'EXPIRED');
  });

  it('retries a 500 then succeeds; fails closed after the retries; a network error is retried', async () => {
    const { c, org, clock } = lab();
    org.failNextCalls(1, 500);
    let p = c.getUser('erin@example.com');
    await clock.advance(100);
    assert.equal((await p)?.profile.login, 'erin@example.com');

    org.failNextCalls(3, 503);
    const failed = c.getUser('erin@example.com').catch((e: unknown) => e);
    await clock.advance(100);
    await clock.advance(200);
    assert.ok(isCodedError(await failed, 'OKTA_UNAVAILABLE'));

    org.failNextWithNetworkError(1);
    p = c.getUser('erin@example.com');
    await clock.advance(100);
    assert.equal((await p)?.profile.login, 'erin@example.com');
  });

  it('honours the org rate limit (429 + X-Rate-Limit-Reset) by waiting for the reset', async () => {
    const { c, org, clock } = lab();
    org.setRateLimit({ limit: 1, windowMs: 5_000 });
    assert.ok(await c.getUser('erin@example.com'));
    const p = c.getUser('erin@example.com');
    for (let i = 0; i < 6; i++) await clock.advance(1_000);
    assert.ok(await p);
    assert.ok(org.events.ofType('system.org.rate_limit.violation').length >= 1);
  });

  it('a revoked or wrong token fails closed (okta-unavailable), the token never in the message', async () => {
    const { org, clock, token } = lab();
    const bad = new OktaClient({ orgUrl: org.orgUrl, apiToken: 'wrong-token', clock, fetch: oktaFetch(org) });
    await assert.rejects(bad.getUser('erin@example.com'), (e: unknown) => isCodedError(e, 'OKTA_UNAVAILABLE') && !(e as Error).message.includes('wrong-token'));
    assert.ok(token);
  });
});
