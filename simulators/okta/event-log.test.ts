import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { EventLog, type OrgEvent, SYSTEM_ACTOR } from './event-log.ts';
import { OktaOrg } from './org.ts';
import { totpAt } from './totp.ts';

describe('EventLog (events kept in columns, built when read)', () => {
  it('gives every event its uuid, time, type, outcome, actor, targets and details, oldest first', async () => {
    const clock = new VirtualClock(1_000);
    const log = new EventLog(() => clock.now());
    const target = [{ id: '00u1', type: 'User' as const, alternateId: 'a@example.com' }];
    log.append({ eventType: 'user.lifecycle.create', outcome: { result: 'SUCCESS' }, target });
    await clock.advance(500);
    log.append({ eventType: 'user.account.lock', outcome: { result: 'FAILURE', reason: 'X' }, actor: { id: '00u1', type: 'User' }, debugContext: { n: 1 } });
    assert.equal(log.size, 2);
    assert.deepEqual(log.all(), [
      {
        uuid: 'evt00000000000000001',
        published: 1_000,
        eventType: 'user.lifecycle.create',
        outcome: { result: 'SUCCESS' },
        actor: SYSTEM_ACTOR,
        target,
        debugContext: {},
      },
      {
        uuid: 'evt00000000000000002',
        published: 1_500,
        eventType: 'user.account.lock',
        outcome: { result: 'FAILURE', reason: 'X' },
        actor: { id: '00u1', type: 'User' },
        target: [],
        debugContext: { n: 1 },
      },
    ]);
    assert.deepEqual(
      log.ofType('user.').map((e) => e.uuid),
      ['evt00000000000000001', 'evt00000000000000002'],
    );
    assert.deepEqual(
      log.ofType('user.account.lock').map((e) => e.uuid),
      ['evt00000000000000002'],
    );
  });

  it('readers get copies: changing what was read changes neither the log nor other events sharing the same parts', () => {
    const log = new EventLog(() => 0);
    const shared = { outcome: { result: 'SUCCESS' as const }, target: [{ id: 'f', type: 'Factor' as const }], debugContext: { factorType: 'sms' } };
    log.append({ eventType: 'user.mfa.factor.activate', ...shared });
    log.append({ eventType: 'user.mfa.factor.deactivate', ...shared });
    const [a] = log.all() as [OrgEvent];
    a.outcome.result = 'FAILURE';
    a.target[0]!.id = 'changed';
    a.debugContext.factorType = 'call';
    a.actor.id = 'changed';
    for (const e of log.all()) {
      assert.equal(e.outcome.result, 'SUCCESS');
      assert.equal(e.target[0]!.id, 'f');
      assert.equal(e.debugContext.factorType, 'sms');
      assert.equal(e.actor.id, SYSTEM_ACTOR.id);
    }
    assert.notEqual(log.all()[0], log.all()[0], 'a new object per read');
  });

  it('listeners get each event as it is appended, until they unsubscribe', () => {
    const log = new EventLog(() => 7);
    const seen: string[] = [];
    const off = log.subscribe((e) => seen.push(`${e.uuid} ${e.eventType} ${e.published}`));
    log.append({ eventType: 'system.api_token.create', outcome: { result: 'SUCCESS' } });
    off();
    log.append({ eventType: 'system.api_token.revoke', outcome: { result: 'SUCCESS' } });
    assert.deepEqual(seen, ['evt00000000000000001 system.api_token.create 7']);
  });

  it("an org's sign-in events name the user and the factor, with the factor's type, as they did when each was its own object", () => {
    const clock = new VirtualClock();
    const org = new OktaOrg({ clock });
    org.factorLockoutThreshold = 0;
    const u = org.createUser({ profile: { login: 'ann@example.com' }, password: 'pw' });
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const f = org.enrollFactor(u.id, { factorType: 'token:software:totp', provider: 'GOOGLE', sharedSecret: secret, activate: true }).factor;
    org.verifyFactor(u.id, f.id, { passCode: totpAt(secret, clock.now()) });
    org.verifyFactor(u.id, f.id, { passCode: totpAt(secret, clock.now()) });
    const events = org.events.ofType('user.authentication.auth_via_mfa');
    const target = [
      { id: u.id, type: 'User', alternateId: 'ann@example.com' },
      { id: f.id, type: 'Factor', alternateId: 'token:software:totp/GOOGLE' },
    ];
    assert.deepEqual(
      events.map((e) => ({ outcome: e.outcome, target: e.target, debugContext: e.debugContext, actor: e.actor })),
      [
        { outcome: { result: 'SUCCESS' }, target, debugContext: { factorType: 'token:software:totp', provider: 'GOOGLE' }, actor: SYSTEM_ACTOR },
        { outcome: { result: 'FAILURE', reason: 'PASSCODE_REPLAYED' }, target, debugContext: { factorType: 'token:software:totp', provider: 'GOOGLE' }, actor: SYSTEM_ACTOR },
      ],
    );
  });
});
