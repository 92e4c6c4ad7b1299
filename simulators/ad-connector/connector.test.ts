import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isCodedError } from '../../agent/src/errors.ts';
import type { PacketEvent } from '../../agent/src/packet-events.ts';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { AdConnector } from './connector.ts';
import { NetworkFaults } from './faults.ts';
import { staticPasswordChecker } from './password-checker.ts';
import type { RadiusSettings } from './settings.ts';
import { drive } from '../lab/driver.ts';
import { connectorProbe } from './test-support.ts';
import { type ResponderAnswer, type ResponderRequest, startTestResponder, type TestResponder } from './test-responder.ts';

const SECRET = 'correct horse battery';
const USERS = { alice: 'Passw0rd!', bob: 'hunter2!' };

/** The responder's policy: code 123456 accepts, 'challenge' challenges, anything else rejects. */
let policy: (r: ResponderRequest) => ResponderAnswer = (r) => {
  if (r.code === 'Status-Server') return { code: 'Access-Accept' };
  if (r.password === '123456') return { code: 'Access-Accept' };
  if (r.password === 'challenge') return { code: 'Access-Challenge', replyMessage: 'Pick a factor', state: Buffer.from('s1') };
  return { code: 'Access-Reject', replyMessage: 'Invalid code' };
};

let a: TestResponder;
let b: TestResponder;
before(async () => {
  a = await startTestResponder({ secret: SECRET, host: '127.0.0.10', handler: (r) => policy(r) });
  b = await startTestResponder({ secret: SECRET, host: '127.0.0.11', port: a.port, handler: (r) => policy(r) });
});
after(async () => {
  await a.close();
  await b.close();
});

function settings(patch: Partial<RadiusSettings> = {}): RadiusSettings {
  return {
    RadiusServers: ['127.0.0.10'],
    RadiusPort: a.port,
    RadiusTimeout: 5,
    RadiusRetries: 2,
    SharedSecret: SECRET,
    AuthenticationProtocol: 'PAP',
    ...patch,
  };
}

async function world(patch: Partial<RadiusSettings> = {}, options: { enable?: boolean } = {}) {
  const clock = new VirtualClock();
  const faults = new NetworkFaults(clock);
  const connector = await AdConnector.create({ clock, faults, passwordChecker: staticPasswordChecker(USERS), directoryId: 'd-9067a1b2c3' });
  if (options.enable !== false) {
    connector.enableRadius(settings(patch));
    const report = await drive(connector.whenStatusSettled(), connectorProbe(clock, connector));
    assert.equal(report?.status, 'Completed', report?.reasons.join('; '));
  }
  return { clock, faults, connector };
}

const sent = (trace: PacketEvent[]) => trace.filter((e) => e.direction === 'sent');

