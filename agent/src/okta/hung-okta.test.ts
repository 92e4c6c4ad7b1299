/**
 * A request still in its Okta lookup when the total request time-out fires is
 * answered per the documented response mode (ragent.request.timeout.response.mode):
 * always-reject answers Access-Reject before the deadline passes by much;
 * reject-when-polling-mfa (SEND_REJECT_ON_POLL_MFA, Okta's default) rejects only
 * while polling a push, so a lookup that timed out gets no answer — by design,
 * and the drop is counted. The agent runs on the real clock against an HTTP
 * Okta that accepts connections and never answers.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { createAgent } from '../agent.ts';
import { RadiusCode } from '../radius/codes.ts';
import { buildAccessRequest, TestRadiusSocket } from '../test-support/radius-test-client.ts';

const hung = createServer(() => {
  // never answers
});
await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
const orgUrl = `http://127.0.0.1:${(hung.address() as AddressInfo).port}`;
after(
  () =>
    new Promise<void>((resolve) => {
      hung.closeAllConnections();
      hung.close(() => resolve());
    }),
);

const secret = 'hung-okta-secret-0123';

async function signInWith(mode: 'always-reject' | 'reject-when-polling-mfa') {
  const agent = createAgent({
    config: {
      okta: { orgUrl, apiToken: 't', requestTimeoutMs: 10_000, maxRetries: 0 },
      apps: [{ name: 'a', listen: { host: '127.0.0.1', port: 0 }, clients: [{ name: 'c', address: '127.0.0.1', secret }], timeouts: { totalRequestMs: 300, responseModeOnTimeout: mode } }],
    },
  });
  const [app] = await agent.start();
  const socket = new TestRadiusSocket(app!.endpoint);
  const sentAt = Date.now();
  await socket.send(buildAccessRequest({ userName: 'alice', password: '123456', secret }));
  const reply = await socket.next(1_500);
  const ms = Date.now() - sentAt;
  const dropped = agent.events.dropped('handler-no-reply');
  socket.close();
  await agent.stop();
  return { reply, ms, dropped };
}

describe('a request stuck in its Okta lookup at the total time-out', () => {
  it('always-reject: Access-Reject at the deadline', async () => {
    const { reply, ms } = await signInWith('always-reject');
    assert.equal(reply?.code, RadiusCode.AccessReject);
    assert.ok(ms >= 250 && ms < 1_200, `answered after ${ms} ms (deadline 300 ms)`);
  });

  it('reject-when-polling-mfa (the default): no answer, as documented, and the silence is counted', async () => {
    const { reply, dropped } = await signInWith('reject-when-polling-mfa');
    assert.equal(reply, null);
    assert.equal(dropped, 1);
  });
});
