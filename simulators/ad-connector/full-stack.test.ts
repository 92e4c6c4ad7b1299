/**
 * Full stack over real sockets on loopback: the LDAP directory checks the
 * password, the AD Connector (two client addresses sharing one secret, PAP)
 * sends the MFA code over UDP to the reference agent (embedded, on the same
 * virtual clock), the agent asks the mock Okta org, the org reaches the
 * users' phones. One stack per test; time moves only through `stack.drive`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PacketEvent } from '../../agent/src/packet-events.ts';
import { DUO_PASSCODE, type FullStack, type FullStackOptions, PEOPLE, type Person, SOURCE_ADDRESSES, startFullStack } from './full-stack-fixture.ts';

/** Bounds every suite; each sign-in is also bounded by the driver (steps, real and lab time). */
const BOUND = { timeout: 120_000 };

/** Each test gets its own world, closed whatever happens. */
async function withStack(options: FullStackOptions, body: (s: FullStack) => Promise<void>): Promise<void> {
  const stack = await startFullStack(options);
  try {
    await body(stack);
  } finally {
    await stack.close();
  }
}

const credentials = (person: Person, mfaCode: string) => ({ username: person, password: PEOPLE[person].password, mfaCode });
const sent = (trace: readonly PacketEvent[]) => trace.filter((e) => e.direction === 'sent');
/** The Okta System Log's successful MFA verifications of one user, as "factorType/provider". */
const mfaSuccesses = (s: FullStack, person: Person) =>
  s.org.events
    .ofType('user.authentication.auth_via_mfa')
    .filter((e) => e.outcome.result === 'SUCCESS' && e.target.some((t) => t.alternateId === s.login(person)))
    .map((e) => `${e.debugContext?.factorType}/${e.debugContext?.provider}`);

