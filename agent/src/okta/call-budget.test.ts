/**
 * The agent-wide Okta call budget end to end (createAgent over real UDP, a fake
 * Okta behind `fetch`, the real clock): more sign-ins at once than the budget can
 * serve before their deadline. The calls stay within `okta.callsPerSecond` in
 * every second; a request whose first call cannot start before its deadline is
 * answered at once per the response mode (always-reject: Access-Reject now, not at
 * the deadline; reject-when-polling-mfa: no answer, as at its time-out, counted);
 * the requests the budget can serve are accepted.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAgent } from '../agent.ts';
import type { FetchLike } from './client.ts';
import { RadiusCode } from '../radius/codes.ts';
import { decodePacket } from '../radius/codec.ts';
import { buildAccessRequest, replyMessage, TestRadiusSocket } from '../test-support/radius-test-client.ts';

const secret = 'call-budget-secret-0123';

function fakeOkta(): { fetch: FetchLike; starts: number[] } {
  const starts: number[] = [];
  const json = (body: unknown): Response => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  const fetch: FetchLike = async (url, init) => {
    starts.push(Date.now());
    const path = new URL(url).pathname;
    if (init.method === 'POST') return json({ factorResult: 'SUCCESS' });
    if (path.endsWith('/factors')) return json([{ id: 'f1', factorType: 'token:software:totp', provider: 'GOOGLE', status: 'ACTIVE' }]);
    const login = decodeURIComponent(path.split('/').pop() ?? '');
    return json({ id: `00u-${login}`, status: 'ACTIVE', profile: { login } });
  };
  return { fetch, starts };
}

/** Most calls seen in any one second; a call reaches fetch a few ms after the budget admits it, so 1 s less 10 ms. */
function mostInOneSecond(starts: number[]): number {
  let most = 0;
  for (let i = 0, j = 0; i < starts.length; i++) {
    while (starts[i]! - starts[j]! >= 990) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

async function storm(mode: 'always-reject' | 'reject-when-polling-mfa') {
  const okta = fakeOkta();
  const agent = createAgent({
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
  const socket = new TestRadiusSocket(app!.endpoint);
  const sentAt = Date.now();
  const n = 12;
  for (let i = 0; i < n; i++) await socket.send(buildAccessRequest({ userName: `user${i}@corp.example.com`, password: '123456', secret, identifier: i }));
  const answers: Array<{ id: number; code: number; ms: number; message: string }> = [];
  for (;;) {
    const raw = await socket.nextRaw(2_500);
    if (!raw) break;
    const d = decodePacket(raw);
    if (d.ok) answers.push({ id: d.packet.identifier, code: d.packet.code, ms: Date.now() - sentAt, message: replyMessage(d.packet) });
  }
  const silent = agent.events.dropped('handler-no-reply');
  socket.close();
  await agent.stop();
  return { answers, starts: okta.starts, silent, n };
}

describe('the Okta call budget (okta.callsPerSecond) with more sign-ins than it can serve in time', () => {
  it('always-reject: calls within the budget; the first sign-ins accepted; the rest rejected at once, long before their deadline', async () => {
    const { answers, starts, n } = await storm('always-reject');
    assert.equal(answers.length, n, 'every request answered');
    assert.ok(mostInOneSecond(starts) <= 4, `at most 4 Okta calls in any second (saw ${mostInOneSecond(starts)})`);
    const accepted = answers.filter((a) => a.code === RadiusCode.AccessAccept);
    const shed = answers.filter((a) => a.code === RadiusCode.AccessReject);
    assert.ok(accepted.length >= 1 && accepted.length <= 4, `${accepted.length} accepted`);
    assert.equal(accepted.length + shed.length, n);
    for (const a of shed) assert.match(a.message, /took too long/, 'answered as a time-out (the response mode decides)');
    // Those whose first call could not start in time at once; one already started may still run out at its deadline.
    const atOnce = shed.filter((a) => a.ms < 1_000);
    assert.ok(atOnce.length >= n - 4, `${atOnce.length} rejected at once (ms: ${shed.map((a) => a.ms).join(', ')})`);
    for (const a of answers) assert.ok(a.ms < 1_500 + 300, `request ${a.id} answered after ${a.ms} ms (deadline 1,500)`);
  });

  it('reject-when-polling-mfa (the default): a request shed in its lookups gets no answer, as at its time-out, and is counted', async () => {
    const { answers, silent, n } = await storm('reject-when-polling-mfa');
    assert.ok(answers.every((a) => a.code === RadiusCode.AccessAccept));
    assert.ok(answers.length >= 1);
    assert.equal(answers.length + silent, n);
  });
});
