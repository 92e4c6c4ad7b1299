/**
 * The connector behaviours AWS documents (or leaves open) that issue 12 made
 * settings: sign-ins refused while RadiusStatus is Creating, the order of the
 * password and RADIUS checks, RadiusServersIpv6 and IPv6 client addresses,
 * source addresses chosen from the route to the server, Message-Authenticator
 * off with the status reason that says what it likely means.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { drive } from '../lab/driver.ts';
import { AdConnector, type AdConnectorOptions } from './connector.ts';
import { staticPasswordChecker } from './password-checker.ts';
import type { RadiusSettings } from './settings.ts';
import { chooseSourceAddresses, localAddressToward } from './source-addresses.ts';
import { connectorProbe } from './test-support.ts';
import { startTestResponder, type TestResponder } from './test-responder.ts';

const SECRET = 'correct horse battery';
const USERS = { alice: 'Passw0rd!' };

let v4: TestResponder;
let v6: TestResponder;
/** A responder that requires Message-Authenticator, as a hardened agent does: requests without it get no answer. */
let strict: TestResponder;
before(async () => {
  const answer = (password: string | undefined) => (password === '123456' ? 'Access-Accept' : 'Access-Reject') as 'Access-Accept';
  v4 = await startTestResponder({ secret: SECRET, host: '127.0.0.10', handler: (r) => ({ code: r.code === 'Status-Server' ? 'Access-Accept' : answer(r.password) }) });
  v6 = await startTestResponder({ secret: SECRET, host: '::1', handler: (r) => ({ code: answer(r.password) }) });
  strict = await startTestResponder({
    secret: SECRET,
    host: '127.0.0.12',
    handler: (r) => (r.attributes['Message-Authenticator'] === undefined ? { code: 'none' } : { code: answer(r.password) }),
  });
});
after(async () => {
  await v4.close();
  await v6.close();
  await strict.close();
});

function settings(patch: Partial<RadiusSettings> = {}): RadiusSettings {
  return { RadiusServers: ['127.0.0.10'], RadiusPort: v4.port, RadiusTimeout: 2, RadiusRetries: 1, SharedSecret: SECRET, AuthenticationProtocol: 'PAP', ...patch };
}

async function connectorWith(options: Partial<AdConnectorOptions> = {}) {
  const clock = new VirtualClock();
  const connector = await AdConnector.create({ clock, passwordChecker: staticPasswordChecker(USERS), ...options });
  const settle = () => drive(connector.whenStatusSettled(), connectorProbe(clock, connector));
  const signIn = (password: string, mfaCode: string) => drive(connector.signIn({ username: 'alice', password, mfaCode }), connectorProbe(clock, connector));
  return { clock, connector, settle, signIn };
}

describe('while RadiusStatus is Creating (AWS connect-mfa: "users cannot log in")', () => {
  test('a sign-in is refused with its own reason, and sends nothing; once Completed it works', async () => {
    const { connector, settle, signIn } = await connectorWith();
    try {
      connector.enableRadius(settings());
      assert.equal(connector.radiusStatus, 'Creating');
      const during = await connector.signIn({ username: 'alice', password: USERS.alice, mfaCode: '123456' });
      assert.equal(during.reason, 'mfa-being-set-up');
      assert.equal(during.signedIn, false);
      assert.equal(during.trace.length, 0);
      await settle();
      assert.equal((await signIn(USERS.alice, '123456')).reason, 'ok');
    } finally {
      await connector.close();
    }
  });

  test("signInWhileCreating: 'allow' lets the sign-in through", async () => {
    const { connector, signIn } = await connectorWith({ signInWhileCreating: 'allow' });
    try {
      connector.enableRadius(settings());
      assert.equal((await signIn(USERS.alice, '123456')).reason, 'ok');
    } finally {
      await connector.close();
    }
  });
});

describe('order of checks', () => {
  test("password-first (default): a wrong password sends no RADIUS request", async () => {
    const { connector, settle, signIn } = await connectorWith();
    try {
      connector.enableRadius(settings());
      await settle();
      const r = await signIn('wrong', '123456');
      assert.equal(r.reason, 'password-rejected');
      assert.equal(r.trace.filter((e) => e.direction === 'sent').length, 0);
    } finally {
      await connector.close();
    }
  });

  test('radius-first: the code goes to the RADIUS server before the password is checked', async () => {
    const { connector, settle, signIn } = await connectorWith({ checkOrder: 'radius-first' });
    try {
      connector.enableRadius(settings());
      await settle();
      const wrongPassword = await signIn('wrong', '123456');
      assert.equal(wrongPassword.reason, 'password-rejected');
      assert.equal(wrongPassword.trace.filter((e) => e.direction === 'sent').length, 1);
      const wrongCode = await signIn(USERS.alice, '000000');
      assert.equal(wrongCode.reason, 'mfa-rejected');
      assert.equal((await signIn(USERS.alice, '123456')).reason, 'ok');
    } finally {
      await connector.close();
    }
  });
});

