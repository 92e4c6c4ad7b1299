/**
 * The agent-wide Okta call budget end to end (createAgent over real UDP, a fake
 * Okta behind `fetch`, the real clock): more sign-ins at once than the budget can
 * serve before their deadline. The calls stay within `okta.callsPerSecond` in
 * every second; a request whose first call cannot start before its deadline is
 * answered at once per the response mode (always-reject: Access-Reject now, not at
 * the deadline; reject-when-polling-mfa: no answer, as at its time-out, counted);
 * the requests the budget can serve are accepted. The agent's time is a virtual
 * clock moved in 10-ms steps once every request has arrived, so the budget's
 * seconds and the deadlines are exact: on the real clock a busy CI machine moved
 * the figures this test asserts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock } from '../../../simulators/clock/virtual-clock.ts';
import { createAgent } from '../agent.ts';
import type { PacketEvent } from '../packet-events.ts';
import type { FetchLike } from './client.ts';
import { RadiusCode } from '../radius/codes.ts';
import { decodePacket } from '../radius/codec.ts';
import { buildAccessRequest, replyMessage, TestRadiusSocket } from '../test-support/radius-test-client.ts';

const secret = 'call-budget-secret-0123';

function fakeOkta(clock: VirtualClock): { fetch: FetchLike; starts: number[] } {
  const starts: number[] = [];
  const json = (body: unknown): Response => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  const fetch: FetchLike = async (url, init) => {
    starts.push(clock.now());
    const path = new URL(url).pathname;
    if (init.method === 'POST') return json({ factorResult: 'SUCCESS' });
    if (path.endsWith('/factors')) return json([{ id: 'f1', factorType: 'token:software:totp', provider: 'GOOGLE', status: 'ACTIVE' }]);
    const login = decodeURIComponent(path.split('/').pop() ?? '');
    return json({ id: `00u-${login}`, status: 'ACTIVE', profile: { login } });
  };
  return { fetch, starts };
}

/** Most calls started in any one second of the clock. */
function mostInOneSecond(starts: number[]): number {
  let most = 0;
  for (let i = 0, j = 0; i < starts.length; i++) {
    while (starts[i]! - starts[j]! >= 1_000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** Waits (real time, bounded) for something the agent does on its own, such as reading its socket. */
async function until(ok: () => boolean, what: string): Promise<void> {
  const give = Date.now() + 10_000;
  while (!ok()) {
    if (Date.now() > give) throw new Error(`not within 10 s: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function storm(mode: 'always-reject' | 'reject-when-polling-mfa') {
  const clock = new VirtualClock();
  const okta = fakeOkta(clock);
  const agent = createAgent({
    clock,
    config: {
      // Three calls a sign-in (user, factors, verify; no cache, no app id): 4 a second serves ~1 sign-in a second.
      okta: { orgUrl: 'https://budget.okta.example', apiToken: 't', callsPerSecond: 4, lookupCacheMs: 0 },
      requestThreads: 100,
      apps: [
        {
          name: 'a',
          listen: { host: '127.0.0.1', port: 0 },
          clients: [{ name: 'c', address: '127.0.0.1', secret }],
          timeouts: { totalRequestMs: 1_500, responseModeOnTimeout: mode },
        },
      ],
    },
    fetch: okta.fetch,
  });
  const [app] = await agent.start();
  // When (on the clock) the agent sent each reply, by identifier.
  const sentAt = new Map<number, number>();
  agent.events.on('packet', (e: PacketEvent) => {
    if (e.direction === 'sent' && e.identifier !== undefined) sentAt.set(e.identifier, e.at);
  });
  const socket = new TestRadiusSocket(app!.endpoint);
  const n = 12;
  try {
    const t0 = clock.now();
    for (let i = 0; i < n; i++) await socket.send(buildAccessRequest({ userName: `user${i}@corp.example.com`, password: '123456', secret, identifier: i }));
    await until(() => agent.events.received === n, `the agent received all ${n} requests`);
    // 2.5 s of the clock, past every deadline (1.5 s), in 10-ms steps.
    for (let t = 0; t < 2_500; t += 10) await clock.advance(10);
    const silent = agent.events.dropped('handler-no-reply');
    await until(() => sentAt.size + silent === n, 'every request answered or counted as unanswered');
    const answers: Array<{ id: number; code: number; ms: number; message: string }> = [];
    while (answers.length < sentAt.size) {
      const raw = await socket.nextRaw(5_000);
      assert.ok(raw, `reply ${answers.length + 1} of ${sentAt.size} sent did not arrive`);
      const d = decodePacket(raw);
      if (d.ok) answers.push({ id: d.packet.identifier, code: d.packet.code, ms: sentAt.get(d.packet.identifier)! - t0, message: replyMessage(d.packet) });
    }
    return { answers, starts: okta.starts.map((at) => at - t0), silent, n };
  } finally {
    socket.close();
    await agent.stop();
  }
}

describe('the Okta call budget (okta.callsPerSecond) with more sign-ins than it can serve in time', () => {
  it('always-reject: calls within the budget; the first sign-ins accepted; the rest rejected at once, long before their deadline', async () => {
    const { answers, starts, n } = await storm('always-reject');
    assert.equal(answers.length, n, 'every request answered');
    assert.ok(mostInOneSecond(starts) <= 4, `at most 4 Okta calls in any second (saw ${mostInOneSecond(starts)}: ${starts.join(', ')})`);
    // Before the deadline the budget has two seconds' calls (at 0 and at 1,000 ms): 8, two sign-ins' worth (3 each).
    assert.equal(starts.length, 8, `the budget was used, not wasted (${starts.join(', ')})`);
    const accepted = answers.filter((a) => a.code === RadiusCode.AccessAccept);
    const shed = answers.filter((a) => a.code === RadiusCode.AccessReject);
    assert.equal(accepted.length, 2, `${accepted.length} accepted`);
    assert.equal(accepted.length + shed.length, n);
    for (const a of shed) assert.match(a.message, /took too long/, 'answered as a time-out (the response mode decides)');
    // Those whose first call could not start in time at once; one already started may still run out at its deadline.
    const atOnce = shed.filter((a) => a.ms === 0);
    assert.ok(atOnce.length >= n - 4, `${atOnce.length} rejected at once (ms: ${shed.map((a) => a.ms).join(', ')})`);
    for (const a of answers) assert.ok(a.ms <= 1_500, `request ${a.id} answered after ${a.ms} ms (deadline 1,500)`);
  });

  it('reject-when-polling-mfa (the default): a request shed in its lookups gets no answer, as at its time-out, and is counted', async () => {
    const { answers, silent, n } = await storm('reject-when-polling-mfa');
    assert.ok(answers.every((a) => a.code === RadiusCode.AccessAccept));
    assert.ok(answers.length >= 1);
    assert.equal(answers.length + silent, n);
  });
});
