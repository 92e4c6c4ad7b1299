import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock } from '../../simulators/clock/virtual-clock.ts';
import { OktaOrg } from '../../simulators/okta/org.ts';
import { oktaFetch } from '../../simulators/okta/serve.ts';
import { totpAt } from '../../simulators/okta/totp.ts';
import { createAgent } from './agent.ts';
import { createLogger, decisionLogger } from './logger.ts';
import { buildAccessRequest, TestRadiusSocket } from './test-support/radius-test-client.ts';

function capture(): { lines: string[]; stream: { write(s: string): void } } {
  const lines: string[] = [];
  return { lines, stream: { write: (s: string) => void lines.push(s) } };
}

describe('logging', () => {
  it('redacts secret-looking keys wherever they are passed', () => {
    const { lines, stream } = capture();
    const log = createLogger({ destination: stream });
    log.info({ password: 'hunter2', passCode: '123456', secret: 's3', apiToken: 't0k', req: { authorization: 'SSWS t0k', stateToken: '00st-x' } }, 'x');
    log.info({ stateToken: '00st-y' }, 'y');
    const out = lines.join('');
    for (const s of ['hunter2', '123456', 's3', 't0k', '00st-x', '00st-y']) assert.ok(!out.includes(s), `${s} leaked: ${out}`);
    assert.match(out, /\[redacted\]/);
  });

  it('the decision logger still redacts top-level secret keys', () => {
    const { lines, stream } = capture();
    const log = decisionLogger(createLogger({ destination: stream }));
    log.info({ reason: 'x', password: 'hunter2', passCode: '123456', secret: 's3', token: 't0k', stateToken: '00st-z' }, 'decision');
    const out = lines.join('');
    for (const s of ['hunter2', '123456', 's3', 't0k', '00st-z']) assert.ok(!out.includes(s), `${s} leaked: ${out}`);
    assert.match(out, /"reason":"x"/);
  });

  it('every decision is one line with its reason code; no secret, passcode, password or token appears', async () => {
    const clock = new VirtualClock();
    const org = new OktaOrg({ clock, seed: 3 });
    const token = org.createApiToken();
    const u = org.createUser({ profile: { login: 'carol@corp.example.com' }, password: 'Password-Carol-1' });
    const totp = org.enrollFactor(u.id, { factorType: 'token:software:totp', provider: 'OKTA', activate: true });
    const secret = 'very-secret-shared-secret';
    const { lines, stream } = capture();
    const agent = createAgent({
      config: {
        okta: { orgUrl: org.orgUrl, apiToken: token },
        apps: [
          { name: 'mfa', listen: { host: '127.0.0.1', port: 0 }, clients: [{ name: 'lab', address: '127.0.0.1', secret }] },
          {
            name: 'pwd',
            mode: 'password-passcode',
            listen: { host: '127.0.0.1', port: 0 },
            clients: [{ name: 'lab', address: '127.0.0.1', secret }],
          },
        ],
      },
      clock,
      fetch: oktaFetch(org),
      logger: createLogger({ level: 'trace', destination: stream }),
    });
    const [mfa, pwd] = await agent.start();
    const a = new TestRadiusSocket(mfa!.endpoint);
    const b = new TestRadiusSocket(pwd!.endpoint);
    try {
      const good = totpAt(totp.activation!.sharedSecret, clock.now());
      await a.send(buildAccessRequest({ userName: 'carol@corp.example.com', password: good, secret }));
      assert.equal((await a.next())?.code, 2);
      await a.send(buildAccessRequest({ userName: 'carol@corp.example.com', password: '987654', secret }));
      assert.equal((await a.next())?.code, 3);
      await b.send(buildAccessRequest({ userName: 'carol@corp.example.com', password: 'Password-Carol-1,246810', secret }));
      assert.equal((await b.next())?.code, 3);
    } finally {
      a.close();
      b.close();
      await agent.stop();
    }
    const out = lines.join('');
    for (const leaked of [secret, token, 'Password-Carol-1', '987654', '246810', totp.activation!.sharedSecret]) {
      assert.ok(!out.includes(leaked), `log output contains a secret value (${leaked.length} chars)`);
    }
    const decisions = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'decision');
    assert.deepEqual(
      decisions.map((d) => [d.app, d.result, d.reason]),
      [
        ['mfa', 'accept', 'passcode-accepted'],
        ['mfa', 'reject', 'passcode-invalid'],
        ['pwd', 'reject', 'passcode-invalid'],
      ],
    );
    assert.equal(lines.filter((l) => JSON.parse(l).msg === 'listening').length, 2);
  });
});