describe('RadiusStatus', () => {
  test('absent → Creating → Completed when every server answers the probe', async () => {
    const { clock, connector } = await world({}, { enable: false });
    try {
      assert.equal(connector.radiusStatus, undefined);
      assert.deepEqual(connector.describeRadius(), {});
      connector.enableRadius(settings({ RadiusServers: ['127.0.0.10', '127.0.0.11'] }));
      assert.equal(connector.radiusStatus, 'Creating');
      const report = await drive(connector.whenStatusSettled(), connectorProbe(clock, connector));
      assert.deepEqual(report, { status: 'Completed', reasons: [] });
      assert.equal(connector.describeRadius().RadiusSettings?.SharedSecret, '********');
    } finally {
      await connector.close();
    }
  });

  test('Failed: a server that never answers, named with the time it was given', async () => {
    const { clock, connector } = await world({}, { enable: false });
    try {
      connector.enableRadius(settings({ RadiusServers: ['127.0.0.10', '127.0.0.12'], RadiusTimeout: 3, RadiusRetries: 1 }));
      const started = clock.now();
      const report = await drive(connector.whenStatusSettled(), connectorProbe(clock, connector));
      assert.equal(report?.status, 'Failed');
      assert.deepEqual(report?.reasons, [`no answer from 127.0.0.12:${a.port} within 3 s × 2 attempts`]);
      assert.ok(clock.now() - started >= 6000, 'waited timeout × (retries + 1)');
      assert.deepEqual(connector.radiusStatusReasons, report?.reasons);
    } finally {
      await connector.close();
    }
  });

  test('Failed: wrong shared secret suspected when replies fail the authenticator check', async () => {
    const { clock, connector } = await world({}, { enable: false });
    const saved = policy;
    policy = () => ({ code: 'Access-Reject', secret: 'not the same secret' });
    try {
      connector.enableRadius(settings({ RadiusRetries: 0 }));
      const report = await drive(connector.whenStatusSettled(), connectorProbe(clock, connector));
      assert.equal(report?.status, 'Failed');
      assert.match(report?.reasons[0] ?? '', /failed the authenticator check — wrong shared secret suspected/);
      assert.ok(connector.events.dropped('bad-response-authenticator') >= 1);
    } finally {
      policy = saved;
      await connector.close();
    }
  });

  test('Status-Server probe when configured', async () => {
    const clock = new VirtualClock();
    const connector = await AdConnector.create({ clock, passwordChecker: staticPasswordChecker(USERS), probe: 'status-server' });
    try {
      const before = a.requests.length;
      connector.enableRadius(settings());
      assert.equal((await drive(connector.whenStatusSettled(), connectorProbe(clock, connector)))?.status, 'Completed');
      assert.equal(a.requests.at(before)?.code, 'Status-Server');
    } finally {
      await connector.close();
    }
  });

  test('a refused update keeps the previous settings and status; enable twice is refused', async () => {
    const { connector } = await world();
    try {
      const before = connector.describeRadius();
      assert.throws(() => connector.updateRadius(settings({ RadiusTimeout: 51 })), (e: unknown) => isCodedError(e, 'InvalidParameterException') && /radiusTimeout/.test(e.message));
      assert.deepEqual(connector.describeRadius(), before);
      assert.throws(() => connector.enableRadius(settings()), (e: unknown) => isCodedError(e, 'ClientException'));
      connector.disableRadius();
      assert.equal(connector.radiusStatus, undefined);
      assert.throws(() => connector.updateRadius(settings()), (e: unknown) => isCodedError(e, 'ClientException'));
    } finally {
      await connector.close();
    }
  });
});

