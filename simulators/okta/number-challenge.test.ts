/**
 * Okta Verify number challenge over RADIUS (Okta_Radius_App.htm): not supported; an org that
 * has it on sees pushes fail for RADIUS users unless "Disable number matching challenge for
 * RADIUS" is on. The mock: a push carries a number, and approving without it fails.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { RecordingDelivery } from './delivery.ts';
import { OktaOrg } from './org.ts';

function orgWithPushUser() {
  const org = new OktaOrg({ clock: new VirtualClock(), delivery: new RecordingDelivery(), seed: 11 });
  const u = org.createUser({ profile: { login: 'alice@corp.example.com' }, password: 'pw' });
  const f = org.enrollFactor(u.id, { factorType: 'push', provider: 'OKTA', activate: true });
  const push = () => {
    const r = org.verifyFactor(u.id, f.factor.id, {});
    assert.equal(r.result, 'WAITING');
    return (r as { transaction: { id: string; correctAnswer?: number } }).transaction;
  };
  return { org, push };
}

describe('number challenge', () => {
  it('off (default): a push carries no number and an approval succeeds', () => {
    const { org, push } = orgWithPushUser();
    const tx = push();
    assert.equal(tx.correctAnswer, undefined);
    assert.equal(org.answerPush(tx.id, 'APPROVE'), 'SUCCESS');
  });

  it('on: an approval without the number fails; with the right number it succeeds', () => {
    const { org, push } = orgWithPushUser();
    org.setNumberChallenge({ oktaVerify: true });
    const tx = push();
    assert.ok(tx.correctAnswer !== undefined && tx.correctAnswer >= 10 && tx.correctAnswer <= 99);
    assert.equal(org.answerPush(tx.id, 'APPROVE'), 'REJECTED');
    const tx2 = push();
    assert.equal(org.answerPush(tx2.id, 'APPROVE', tx2.correctAnswer), 'SUCCESS');
  });

  it('on, with "Disable number matching challenge for RADIUS": no number, the approval succeeds', () => {
    const { org, push } = orgWithPushUser();
    org.setNumberChallenge({ oktaVerify: true, disabledForRadius: true });
    const tx = push();
    assert.equal(tx.correctAnswer, undefined);
    assert.equal(org.answerPush(tx.id, 'APPROVE'), 'SUCCESS');
  });
});

describe('Authn policy knobs (password modes)', () => {
  it('a denied network zone refuses primary authentication by the reported client IP; other IPs and none pass', () => {
    const { org } = orgWithPushUser();
    org.authn.deniedZones.addSubnet('203.0.113.0', 24, 'ipv4');
    assert.throws(() => org.authn.primary('https://mock', 'alice@corp.example.com', 'pw', '203.0.113.7'), /E0000004|Authentication failed/);
    assert.equal(org.authn.primary('https://mock', 'alice@corp.example.com', 'pw', '198.51.100.20').status, 200);
    assert.equal(org.authn.primary('https://mock', 'alice@corp.example.com', 'pw').status, 200);
    assert.deepEqual(org.authn.reportedClientIps, ['203.0.113.7', '198.51.100.20', undefined]);
  });

  it('offeredFactorTypes limits what a transaction offers (a policy with Okta Verify push only)', () => {
    const { org } = orgWithPushUser();
    org.authn.offeredFactorTypes = new Set(['push']);
    const a = org.authn.primary('https://mock', 'alice@corp.example.com', 'pw');
    const factors = (a.body._embedded as { factors: Array<{ factorType: string }> }).factors;
    assert.deepEqual(factors.map((f) => f.factorType), ['push']);
  });
});

describe('Authn: a policy that requires MFA', () => {
  it('a user with no factor gets MFA_ENROLL (enrol first), not SUCCESS; off by default', () => {
    const org = new OktaOrg({ clock: new VirtualClock(), delivery: new RecordingDelivery(), seed: 12 });
    org.createUser({ profile: { login: 'frank@corp.example.com' }, password: 'pw' });
    assert.equal(org.authn.primary('https://mock', 'frank@corp.example.com', 'pw').body.status, 'SUCCESS');
    org.authn.requireMfa = true;
    const a = org.authn.primary('https://mock', 'frank@corp.example.com', 'pw');
    assert.equal(a.body.status, 'MFA_ENROLL');
    assert.ok(typeof a.body.stateToken === 'string');
  });
});
