/**
 * ragent.num_request_threads (Agent_install_linux-conf-properties.htm, default 15) and
 * "Request queue is full" (radius-best-pract-ts.htm): with every thread busy on a pending
 * push, the next request is rejected at once, the reason is counted and the line logged.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock } from '../../simulators/clock/virtual-clock.ts';
import { RecordingDelivery } from '../../simulators/okta/delivery.ts';
import { OktaOrg } from '../../simulators/okta/org.ts';
import { oktaFetch } from '../../simulators/okta/serve.ts';
import { createAgent } from './agent.ts';
import { validateConfig } from './config.ts';
import type { Logger } from './logger.ts';
import { RadiusCode } from './radius/codes.ts';
import { buildAccessRequest, replyMessage, TestRadiusSocket } from './test-support/radius-test-client.ts';

const SECRET = 'request-threads-secret';

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('request threads (ragent.num_request_threads)', () => {
  it('defaults to 15', () => {
    const c = validateConfig({ okta: { orgUrl: 'https://example.okta.com', apiToken: 't' }, apps: [{ name: 'a', secret: 's3cret-123' }] }, {});
    assert.equal(c.requestThreads, 15);
  });

  it('with one thread held by a pending push, the next request is rejected at once and "Request queue is full" logged', async () => {
    const clock = new VirtualClock();
    const delivery = new RecordingDelivery();
    const org = new OktaOrg({ clock, delivery, seed: 3 });
    const token = org.createApiToken();
    const alice = org.createUser({ profile: { login: 'alice@corp.example.com' }, password: 'pw' });
    org.enrollFactor(alice.id, { factorType: 'push', provider: 'OKTA', activate: true });
    const warnings: string[] = [];
    const logger = { info() {}, warn: (_o: unknown, msg: string) => warnings.push(msg), error() {}, debug() {}, child() { return logger; } } as unknown as Logger;
    const agent = createAgent({
      config: {
        okta: { orgUrl: org.orgUrl, apiToken: token },
        requestThreads: 1,
        apps: [{ name: 'ws', listen: { host: '127.0.0.1', port: 0 }, usernameFormat: { suffix: '@corp.example.com' }, clients: [{ name: 'lab', address: '127.0.0.1', secret: SECRET }] }],
      },
      clock,
      fetch: oktaFetch(org),
      logger,
    });
    const [ep] = await agent.start();
    const sock = new TestRadiusSocket(ep!.endpoint);
    try {
      await sock.send(buildAccessRequest({ userName: 'alice', password: 'push', secret: SECRET }));
      await until(() => delivery.pushes.length > 0, 'the push');
      await sock.send(buildAccessRequest({ userName: 'alice', password: '123456', secret: SECRET }));
      const busy = await sock.next();
      assert.equal(busy?.code, RadiusCode.AccessReject);
      assert.match(replyMessage(busy), /busy/);
      assert.ok(warnings.includes('Request queue is full'));
      assert.match(await agent.metrics.text(), /reason="request-queue-full"[^\n]*\s1\n/);
      org.answerPush(delivery.pushes[0]!.transactionId, 'APPROVE');
      await clock.advance(2_000);
      assert.equal((await sock.next())?.code, RadiusCode.AccessAccept);
      // The thread is free again.
      await sock.send(buildAccessRequest({ userName: 'alice', password: '000000', secret: SECRET }));
      const after = await sock.next();
      assert.equal(after?.code, RadiusCode.AccessReject);
      assert.doesNotMatch(replyMessage(after), /busy/);
    } finally {
      sock.close();
      await agent.stop();
    }
  });
});