describe('full stack: sign in with each factor (PAP, real UDP, reference agent, mock Okta)', BOUND, () => {
  test('the connector is Completed: the agent answered the status probe with the shared secret', async () => {
    await withStack({}, async (s) => {
      assert.deepEqual(s.status, { status: 'Completed', reasons: [] });
      assert.equal(s.connector.radiusStatus, 'Completed');
    });
  });

  test('Okta Verify TOTP code', async () => {
    await withStack({}, async (s) => {
      const r = await s.signIn(credentials('alice', s.totp('alice')));
      assert.equal(r.reason, 'ok', r.message);
      assert.equal(r.signedIn, true);
      assert.equal(r.message, 'You are signed in. Your WorkSpace is starting.');
      assert.equal(r.attempts, 1);
      assert.equal(r.serverUsed, `${s.serverOf('agent')}:${s.agents[0]!.endpoint.port}`);
      assert.deepEqual(mfaSuccesses(s, 'alice'), ['token:software:totp/OKTA']);
      assert.equal(s.verifyCalls().length, 1, 'one Okta verify call');
      // What the agent saw: one Access-Request from the connector's address, answered.
      const atAgent = s.agents[0]!.events;
      assert.deepEqual(
        atAgent.map((e) => `${e.direction} ${e.remote.address}`),
        [`received ${r.sourceAddress}`, `sent ${r.sourceAddress}`],
      );
    });
  });

  test('both client addresses share the secret: successive sign-ins leave from 127.0.0.2 and 127.0.0.3', async () => {
    await withStack({}, async (s) => {
      const first = await s.signIn(credentials('alice', s.totp('alice')));
      await s.drive(s.clock.advance(30_000)); // next TOTP step (a code is good once)
      const second = await s.signIn(credentials('alice', s.totp('alice')));
      assert.equal(first.reason, 'ok', first.message);
      assert.equal(second.reason, 'ok', second.message);
      assert.deepEqual([first.sourceAddress, second.sourceAddress], [...SOURCE_ADDRESSES]);
      const clients = s.agents[0]!.events.filter((e) => e.direction === 'received').map((e) => e.remote.address);
      assert.deepEqual(clients, [...SOURCE_ADDRESSES]);
    });
  });

  test('Google Authenticator code', async () => {
    await withStack({}, async (s) => {
      const r = await s.signIn(credentials('gina', s.totp('gina')));
      assert.equal(r.reason, 'ok', r.message);
      assert.deepEqual(mfaSuccesses(s, 'gina'), ['token:software:totp/GOOGLE']);
    });
  });

  test('a wrong code is refused by the agent with a Reply-Message', async () => {
    await withStack({}, async (s) => {
      const wrong = s.totp('gina') === '000000' ? '111111' : '000000';
      const r = await s.signIn(credentials('gina', wrong));
      assert.equal(r.signedIn, false);
      assert.equal(r.reason, 'mfa-rejected');
      assert.match(r.replyMessage ?? '', /code is not valid/);
      assert.deepEqual(mfaSuccesses(s, 'gina'), []);
    });
  });

  const twoStep = [
    { person: 'sam', keyword: 'sms', channel: 'sms', phrase: /A code was sent by SMS to \+1 XXX-XXX-0101\. Sign in again with the code\./, factorType: 'sms' },
    { person: 'vic', keyword: 'call', channel: 'call', phrase: /A code was sent by a voice call to \+1 XXX-XXX-0102\./, factorType: 'call' },
    { person: 'emma', keyword: 'EMAIL', channel: 'email', phrase: /A code was sent by email to e\*\*\*@mail\.example\.com\./, factorType: 'email' },
  ] as const;
  for (const t of twoStep) {
    test(`${PEOPLE[t.person].factor}: the first sign-in is refused and sends the code; the second, with it, succeeds`, async () => {
      await withStack({}, async (s) => {
        const first = await s.signIn(credentials(t.person, t.keyword));
        assert.equal(first.signedIn, false);
        assert.equal(first.reason, 'mfa-rejected');
        assert.match(first.replyMessage ?? '', t.phrase);
        const delivered = s.phones.lastCode(s.login(t.person), t.channel);
        assert.ok(delivered, `a code reached ${t.person} by ${t.channel}`);
        assert.doesNotMatch(first.replyMessage ?? '', new RegExp(delivered.code), 'the Reply-Message never carries the code');

        await s.drive(s.clock.advance(20_000)); // the user reads the message and types the code
        const second = await s.signIn(credentials(t.person, delivered.code));
        assert.equal(second.reason, 'ok', second.message);
        assert.deepEqual(mfaSuccesses(s, t.person), [`${t.factorType}/OKTA`]);
      });
    });
  }

  test('push approved on the phone', async () => {
    await withStack({}, async (s) => {
      s.phones.pushAnswer = 'APPROVE';
      const started = s.clock.now();
      const r = await s.signIn(credentials('alice', 'push'));
      assert.equal(r.reason, 'ok', r.message);
      assert.equal(s.phones.pushes.length, 1);
      assert.equal(s.phones.pushes[0]?.login, s.login('alice'));
      assert.equal(s.phones.pushes[0]?.deviceId, 'alice-iphone');
      assert.deepEqual(mfaSuccesses(s, 'alice'), ['push/OKTA']);
      assert.ok(s.clock.now() - started < 10_000, 'answered before the connector retransmitted');
      assert.equal(r.attempts, 1);
    });
  });

  test('push denied on the phone', async () => {
    await withStack({}, async (s) => {
      s.phones.pushAnswer = 'REJECT';
      const r = await s.signIn(credentials('alice', 'PUSH'));
      assert.equal(r.signedIn, false);
      assert.equal(r.reason, 'mfa-rejected');
      assert.match(r.replyMessage ?? '', /denied on your phone/);
      assert.equal(s.phones.pushes.length, 1);
      assert.equal(s.org.events.ofType('user.mfa.okta_verify.deny_push').length, 1);
    });
  });

  test('Duo passcode', async () => {
    await withStack({}, async (s) => {
      const r = await s.signIn(credentials('dan', DUO_PASSCODE));
      assert.equal(r.reason, 'ok', r.message);
      assert.deepEqual(mfaSuccesses(s, 'dan'), ['web/DUO']);
      const refused = await s.signIn(credentials('dan', 'push'));
      assert.equal(refused.reason, 'mfa-rejected', 'a Duo user can only use a Duo passcode');
      assert.match(refused.replyMessage ?? '', /Duo/);
    });
  });
});

