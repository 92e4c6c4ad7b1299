/**
 * A request still in its Okta lookup when the total request time-out fires is
 * answered per the documented response mode (ragent.request.timeout.response.mode):
 * always-reject answers Access-Reject at the deadline; reject-when-polling-mfa
 * (SEND_REJECT_ON_POLL_MFA, Okta's default) rejects only while polling a push, so
 * a lookup that timed out gets no answer — by design, and the drop is counted.
 * Okta is a real HTTP server that accepts the call and never answers; the agent's
 * time is a virtual clock, moved past the deadline once the call is seen to have
 * reached Okta. (On the real clock, a CI machine busy with other stages delayed the
 * 300-ms deadline's answer past what the test waited for.)
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { VirtualClock } from '../../../simulators/clock/virtual-clock.ts';
import { createAgent } from '../agent.ts';
import type { PacketEvent } from '../packet-events.ts';
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
const TOTAL_MS = 300;

async function signInWith(mode: 'always-reject' | 'reject-when-polling-mfa') {
  const clock = new VirtualClock();
  const agent = createAgent({
    clock,
    config: {
      okta: { orgUrl, apiToken: 't', requestTimeoutMs: 10_000, maxRetries: 0 },
      apps: [{ name: 'a', listen: { host: '127.0.0.1', port: 0 }, clients: [{ name: 'c', address: '127.0.0.1', secret }], timeouts: { totalRequestMs: TOTAL_MS, responseModeOnTimeout: mode } }],
    },
  });
  const [app] = await agent.start();
  const socket = new TestRadiusSocket(app!.endpoint);
  // The agent's decision, and the clock's time when it made it: a reply sent, or the request dropped unanswered.
  let decision: { event: PacketEvent; at: number } | undefined;
  const decided = new Promise<void>((resolve) => {
    agent.events.on('packet', (event) => {
      if (decision === undefined && (event.direction === 'sent' || (event.direction === 'dropped' && event.reason === 'handler-no-reply'))) {
        decision = { event, at: clock.now() };
        resolve();
      }
    });
  });
  try {
    const reachedOkta = once(hung, 'request');
    const sentAt = clock.now();
    await socket.send(buildAccessRequest({ userName: 'alice', password: '123456', secret }));
    const [oktaCall] = (await reachedOkta) as [{ url?: string }];
    await clock.advance(TOTAL_MS - 1);
    const undecidedBefore = decision === undefined;
    const beforeDeadline = await socket.next(100);
    await clock.advance(1);
    await Promise.race([
      decided,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no reply sent and no drop counted within 5 s (real time) of the deadline')), 5_000).unref()),
    ]);
    // Real time only for the packet's trip back over loopback (or, when none was sent, a
    // short look for a stray one); the deadline itself was the clock's.
    const atDeadline = await socket.next(decision?.event.direction === 'sent' ? 5_000 : 200);
    return {
      oktaCall: oktaCall.url,
      undecidedBefore,
      beforeDeadline,
      decidedAfterMs: decision!.at - sentAt,
      atDeadline,
      dropped: agent.events.dropped('handler-no-reply'),
    };
  } finally {
    socket.close();
    await agent.stop();
  }
}

describe('a request stuck in its Okta lookup at the total time-out', () => {
  it('always-reject: Access-Reject at the deadline, not before', async () => {
    const r = await signInWith('always-reject');
    assert.match(r.oktaCall ?? '', /^\/api\/v1\/users\//, 'the request was in its user lookup');
    assert.ok(r.undecidedBefore, 'nothing decided 1 ms before the deadline');
    assert.equal(r.beforeDeadline, null, 'no answer 1 ms before the deadline');
    assert.equal(r.decidedAfterMs, TOTAL_MS, 'decided at the deadline');
    assert.equal(r.atDeadline?.code, RadiusCode.AccessReject);
  });

  it('reject-when-polling-mfa (the default): no answer, as documented, and the silence is counted', async () => {
    const r = await signInWith('reject-when-polling-mfa');
    assert.match(r.oktaCall ?? '', /^\/api\/v1\/users\//, 'the request was in its user lookup');
    assert.ok(r.undecidedBefore, 'nothing decided 1 ms before the deadline');
    assert.equal(r.decidedAfterMs, TOTAL_MS, 'decided (not to answer) at the deadline');
    assert.equal(r.beforeDeadline, null);
    assert.equal(r.atDeadline, null, 'no answer');
    assert.equal(r.dropped, 1, 'the unanswered request is counted as handler-no-reply');
  });
});