describe('IPv6', () => {
  test('a server in RadiusServersIpv6 is reached from an IPv6 client address (::1), without NAS-IP-Address', async () => {
    const { connector, settle, signIn } = await connectorWith({ sourceAddresses: ['127.0.0.2', '::1'] });
    try {
      connector.enableRadius(settings({ RadiusServers: [], RadiusServersIpv6: ['::1'], RadiusPort: v6.port }));
      const report = await settle();
      assert.equal(report?.status, 'Completed', report?.reasons.join('; '));
      const r = await signIn(USERS.alice, '123456');
      assert.equal(r.reason, 'ok');
      assert.equal(r.sourceAddress, '::1');
      assert.equal(r.serverUsed, `::1:${v6.port}`);
      const last = v6.requests.at(-1)!;
      assert.equal(last.attributes['NAS-IP-Address'], undefined);
    } finally {
      await connector.close();
    }
  });

  test('without an IPv6 client address the IPv6 server fails the status with a reason that says so', async () => {
    const { connector, settle } = await connectorWith({ sourceAddresses: ['127.0.0.2'] });
    try {
      connector.enableRadius(settings({ RadiusServersIpv6: ['::1'] }));
      const report = await settle();
      assert.equal(report?.status, 'Failed');
      assert.match(report!.reasons.join('\n'), /no IPv6 client address to reach ::1/);
    } finally {
      await connector.close();
    }
  });
});

describe('source addresses from the route (issue 11, item 1)', () => {
  test('toward 127.0.0.1: what the OS uses, plus a second loopback address', async () => {
    assert.equal(await localAddressToward('127.0.0.1'), '127.0.0.1');
    const choice = await chooseSourceAddresses('127.0.0.1');
    assert.deepEqual(choice.addresses, ['127.0.0.1', '127.0.0.2']);
    assert.match(choice.how, /the OS reaches 127\.0\.0\.1 from 127\.0\.0\.1/);
  });

  test('toward ::1: one address only, and the report says why', async () => {
    const choice = await chooseSourceAddresses('::1');
    assert.deepEqual(choice.addresses, ['::1']);
    assert.match(choice.how, /one client address only/);
  });

  test('the connector binds what was chosen and says so; it signs in from there', async () => {
    const { connector, settle, signIn } = await connectorWith({ reach: '::1' });
    try {
      assert.deepEqual(connector.sourceChoice.addresses, ['::1']);
      connector.enableRadius(settings({ RadiusServers: ['::1'], RadiusPort: v6.port }));
      await settle();
      assert.equal((await signIn(USERS.alice, '123456')).sourceAddress, '::1');
    } finally {
      await connector.close();
    }
  });
});

describe('Message-Authenticator as a connector setting', () => {
  test('off, against a server that requires it: Failed, with a reason that names Message-Authenticator', async () => {
    const { connector, settle, signIn } = await connectorWith({ messageAuthenticator: false, signInWhileCreating: 'allow' });
    try {
      connector.enableRadius(settings({ RadiusServers: ['127.0.0.12'], RadiusPort: strict.port }));
      const report = await settle();
      assert.equal(report?.status, 'Failed');
      assert.match(report!.reasons[0]!, /no answer from 127\.0\.0\.12:\d+ within 2 s × 2 attempts; the requests carried no Message-Authenticator/);
      assert.equal((await signIn(USERS.alice, '123456')).reason, 'mfa-timeout');
    } finally {
      await connector.close();
    }
  });

  test('on (default), the same server answers', async () => {
    const { connector, settle } = await connectorWith();
    try {
      connector.enableRadius(settings({ RadiusServers: ['127.0.0.12'], RadiusPort: strict.port }));
      assert.equal((await settle())?.status, 'Completed');
    } finally {
      await connector.close();
    }
  });
});

describe('settings changed after create', () => {
  test('configure() and rebindSources(): from the route to ::1, Message-Authenticator off', async () => {
    const { connector, settle, signIn } = await connectorWith();
    try {
      assert.deepEqual(connector.sourceChoice.addresses, ['127.0.0.2', '127.0.0.3']);
      const choice = await connector.rebindSources({ reach: '::1' });
      assert.deepEqual(choice.addresses, ['::1']);
      connector.configure({ messageAuthenticator: false });
      connector.enableRadius(settings({ RadiusServers: [], RadiusServersIpv6: ['::1'], RadiusPort: v6.port }));
      await settle();
      assert.equal((await signIn(USERS.alice, '123456')).sourceAddress, '::1');
      assert.equal(v6.requests.at(-1)!.attributes['Message-Authenticator'], undefined);
    } finally {
      await connector.close();
    }
  });
});