describe('full stack: the password step', BOUND, () => {
  test('a wrong password is refused by the directory before any RADIUS packet is sent', async () => {
    await withStack({}, async (s) => {
      const before = { connector: s.connectorEvents.length, agent: s.agents[0]!.events.length, okta: s.oktaCalls.length };
      const r = await s.signIn({ username: 'alice', password: 'not-her-password', mfaCode: s.totp('alice') });
      assert.equal(r.signedIn, false);
      assert.equal(r.reason, 'password-rejected');
      assert.equal(r.adData, '52e');
      assert.equal(r.message, 'The username or password is incorrect');
      assert.equal(r.attempts, 0);
      assert.deepEqual(r.trace, [], 'the trace shows no RADIUS packet');
      assert.equal(s.connectorEvents.length, before.connector, 'the connector sent nothing');
      assert.equal(s.agents[0]!.events.length, before.agent, 'the agent saw nothing');
      assert.equal(s.oktaCalls.length, before.okta, 'Okta was not asked');
    });
  });

  test('a disabled directory account is refused with AD’s reason, no RADIUS either', async () => {
    await withStack({}, async (s) => {
      s.directory.directory.disable('gina');
      const r = await s.signIn(credentials('gina', s.totp('gina')));
      assert.equal(r.reason, 'account-disabled');
      assert.equal(r.adData, '533');
      assert.deepEqual(r.trace, []);
    });
  });
});