describe('sign-in', () => {
  test('password then MFA code: accepted', async () => {
    const { clock, connector } = await world();
    try {
      const r = await drive(connector.signIn({ username: 'alice', password: USERS.alice, mfaCode: '123456' }), connectorProbe(clock, connector));
      assert.equal(r.signedIn, true);
      assert.equal(r.reason, 'ok');
      assert.equal(r.attempts, 1);
      assert.equal(r.serverUsed, `127.0.0.10:${a.port}`);
      const last = a.requests.at(-1)!;
      assert.equal(last.userName, 'alice');
      assert.equal(last.attributes['NAS-Identifier'], 'd-9067a1b2c3');
      assert.equal(last.attributes['NAS-IP-Address'], r.sourceAddress);
      assert.ok(last.attributes['Message-Authenticator'], 'Message-Authenticator sent');
      assert.deepEqual(
        r.trace.map((e) => e.direction),
        ['sent', 'received'],
      );
      assert.equal(JSON.stringify(r).includes('123456'), false, 'the code never appears in the result');
    } finally {
      await connector.close();
    }
  });

  test('wrong password: refused by the directory, no RADIUS at all', async () => {
    const { clock, connector } = await world();
    try {
      const before = a.requests.length;
      const r = await drive(connector.signIn({ username: 'alice', password: 'nope', mfaCode: '123456' }), connectorProbe(clock, connector));
      assert.equal(r.reason, 'password-rejected');
      assert.equal(r.message, 'The username or password is incorrect');
      assert.equal(r.adData, '52e');
      assert.equal(a.requests.length, before);
      assert.equal(r.trace.length, 0);
    } finally {
      await connector.close();
    }
  });

  test('wrong code: Access-Reject, the Reply-Message kept for scenarios', async () => {
    const { clock, connector } = await world();
    try {
      const r = await drive(connector.signIn({ username: 'alice', password: USERS.alice, mfaCode: '000000' }), connectorProbe(clock, connector));
      assert.equal(r.signedIn, false);
      assert.equal(r.reason, 'mfa-rejected');
      assert.equal(r.replyMessage, 'Invalid code');
      assert.match(r.message, /Multi-factor authentication failed/);
    } finally {
      await connector.close();
    }
  });

  test('Access-Challenge ends the sign-in as a failure (AWS supports no challenges)', async () => {
    const { clock, connector } = await world();
    try {
      const r = await drive(connector.signIn({ username: 'alice', password: USERS.alice, mfaCode: 'challenge' }), connectorProbe(clock, connector));
      assert.equal(r.signedIn, false);
      assert.equal(r.reason, 'challenge-unsupported');
      assert.equal(r.attempts, 1, 'no second round with State');
    } finally {
      await connector.close();
    }
  });

  test('retries: two lost requests, the third gets through — same Identifier and bytes each time', async () => {
    const { clock, faults, connector } = await world({ RadiusRetries: 2, RadiusTimeout: 5 });
    try {
      faults.drop('outbound', { count: 2 });
      const start = clock.now();
      const r = await drive(connector.signIn({ username: 'alice', password: USERS.alice, mfaCode: '123456' }), connectorProbe(clock, connector));
      assert.equal(r.signedIn, true);
      assert.equal(r.attempts, 3);
      const out = sent(r.trace);
      assert.equal(out.length, 3);
      assert.ok(out.every((e) => e.identifier === out[0]!.identifier));
      assert.ok(out.every((e) => Buffer.from(e.bytes).equals(Buffer.from(out[0]!.bytes))), 'same authenticator');
      assert.deepEqual(
        out.map((e) => e.at - start),
        [0, 5000, 10000],
        'one transmission per RadiusTimeout',
      );
      assert.equal(r.trace.filter((e) => e.reason === 'fault-drop').length, 2);
    } finally {
      await connector.close();
    }
  });

  test('a lost reply is retried the same way (inbound drop)', async () => {
    const { clock, faults, connector } = await world({ RadiusRetries: 1 });
    try {
      faults.drop('inbound', { count: 1 });
      const r = await drive(connector.signIn({ username: 'alice', password: USERS.alice, mfaCode: '123456' }), connectorProbe(clock, connector));
      assert.equal(r.signedIn, true);
      assert.equal(r.attempts, 2);
    } finally {
      await connector.close();
    }
  });

  test('failover: the first server moved away, the second answers', async () => {
    const { clock, faults, connector } = await world({ RadiusServers: ['127.0.0.10', '127.0.0.11'], RadiusRetries: 1, RadiusTimeout: 2 });
    try {
      faults.serverAddressChanged('127.0.0.10');
      const r = await drive(connector.signIn({ username: 'alice', password: USERS.alice, mfaCode: '123456' }), connectorProbe(clock, connector));
      assert.equal(r.signedIn, true);
      assert.equal(r.serverUsed, `127.0.0.11:${a.port}`);
      assert.equal(r.attempts, 3, '2 to the old address, 1 to the second server');
      assert.equal(r.trace.filter((e) => e.reason === 'server-address-changed').length, 2);
    } finally {
      await connector.close();
    }
  });

  test('nothing answers: mfa-timeout after every server and retry', async () => {
    const { clock, faults, connector } = await world({ RadiusServers: ['127.0.0.10', '127.0.0.11'], RadiusRetries: 1, RadiusTimeout: 1 });
    try {
      faults.drop('outbound');
      const r = await drive(connector.signIn({ username: 'alice', password: USERS.alice, mfaCode: '123456' }), connectorProbe(clock, connector));
      assert.equal(r.reason, 'mfa-timeout');
      assert.equal(r.attempts, 4);
      assert.equal(connector.pendingRequests, 0);
    } finally {
      await connector.close();
    }
  });

  test('a reply with a bad response authenticator is treated as no reply, and recorded', async () => {
    const { clock, connector } = await world({ RadiusRetries: 1 });
    const saved = policy;
    policy = () => ({ code: 'Access-Accept', secret: 'forged-secret!' });
    try {
      const r = await drive(connector.signIn({ username: 'alice', password: USERS.alice, mfaCode: '123456' }), connectorProbe(clock, connector));
      assert.equal(r.signedIn, false, 'a forged Accept must not sign anyone in');
      assert.equal(r.reason, 'mfa-timeout');
      assert.deepEqual(r.replyProblems, ['bad-response-authenticator', 'bad-response-authenticator']);
      assert.equal(r.trace.filter((e) => e.direction === 'dropped' && e.reason === 'bad-response-authenticator').length, 2);
    } finally {
      policy = saved;
      await connector.close();
    }
  });

  test('duplicated and reordered datagrams do not confuse the client', async () => {
    const { clock, faults, connector } = await world();
    try {
      faults.duplicate('inbound', { count: 1 });
      const r = await drive(connector.signIn({ username: 'alice', password: USERS.alice, mfaCode: '123456' }), connectorProbe(clock, connector));
      assert.equal(r.signedIn, true);
      await drive(new Promise((resolve) => setTimeout(resolve, 30)), connectorProbe(clock, connector));
      assert.equal(connector.events.dropped('unexpected-reply'), 1, 'the duplicate reply is dropped and recorded');
      faults.reorder('outbound', { count: 1, delayMs: 500 });
      const r2 = await drive(connector.signIn({ username: 'bob', password: USERS.bob, mfaCode: '123456' }), connectorProbe(clock, connector));
      assert.equal(r2.signedIn, true, 'a held datagram is released after its hold time');
    } finally {
      await connector.close();
    }
  });

  test('the server sees two client addresses sharing one secret', async () => {
    const { clock, connector } = await world();
    try {
      const before = a.requests.length;
      const r1 = await drive(connector.signIn({ username: 'alice', password: USERS.alice, mfaCode: '123456' }), connectorProbe(clock, connector));
      const r2 = await drive(connector.signIn({ username: 'bob', password: USERS.bob, mfaCode: '123456' }), connectorProbe(clock, connector));
      assert.equal(r1.signedIn && r2.signedIn, true);
      const sources = new Set(a.requests.slice(before).map((r) => r.from.address));
      assert.deepEqual([...sources].sort(), ['127.0.0.2', '127.0.0.3']);
    } finally {
      await connector.close();
    }
  });

  test('each protocol reaches the server in its own encoding', async () => {
    for (const protocol of ['CHAP', 'MS-CHAPv1', 'MS-CHAPv2'] as const) {
      const { clock, connector } = await world({ AuthenticationProtocol: protocol });
      try {
        const before = a.requests.length;
        await drive(connector.signIn({ username: 'alice', password: USERS.alice, mfaCode: '123456' }), connectorProbe(clock, connector));
        const req = a.requests.at(-1)!;
        assert.ok(a.requests.length > before);
        assert.equal(req.password, undefined, `${protocol}: no User-Password`);
        if (protocol === 'CHAP') assert.ok(req.attributes['CHAP-Password']);
        else assert.ok(req.attributes['Vendor-Specific'], `${protocol}: Microsoft VSAs`);
      } finally {
        await connector.close();
      }
    }
  });

  test('without RADIUS the sign-in is password-only; an empty code is asked for when RADIUS is on', async () => {
    const { clock, connector } = await world({}, { enable: false });
    try {
      const r = await drive(connector.signIn({ username: 'alice', password: USERS.alice, mfaCode: '' }), connectorProbe(clock, connector));
      assert.equal(r.reason, 'ok');
      connector.enableRadius(settings());
      await drive(connector.whenStatusSettled(), connectorProbe(clock, connector));
      const r2 = await drive(connector.signIn({ username: 'alice', password: USERS.alice, mfaCode: '' }), connectorProbe(clock, connector));
      assert.equal(r2.reason, 'mfa-code-required');
    } finally {
      await connector.close();
    }
  });
});
