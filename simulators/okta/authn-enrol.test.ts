/**
 * The mock's Authn API inline enrolment (Okta_Radius_App-gen-config-app.htm: "To permit inline
 * enrollment, check the box"; Okta's Authentication API: MFA_ENROLL → enrol → MFA_ENROLL_ACTIVATE
 * → activate → SUCCESS), called on the service directly.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { STATE_TOKEN_LIFETIME_MS } from './authn.ts';
import { RecordingDelivery } from './delivery.ts';
import { OktaOrg } from './org.ts';

const BASE = 'https://acme.okta.example';

function setup(inline = true) {
  const clock = new VirtualClock();
  const delivery = new RecordingDelivery();
  const org = new OktaOrg({ clock, delivery, orgUrl: BASE, seed: 9 });
  const frank = org.createUser({ profile: { login: 'frank@example.com' }, password: 'Frank-pw-1' });
  org.authn.requireMfa = true;
  org.authn.inlineEnrollment = inline;
  const open = (): string => {
    const a = org.authn.primary(BASE, 'frank@example.com', 'Frank-pw-1');
    assert.equal(a.body.status, 'MFA_ENROLL');
    return String(a.body.stateToken);
  };
  return { clock, delivery, org, frank, open };
}

const code = (e: unknown): string | undefined => (e as { errorCode?: string }).errorCode;

describe('mock Authn: inline enrolment', () => {
  it('MFA_ENROLL lists the enrolment policy, each with its enroll link', () => {
    const { org } = setup();
    org.authn.enrollableFactors = [
      { factorType: 'sms', provider: 'OKTA' },
      { factorType: 'token:software:totp', provider: 'GOOGLE' },
    ];
    const a = org.authn.primary(BASE, 'frank@example.com', 'Frank-pw-1');
    const factors = (a.body._embedded as { factors: Array<Record<string, unknown>> }).factors;
    assert.deepEqual(
      factors.map((f) => [f.factorType, f.provider, f.status, f.enrollment]),
      [
        ['sms', 'OKTA', 'NOT_SETUP', 'REQUIRED'],
        ['token:software:totp', 'GOOGLE', 'NOT_SETUP', 'REQUIRED'],
      ],
    );
    assert.equal((factors[0]!._links as { enroll: { href: string } }).enroll.href, `${BASE}/api/v1/authn/factors`);
  });

  it('the box cleared: enrolling is refused (403 E0000038) and nothing is enrolled', () => {
    const { org, frank, open } = setup(false);
    const st = open();
    assert.throws(() => org.authn.enroll(BASE, st, 'sms', 'OKTA', { phoneNumber: '+15550060001' }), (e) => code(e) === 'E0000038');
    assert.equal(org.listFactors(frank.id).length, 0);
  });

  it('SMS: enrol sends the activation code; a wrong code 403 E0000068 keeps it pending; the right one signs in', () => {
    const { org, frank, open, delivery } = setup();
    const st = open();
    const e = org.authn.enroll(BASE, st, 'sms', 'OKTA', { phoneNumber: '+15550060001' });
    assert.equal(e.body.status, 'MFA_ENROLL_ACTIVATE');
    const factor = (e.body._embedded as { factor: { id: string; profile: { phoneNumber: string } } }).factor;
    assert.equal(factor.profile.phoneNumber, '+1 XXX-XXX-0001');
    assert.equal((e.body._links as { next: { href: string; name: string } }).next.href, `${BASE}/api/v1/authn/factors/${factor.id}/lifecycle/activate`);
    const sent = delivery.codes.at(-1)!;
    assert.deepEqual([sent.channel, sent.to], ['sms', '+15550060001']);
    assert.throws(() => org.authn.activate(factor.id, st, sent.code === '000000' ? '111111' : '000000'), (x) => code(x) === 'E0000068');
    assert.equal(org.getFactor(frank.id, factor.id)?.status, 'PENDING_ACTIVATION');
    const done = org.authn.activate(factor.id, st, sent.code);
    assert.equal(done.body.status, 'SUCCESS');
    assert.equal(org.getFactor(frank.id, factor.id)?.status, 'ACTIVE');
    assert.throws(() => org.authn.activate(factor.id, st, sent.code), (x) => code(x) === 'E0000011', 'the transaction is over');
  });

  it('refuses what the policy does not offer, a bad phone number (400), and another factor id on activate', () => {
    const { org, open } = setup();
    org.authn.enrollableFactors = [{ factorType: 'sms', provider: 'OKTA' }];
    const st = open();
    assert.throws(() => org.authn.enroll(BASE, st, 'email', 'OKTA', {}), (e) => code(e) === 'E0000001');
    assert.throws(() => org.authn.enroll(BASE, st, 'sms', 'OKTA', { phoneNumber: '12345' }), (e) => code(e) === 'E0000001');
    const e = org.authn.enroll(BASE, st, 'sms', 'OKTA', { phoneNumber: '+15550060001' });
    assert.equal(e.body.status, 'MFA_ENROLL_ACTIVATE');
    assert.throws(() => org.authn.activate('mblnotthisone', st, '123456'), (x) => code(x) === 'E0000079');
  });

  it('enrolling again replaces the pending enrolment of the same type (one phone per SMS factor)', async () => {
    const { org, frank, open, clock } = setup();
    const st = open();
    org.authn.enroll(BASE, st, 'sms', 'OKTA', { phoneNumber: '+15550060001' });
    await clock.advance(31_000);
    org.authn.enroll(BASE, open(), 'sms', 'OKTA', { phoneNumber: '+15550060002' });
    assert.deepEqual(
      org.listFactors(frank.id).map((f) => `${f.factorType}/${f.status}/${f.phoneNumber}`),
      ['sms/PENDING_ACTIVATION/+15550060002'],
    );
  });

  it('an expired or unknown stateToken is 401 E0000011; a factor verify inside MFA_ENROLL is E0000079', async () => {
    const { org, open, clock } = setup();
    const st = open();
    assert.throws(() => org.authn.verify(BASE, 'x', st, '123456'), (e) => code(e) === 'E0000079');
    await clock.advance(STATE_TOKEN_LIFETIME_MS);
    assert.throws(() => org.authn.enroll(BASE, st, 'sms', 'OKTA', { phoneNumber: '+15550060001' }), (e) => code(e) === 'E0000011');
    assert.throws(() => org.authn.enroll(BASE, 'nope', 'sms', 'OKTA', {}), (e) => code(e) === 'E0000011');
  });
});