describe('full stack: retries, failover and the duplicate cache', BOUND, () => {
  test('the first two Access-Requests are dropped; the second retransmission, same Identifier, succeeds', async () => {
    await withStack({ radius: { RadiusTimeout: 5, RadiusRetries: 2 } }, async (s) => {
      const drop = s.faults.drop('outbound', { count: 2 });
      const started = s.clock.now();
      const r = await s.signIn(credentials('gina', s.totp('gina')));
      assert.equal(r.reason, 'ok', r.message);
      assert.equal(r.attempts, 3);
      assert.equal(drop.applied, 2);
      const requests = sent(r.trace);
      assert.equal(requests.length, 3);
      assert.equal(new Set(requests.map((e) => e.identifier)).size, 1, 'one Identifier for every transmission');
      assert.equal(new Set(requests.map((e) => Buffer.from(e.bytes).toString('hex'))).size, 1, 'the same datagram each time');
      assert.deepEqual(
        requests.map((e) => e.at - started),
        [0, 5_000, 10_000],
        'retransmitted RadiusTimeout apart on the clock',
      );
      assert.equal(r.trace.filter((e) => e.reason === 'fault-drop').length, 2);
      assert.equal(s.agents[0]!.events.filter((e) => e.direction === 'received').length, 1, 'only the third reached the agent');
      assert.equal(s.verifyCalls().length, 1);
    });
  });

  test('every transmission dropped: the sign-in times out after RadiusTimeout × (RadiusRetries + 1)', async () => {
    await withStack({ radius: { RadiusTimeout: 3, RadiusRetries: 1 } }, async (s) => {
      s.faults.drop('outbound');
      const started = s.clock.now();
      const r = await s.signIn(credentials('gina', s.totp('gina')));
      assert.equal(r.reason, 'mfa-timeout');
      assert.equal(r.attempts, 2);
      assert.equal(s.clock.now() - started, 6_000);
      assert.equal(s.oktaCalls.length, 0);
    });
  });

  test('failover: nothing listens at the first server; the second (the agent) answers', async () => {
    await withStack({ servers: ['127.0.0.9', 'agent'], radius: { RadiusTimeout: 4, RadiusRetries: 1 } }, async (s) => {
      const port = s.agents[0]!.endpoint.port;
      assert.equal(s.status?.status, 'Failed');
      assert.deepEqual(s.status?.reasons, [`no answer from 127.0.0.9:${port} within 4 s × 2 attempts`]);
      const started = s.clock.now();
      const r = await s.signIn(credentials('alice', s.totp('alice')));
      assert.equal(r.reason, 'ok', r.message);
      assert.equal(r.serverUsed, `127.0.0.1:${port}`);
      assert.equal(r.attempts, 3);
      assert.deepEqual(
        sent(r.trace).map((e) => `${e.remote.address} +${e.at - started}`),
        ['127.0.0.9 +0', '127.0.0.9 +4000', '127.0.0.1 +8000'],
      );
    });
  });

  test('failover: every packet to the first agent dropped (a closed security group); the second agent answers', async () => {
    await withStack({ secondAgentHost: '127.0.0.4', servers: ['agent', 'agent2'], radius: { RadiusTimeout: 2, RadiusRetries: 2 } }, async (s) => {
      assert.equal(s.status?.status, 'Completed', s.status?.reasons.join('; '));
      const [first, second] = s.agents;
      const port = first!.endpoint.port;
      const before = { first: first!.events.length, second: second!.events.length };
      s.faults.drop('outbound', { server: '127.0.0.1' });
      const r = await s.signIn(credentials('gina', s.totp('gina')));
      assert.equal(r.reason, 'ok', r.message);
      assert.equal(r.serverUsed, `127.0.0.4:${port}`);
      assert.equal(r.attempts, 4);
      assert.equal(first!.events.length, before.first, 'the first agent never saw the request');
      assert.deepEqual(
        second!.events.slice(before.second).map((e) => e.direction),
        ['received', 'sent'],
      );
      assert.equal(s.verifyCalls().length, 1);
    });
  });

  test('the reply is dropped, the request retransmitted: the duplicate cache answers, one Okta verify call', async () => {
    await withStack({ radius: { RadiusTimeout: 5, RadiusRetries: 3 } }, async (s) => {
      const lost = s.faults.drop('inbound', { count: 1 });
      const r = await s.signIn(credentials('gina', s.totp('gina')));
      assert.equal(r.reason, 'ok', r.message);
      assert.equal(lost.applied, 1);
      assert.equal(r.attempts, 2);
      const requests = sent(r.trace);
      assert.equal(requests[0]?.identifier, requests[1]?.identifier);
      assert.equal(s.verifyCalls().length, 1, 'one Okta verify call for two transmissions');
      const atAgent = s.agents[0]!.events;
      assert.deepEqual(
        atAgent.map((e) => `${e.direction}${e.detail === 'duplicate' ? ' (duplicate)' : ''}`),
        ['received', 'sent', 'received (duplicate)', 'sent (duplicate)'],
      );
      assert.deepEqual(mfaSuccesses(s, 'gina'), ['token:software:totp/GOOGLE']);
    });
  });

  test('retransmissions while the push is still waiting are not a second push', async () => {
    await withStack({ radius: { RadiusTimeout: 3, RadiusRetries: 3 } }, async (s) => {
      // The user looks at the phone for 7 s of lab time; the connector retransmits at 3 s and 6 s.
      s.phones.pushAnswer = 'APPROVE';
      s.phones.pushDelayMs = 7_000;
      const started = s.clock.now();
      const r = await s.signIn(credentials('alice', 'push'));
      assert.equal(r.reason, 'ok', r.message);
      assert.equal(r.attempts, 3);
      assert.deepEqual(
        sent(r.trace).map((e) => e.at - started),
        [0, 3_000, 6_000],
      );
      assert.equal(new Set(sent(r.trace).map((e) => e.identifier)).size, 1);
      assert.equal(s.phones.pushes.length, 1, 'one push');
      assert.equal(s.verifyCalls().length, 1, 'one Okta verify call');
      assert.equal(s.agents[0]!.events.filter((e) => e.reason === 'duplicate-in-progress').length, 2);
    });
  });
});
