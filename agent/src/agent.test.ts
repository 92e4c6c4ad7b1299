import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { VirtualClock } from '../../simulators/clock/virtual-clock.ts';
import { RecordingDelivery } from '../../simulators/okta/delivery.ts';
import { OktaOrg } from '../../simulators/okta/org.ts';
import { oktaFetch } from '../../simulators/okta/serve.ts';
import { totpAt } from '../../simulators/okta/totp.ts';
import { createAgent, type RadiusMfaAgent } from './agent.ts';
import type { AgentConfigInput } from './config.ts';
import { RadiusCode } from './radius/codes.ts';
import { encodeStatusServer } from './radius/codec.ts';
import { attr, getOctets } from './radius/packet.ts';
import { buildAccessRequest, replyMessage, TestRadiusSocket } from './test-support/radius-test-client.ts';

const SECRET = 'embedded-test-secret';

/** Let I/O and promise continuations run (bounded), without moving the virtual clock. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('createAgent (embedded, mock org via oktaFetch, real UDP on loopback)', () => {
  const clock = new VirtualClock();
  const delivery = new RecordingDelivery();
  const org = new OktaOrg({ clock, delivery, seed: 7 });
  let agent: RadiusMfaAgent;
  let sock: TestRadiusSocket;
  let totpSecret = '';
  let appId = '';

  before(async () => {
    const token = org.createApiToken();
    const app = org.createApp({ label: 'Amazon WorkSpaces RADIUS' });
    appId = app.id;
    const alice = org.createUser({ profile: { login: 'alice@corp.example.com', email: 'alice@corp.example.com' }, password: 'pw' });
    org.assignUserToApp(app.id, alice.id);
    const ov = org.enrollFactor(alice.id, { factorType: 'token:software:totp', provider: 'OKTA', activate: true });
    totpSecret = ov.activation?.sharedSecret ?? '';
    org.enrollFactor(alice.id, { factorType: 'push', provider: 'OKTA', activate: true });
    const bob = org.createUser({ profile: { login: 'bob@corp.example.com' }, password: 'pw' });
    org.enrollFactor(bob.id, { factorType: 'token:software:totp', provider: 'OKTA', activate: true });

    const config: AgentConfigInput = {
      okta: { orgUrl: org.orgUrl, apiToken: token },
      apps: [
        {
          name: 'workspaces',
          appId: app.id,
          listen: { host: '127.0.0.1', port: 0 },
          usernameFormat: { suffix: '@corp.example.com' },
          clients: [{ name: 'lab', address: '127.0.0.1', secret: SECRET }],
        },
      ],
      http: { host: '127.0.0.1', port: 0 },
    };
    agent = createAgent({ config, clock, fetch: oktaFetch(org) });
    const [ep] = await agent.start();
    assert.ok(ep);
    assert.equal(ep.app, 'workspaces');
    sock = new TestRadiusSocket(ep.endpoint);
  });

  after(async () => {
    sock?.close();
    await agent?.stop();
  });

  it('accepts an Okta Verify code (sAMAccountName + suffix), Message-Authenticator first in the reply', async () => {
    await sock.send(buildAccessRequest({ userName: 'alice', password: totpAt(totpSecret, clock.now()), secret: SECRET }));
    const reply = await sock.next();
    assert.equal(reply?.code, RadiusCode.AccessAccept);
    assert.equal(reply?.attributes[0]?.type, 80);
  });

  it('rejects a wrong code with a Reply-Message', async () => {
    await sock.send(buildAccessRequest({ userName: 'alice', password: '000000', secret: SECRET }));
    const reply = await sock.next();
    assert.equal(reply?.code, RadiusCode.AccessReject);
    assert.match(replyMessage(reply), /code is not valid/);
  });

  it('rejects a user not assigned to the app', async () => {
    await sock.send(buildAccessRequest({ userName: 'bob', password: '123456', secret: SECRET }));
    const reply = await sock.next();
    assert.equal(reply?.code, RadiusCode.AccessReject);
    assert.match(replyMessage(reply), /not assigned/);
    assert.ok(appId);
  });

  it('push approved on the phone → Access-Accept', async () => {
    const before = delivery.pushes.length;
    await sock.send(buildAccessRequest({ userName: 'alice', password: 'push', secret: SECRET }));
    await until(() => delivery.pushes.length > before, 'the push to arrive');
    const push = delivery.pushes.at(-1)!;
    org.answerPush(push.transactionId, 'APPROVE');
    await clock.advance(1_000);
    const reply = await sock.next();
    assert.equal(reply?.code, RadiusCode.AccessAccept);
  });

  it('push ignored → Access-Reject after the push timeout (half of 60 s)', async () => {
    const before = delivery.pushes.length;
    await sock.send(buildAccessRequest({ userName: 'alice', password: 'PUSH', secret: SECRET }));
    await until(() => delivery.pushes.length > before, 'the push to arrive');
    for (let i = 0; i < 31; i++) await clock.advance(1_000);
    const reply = await sock.next();
    assert.equal(reply?.code, RadiusCode.AccessReject);
    assert.match(replyMessage(reply), /not answered in time/);
  });

  it('CHAP is rejected with a Reply-Message asking for PAP', async () => {
    const bytes = buildAccessRequest({
      userName: 'alice',
      secret: SECRET,
      extra: [attr.octets('CHAP-Password', new Uint8Array(17))],
    });
    await sock.send(bytes);
    const reply = await sock.next();
    assert.equal(reply?.code, RadiusCode.AccessReject);
    assert.match(replyMessage(reply), /PAP/);
  });

  it('Status-Server is answered with Access-Accept', async () => {
    await sock.send(encodeStatusServer(200, SECRET));
    const reply = await sock.next();
    assert.equal(reply?.code, RadiusCode.AccessAccept);
  });

  it('a request without Message-Authenticator is dropped and counted', async () => {
    await sock.send(buildAccessRequest({ userName: 'alice', password: '123456', secret: SECRET, messageAuthenticator: 'none' }));
    assert.equal(await sock.next(300), null);
    assert.equal(agent.events.dropped('missing-message-authenticator'), 1);
  });

  it('serves /healthz and /metrics with requests by result and reason, drops, Okta latency and pending pushes', async () => {
    const http = agent.httpEndpoint!;
    const health = await fetch(`http://127.0.0.1:${http.port}/healthz`);
    assert.equal(health.status, 200);
    const text = await (await fetch(`http://127.0.0.1:${http.port}/metrics`)).text();
    assert.match(text, /radius_mfa_requests_total\{app="workspaces",result="accept",reason="passcode-accepted"\} 1/);
    assert.match(text, /radius_mfa_requests_total\{app="workspaces",result="reject",reason="push-timeout"\} 1/);
    assert.match(text, /radius_mfa_dropped_packets_total\{reason="missing-message-authenticator"\} 1/);
    assert.match(text, /radius_mfa_okta_request_duration_seconds_count\{operation="getUser",status="200"\} \d+/);
    assert.match(text, /radius_mfa_pending_pushes\{app="workspaces"\} 0/);
  });

  it('stop() rejects an in-flight push with agent-stopping', async () => {
    const before = delivery.pushes.length;
    await sock.send(buildAccessRequest({ userName: 'alice', password: 'push', secret: SECRET }));
    await until(() => delivery.pushes.length > before, 'the push to arrive');
    await agent.stop();
    const reply = await sock.next();
    assert.equal(reply?.code, RadiusCode.AccessReject);
    assert.match(replyMessage(reply), /restarting/);
  });
});

describe('createAgent, password-first: Access-Challenge over UDP, the Authn transaction kept server-side', () => {
  const clock = new VirtualClock();
  const delivery = new RecordingDelivery();
  const org = new OktaOrg({ clock, delivery, seed: 11 });
  let agent: RadiusMfaAgent;
  let sock: TestRadiusSocket;

  before(async () => {
    const token = org.createApiToken();
    const app = org.createApp({ label: 'VPN RADIUS' });
    const alice = org.createUser({ profile: { login: 'alice@corp.example.com', email: 'alice@corp.example.com' }, password: 'Alice-pw-1' });
    org.assignUserToApp(app.id, alice.id);
    org.enrollFactor(alice.id, { factorType: 'push', provider: 'OKTA', activate: true }); // + its companion TOTP
    org.enrollFactor(alice.id, { factorType: 'sms', phoneNumber: '+15555550142', activate: true });
    agent = createAgent({
      config: {
        okta: { orgUrl: org.orgUrl, apiToken: token },
        apps: [
          {
            name: 'vpn',
            appId: app.id,
            mode: 'password-first',
            listen: { host: '127.0.0.1', port: 0 },
            usernameFormat: { suffix: '@corp.example.com' },
            clients: [{ name: 'lab', address: '127.0.0.1', secret: SECRET }],
          },
        ],
      },
      clock,
      fetch: oktaFetch(org),
    });
    const [ep] = await agent.start();
    sock = new TestRadiusSocket(ep!.endpoint);
  });

  after(async () => {
    sock?.close();
    await agent?.stop();
  });

  async function challenge(userName: string): Promise<Uint8Array> {
    await sock.send(buildAccessRequest({ userName, password: 'Alice-pw-1', secret: SECRET }));
    const reply = await sock.next();
    assert.equal(reply?.code, RadiusCode.AccessChallenge);
    assert.match(replyMessage(reply), /^Choose a factor: 1 Okta Verify push, 2 Okta Verify code, 3 SMS code \(\+1 XXX-XXX-0142\)\./);
    const state = getOctets(reply!, 'State');
    assert.equal(state?.length, 16, 'a random 16-byte State, not the stateToken');
    assert.ok(!Buffer.from(state!).toString('latin1').startsWith('00'));
    return state!;
  }

  it('UPN, down-level and bare names: password, pick SMS, code → Access-Accept', async () => {
    for (const userName of ['alice@corp.example.com', 'CORP\\alice', 'alice']) {
      const state = await challenge(userName);
      await sock.send(buildAccessRequest({ userName, password: '3', secret: SECRET, state }));
      const second = await sock.next();
      assert.equal(second?.code, RadiusCode.AccessChallenge, userName);
      assert.match(replyMessage(second), /A code was sent by SMS/);
      const code = delivery.codes.at(-1)!.code;
      await sock.send(buildAccessRequest({ userName, password: code, secret: SECRET, state: getOctets(second!, 'State')! }));
      assert.equal((await sock.next())?.code, RadiusCode.AccessAccept, userName);
      await clock.advance(31_000); // Okta sends one SMS per phone every 30 s
    }
    assert.ok(org.events.ofType('user.session.start').length >= 3, 'each sign-in finished an Okta Authn transaction');
  });

  it('pick push: approved on the phone → Access-Accept', async () => {
    const state = await challenge('alice');
    const before = delivery.pushes.length;
    await sock.send(buildAccessRequest({ userName: 'alice', password: '1', secret: SECRET, state }));
    await until(() => delivery.pushes.length > before, 'the push to arrive');
    org.answerPush(delivery.pushes.at(-1)!.transactionId, 'APPROVE');
    await clock.advance(1_000);
    assert.equal((await sock.next())?.code, RadiusCode.AccessAccept);
  });

  it('stop() still rejects an in-flight push (agent-stopping)', async () => {
    const state = await challenge('alice');
    const before = delivery.pushes.length;
    await sock.send(buildAccessRequest({ userName: 'alice', password: '1', secret: SECRET, state }));
    await until(() => delivery.pushes.length > before, 'the push to arrive');
    assert.equal(agent.inFlight, 1);
    await agent.stop();
    const reply = await sock.next();
    assert.equal(reply?.code, RadiusCode.AccessReject);
    assert.match(replyMessage(reply), /restarting/);
    assert.equal(agent.inFlight, 0);
  });
});
