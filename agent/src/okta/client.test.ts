import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock } from '../../../simulators/clock/virtual-clock.ts';
import { isCodedError } from '../errors.ts';
import { type FetchLike, OktaClient, rateLimitWait } from './client.ts';

interface Seen {
  method: string;
  url: string;
  auth: string | null;
  body: unknown;
}

type Responder = (req: Seen, signal: AbortSignal | null | undefined) => Response | Promise<Response> | 'network-error' | 'hang';

/** A fetch that answers from a script and records what it saw. */
function scriptedFetch(responders: Responder[]): { fetch: FetchLike; seen: Seen[] } {
  const seen: Seen[] = [];
  const fetch: FetchLike = async (input, init) => {
    const headers = new Headers(init.headers);
    const req: Seen = {
      method: init.method ?? 'GET',
      url: input,
      auth: headers.get('authorization'),
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    seen.push(req);
    const r = responders[Math.min(seen.length - 1, responders.length - 1)]!;
    const out = await r(req, init.signal);
    if (out === 'network-error') throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    if (out === 'hang') {
      return new Promise<Response>((_, reject) => {
        if (init.signal?.aborted) reject(init.signal.reason);
        init.signal?.addEventListener('abort', () => reject(init.signal?.reason), { once: true });
      });
    }
    return out;
  };
  return { fetch, seen };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

function client(fetch: FetchLike, clock = new VirtualClock(), extra: Partial<ConstructorParameters<typeof OktaClient>[0]> = {}) {
  return new OktaClient({ orgUrl: 'https://example.okta.com', apiToken: 'tok-SECRET', clock, fetch, retryBackoffMs: 100, ...extra });
}

describe('OktaClient', () => {
  it('sends the SSWS token and reads a user; 404 is null', async () => {
    const { fetch, seen } = scriptedFetch([() => json(200, { id: '00u1', status: 'ACTIVE', profile: { login: 'a@x' } }), () => json(404, {})]);
    const c = client(fetch);
    const u = await c.getUser('a@x');
    assert.equal(u?.id, '00u1');
    assert.equal(seen[0]!.auth, 'SSWS tok-SECRET');
    assert.equal(seen[0]!.url, 'https://example.okta.com/api/v1/users/a%40x');
    assert.equal(await c.getUser('nobody'), null);
  });

  it('verifies a passcode: SUCCESS, and 403 E0000068 means invalid', async () => {
    const { fetch, seen } = scriptedFetch([
      () => json(200, { factorResult: 'SUCCESS' }),
      () => json(403, { errorCode: 'E0000068', errorSummary: 'Invalid Passcode/Answer' }),
    ]);
    const c = client(fetch);
    assert.equal((await c.verifyPasscode('u', 'f', '123456')).outcome, 'SUCCESS');
    assert.deepEqual(seen[0]!.body, { passCode: '123456' });
    assert.equal(seen[0]!.url, 'https://example.okta.com/api/v1/users/u/factors/f/verify');
    assert.equal((await c.verifyPasscode('u', 'f', '000000')).outcome, 'INVALID');
  });

  it('assignment: 200 is assigned, 404 is not', async () => {
    const { fetch, seen } = scriptedFetch([() => json(200, { id: 'u' }), () => json(404, { errorCode: 'E0000007' })]);
    const c = client(fetch);
    assert.equal(await c.isAssignedToApp('0oa1', 'u'), true);
    assert.equal(seen[0]!.url, 'https://example.okta.com/api/v1/apps/0oa1/users/u');
    assert.equal(await c.isAssignedToApp('0oa1', 'u'), false);
  });

  it('push: polls the transaction link on the clock until SUCCESS', async () => {
    const clock = new VirtualClock();
    const poll = { _links: { poll: { href: 'https://elsewhere.example/api/v1/users/u/factors/f/transactions/t1' } } };
    const { fetch, seen } = scriptedFetch([
      () => json(201, { factorResult: 'WAITING', ...poll }),
      () => json(200, { factorResult: 'WAITING', ...poll }),
      () => json(200, { factorResult: 'SUCCESS' }),
    ]);
    const c = client(fetch, clock, { pushPollIntervalMs: 1_000 });
    const p = c.verifyPush('u', 'f', 30_000);
    await clock.advance(1_000);
    // The pause grows ×1.5 per poll (back-off): the second poll comes 1.5 s after the first.
    await clock.advance(1_500);
    assert.equal((await p).outcome, 'SUCCESS');
    assert.equal(seen.length, 3);
    // The link's host is never followed: the token only ever goes to the configured org.
    assert.equal(seen[1]!.url, 'https://example.okta.com/api/v1/users/u/factors/f/transactions/t1');
  });

  it('push: REJECTED, Okta TIMEOUT, and the agent-side push timeout', async () => {
    const poll = { _links: { poll: { href: '/api/v1/users/u/factors/f/transactions/t' } } };
    const rejected = scriptedFetch([() => json(201, { factorResult: 'WAITING', ...poll }), () => json(200, { factorResult: 'REJECTED' })]);
    const clock = new VirtualClock();
    let p = client(rejected.fetch, clock).verifyPush('u', 'f', 30_000);
    await clock.advance(1_000);
    assert.equal((await p).outcome, 'REJECTED');

    const oktaTimeout = scriptedFetch([() => json(201, { factorResult: 'WAITING', ...poll }), () => json(200, { factorResult: 'TIMEOUT' })]);
    p = client(oktaTimeout.fetch, clock).verifyPush('u', 'f', 30_000);
    await clock.advance(1_000);
    assert.equal((await p).outcome, 'TIMEOUT');

    const waiting = scriptedFetch([() => json(201, { factorResult: 'WAITING', ...poll })]);
    p = client(waiting.fetch, clock).verifyPush('u', 'f', 5_000);
    for (let i = 0; i < 6; i++) await clock.advance(1_000);
    assert.equal((await p).outcome, 'TIMEOUT');
    assert.ok(waiting.seen.length <= 6, 'about one poll per interval');
  });

  it('challenge: SMS CHALLENGE with expiry', async () => {
    const { fetch, seen } = scriptedFetch([() => json(200, { factorResult: 'CHALLENGE', expiresAt: '2026-01-05T09:05:00.000Z' })]);
    const r = await client(fetch).challenge('u', 'sms1');
    assert.equal(r.outcome, 'CHALLENGE');
    assert.equal(r.expiresAt, Date.parse('2026-01-05T09:05:00.000Z'));
    assert.equal(seen[0]!.body, undefined, 'a challenge has no body');
  });

  it('retries 5xx and network errors with backoff, then succeeds', async () => {
    const clock = new VirtualClock();
    const { fetch, seen } = scriptedFetch([() => json(503, {}), () => 'network-error', () => json(200, [])]);
    const calls: number[] = [];
    const c = client(fetch, clock, { onCall: (r) => calls.push(r.status) });
    const p = c.listFactors('u');
    await clock.advance(100);
    await clock.advance(200);
    assert.deepEqual(await p, []);
    assert.equal(seen.length, 3);
    assert.deepEqual(calls, [503, 0, 200]);
  });

  it('fails closed with okta-unavailable after bounded retries', async () => {
    const clock = new VirtualClock();
    const { fetch, seen } = scriptedFetch([() => json(500, {})]);
    const p = client(fetch, clock, { maxRetries: 2 }).getUser('a');
    const settled = p.catch((e: unknown) => e);
    await clock.advance(100);
    await clock.advance(200);
    const e = await settled;
    assert.ok(isCodedError(e, 'OKTA_UNAVAILABLE'));
    assert.equal((e as unknown as { reason: string }).reason, 'okta-unavailable');
    assert.equal(seen.length, 3);
    assert.ok(!String((e as Error).message).includes('tok-SECRET'));
  });

  it('a bad API token (401) fails closed at once, without retries', async () => {
    const { fetch, seen } = scriptedFetch([() => json(401, { errorCode: 'E0000011' })]);
    await assert.rejects(client(fetch).listFactors('u'), (e: unknown) => isCodedError(e, 'OKTA_UNAVAILABLE') && /API token/.test((e as Error).message));
    assert.equal(seen.length, 1);
  });

  it('honours 429 X-Rate-Limit-Reset by waiting on the clock', async () => {
    const clock = new VirtualClock();
    const resetAt = Math.ceil((clock.now() + 3_000) / 1000);
    const { fetch, seen } = scriptedFetch([() => json(429, {}, { 'x-rate-limit-reset': String(resetAt) }), () => json(200, [])]);
    const p = client(fetch, clock).listFactors('u');
    await clock.advance(2_000);
    assert.equal(seen.length, 1, 'still waiting for the reset');
    await clock.advance(2_000);
    assert.deepEqual(await p, []);
    assert.equal(seen.length, 2);
  });

  it('a 429 whose reset is too far away fails closed instead of waiting', async () => {
    const clock = new VirtualClock();
    const resetAt = Math.ceil((clock.now() + 120_000) / 1000);
    const { fetch } = scriptedFetch([() => json(429, {}, { 'x-rate-limit-reset': String(resetAt) })]);
    await assert.rejects(client(fetch, clock, { maxRateLimitWaitMs: 10_000 }).listFactors('u'), (e: unknown) => isCodedError(e, 'OKTA_UNAVAILABLE'));
  });

  it('a call that hangs times out on the clock and is retried', async () => {
    const clock = new VirtualClock();
    const { fetch, seen } = scriptedFetch([() => 'hang', () => json(200, [])]);
    const p = client(fetch, clock, { requestTimeoutMs: 2_000 }).listFactors('u');
    await clock.advance(2_000);
    await clock.advance(100);
    assert.deepEqual(await p, []);
    assert.equal(seen.length, 2);
  });

  it('a caller abort stops at once with the caller reason', async () => {
    const { fetch } = scriptedFetch([() => 'hang']);
    const ac = new AbortController();
    const p = client(fetch).listFactors('u', ac.signal);
    const why = new Error('deadline');
    ac.abort(why);
    await assert.rejects(p, (e) => e === why);
  });

  it('primary auth: MFA_REQUIRED with factors, 401 is invalid credentials', async () => {
    const { fetch, seen } = scriptedFetch([
      () => json(200, { status: 'MFA_REQUIRED', stateToken: 'st', _embedded: { user: { id: 'u1' }, factors: [{ id: 'f', factorType: 'push' }] } }),
      () => json(401, { errorCode: 'E0000004' }),
    ]);
    const c = client(fetch);
    const r = await c.primaryAuth('a', 'pw');
    assert.equal(r.status, 'MFA_REQUIRED');
    assert.equal(r.userId, 'u1');
    assert.equal(r.factors?.length, 1);
    assert.equal(seen[0]!.url, 'https://example.okta.com/api/v1/authn');
    assert.equal((await c.primaryAuth('a', 'bad')).status, 'INVALID_CREDENTIALS');
  });

  it('primary auth reads the transaction expiry', async () => {
    const { fetch } = scriptedFetch([() => json(200, { status: 'MFA_REQUIRED', stateToken: 'st', expiresAt: '2030-01-01T00:05:00.000Z', _embedded: { factors: [] } })]);
    const r = await client(fetch).primaryAuth('a', 'pw');
    assert.equal(r.expiresAt, Date.parse('2030-01-01T00:05:00.000Z'));
  });

  it('authn passcode: posts stateToken + passCode to /authn/factors/{id}/verify; 403 is INVALID, 401 E0000011 is EXPIRED', async () => {
    const { fetch, seen } = scriptedFetch([
      () => json(200, { status: 'SUCCESS', sessionToken: 'x' }),
      () => json(403, { errorCode: 'E0000068' }),
      () => json(401, { errorCode: 'E0000011' }),
    ]);
    const c = client(fetch);
    assert.equal((await c.authnVerifyPasscode('st-1', 'f/1', '123456')).outcome, 'SUCCESS');
    assert.equal(seen[0]!.url, 'https://example.okta.com/api/v1/authn/factors/f%2F1/verify');
    assert.deepEqual([seen[0]!.method, seen[0]!.body], ['POST', { stateToken: 'st-1', passCode: '123456' }]);
    assert.equal((await c.authnVerifyPasscode('st-1', 'f', '000000')).outcome, 'INVALID');
    assert.equal((await c.authnVerifyPasscode('gone', 'f', '123456')).outcome, 'EXPIRED');
  });

  it('a 401 other than E0000011 (a bad API token) fails closed', async () => {
    const { fetch } = scriptedFetch([() => json(401, { errorCode: 'E0000011x' })]);
    await assert.rejects(client(fetch).authnVerifyPasscode('st', 'f', '1'), (e: unknown) => isCodedError(e, 'OKTA_UNAVAILABLE'));
  });

  it('authn challenge: no passCode, MFA_CHALLENGE is CHALLENGE; anything else fails closed', async () => {
    const { fetch, seen } = scriptedFetch([
      () => json(200, { status: 'MFA_CHALLENGE', stateToken: 'st' }),
      () => json(401, { errorCode: 'E0000011' }),
      () => json(200, { status: 'SUCCESS' }),
    ]);
    const c = client(fetch);
    assert.equal((await c.authnChallenge('st', 'sms1')).outcome, 'CHALLENGE');
    assert.deepEqual(seen[0]!.body, { stateToken: 'st' });
    assert.equal((await c.authnChallenge('st', 'sms1')).outcome, 'EXPIRED');
    await assert.rejects(c.authnChallenge('st', 'sms1'), (e: unknown) => isCodedError(e, 'OKTA_UNAVAILABLE'));
  });

  it('authn push: repeats the verify with the stateToken on the poll schedule until a result, within the push timeout', async () => {
    const clock = new VirtualClock();
    const waiting = () => json(200, { status: 'MFA_CHALLENGE', factorResult: 'WAITING', stateToken: 'st' });
    const { fetch, seen } = scriptedFetch([waiting, waiting, () => json(200, { status: 'SUCCESS' })]);
    const c = client(fetch, clock, { pushPollIntervalMs: 1_000 });
    const p = c.authnVerifyPush('st', 'push1', 30_000);
    await clock.advance(1_000);
    await clock.advance(1_500);
    assert.equal((await p).outcome, 'SUCCESS');
    assert.equal(seen.length, 3);
    assert.ok(seen.every((r) => r.url.endsWith('/api/v1/authn/factors/push1/verify') && (r.body as { stateToken?: string }).stateToken === 'st'));

    const denied = scriptedFetch([waiting, () => json(200, { status: 'MFA_CHALLENGE', factorResult: 'REJECTED', stateToken: 'st' })]);
    const p2 = client(denied.fetch, clock).authnVerifyPush('st', 'push1', 30_000);
    await clock.advance(1_000);
    assert.equal((await p2).outcome, 'REJECTED');

    const never = scriptedFetch([waiting]);
    const p3 = client(never.fetch, clock).authnVerifyPush('st', 'push1', 3_000);
    for (let i = 0; i < 4; i++) await clock.advance(1_000);
    assert.equal((await p3).outcome, 'TIMEOUT');
    assert.ok(never.seen.length <= 4, 'bounded by the push timeout');

    const gone = scriptedFetch([waiting, () => json(401, { errorCode: 'E0000011' })]);
    const p4 = client(gone.fetch, clock).authnVerifyPush('st', 'push1', 30_000);
    await clock.advance(1_000);
    assert.equal((await p4).outcome, 'EXPIRED');
  });

  it('push polls back off (1 s, 1.5 s, 2 s cap), poll once more just before the deadline, and answer at the deadline', async () => {
    const clock = new VirtualClock();
    const t0 = clock.now();
    const poll = { _links: { poll: { href: '/api/v1/users/u/factors/f/transactions/t' } } };
    const at: number[] = [];
    const fetch: import('./client.ts').FetchLike = async () => {
      at.push(clock.now() - t0);
      return json(at.length === 1 ? 201 : 200, { factorResult: 'WAITING', ...poll });
    };
    const p = client(fetch, clock, { pushPollIntervalMs: 1_000, pushPollMaxIntervalMs: 2_000 }).verifyPush('u', 'f', 8_000);
    let answeredAt = -1;
    void p.then(() => {
      answeredAt = clock.now() - t0;
    });
    for (let i = 0; i < 40; i++) await clock.advance(250);
    assert.equal((await p).outcome, 'TIMEOUT');
    assert.deepEqual(at, [0, 1_000, 2_500, 4_500, 6_500, 7_750]);
    assert.equal(answeredAt, 8_000, 'the push times out at its deadline, not before');
  });

  it('push polls of many pushes stay within the poll budget and in-flight cap; each push still gets its last poll', async () => {
    const clock = new VirtualClock();
    const poll = { _links: { poll: { href: '/api/v1/users/u/factors/f/transactions/t' } } };
    const t0 = clock.now();
    let polls = 0;
    let lastPolls = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    const fetch: import('./client.ts').FetchLike = async (_url, init) => {
      if (init.method === 'POST') return json(201, { factorResult: 'WAITING', ...poll });
      // The last poll of each push comes 250 ms before its deadline (10 s), past the poll schedule.
      if (clock.now() - t0 >= 9_750) {
        lastPolls++;
        return json(200, { factorResult: 'WAITING', ...poll });
      }
      polls++;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await Promise.resolve();
      inFlight--;
      return json(200, { factorResult: 'WAITING', ...poll });
    };
    const c = client(fetch, clock, { pushPollsPerSecond: 20, pushPollConcurrency: 3 });
    let latest = 0;
    const pushes = Array.from({ length: 200 }, () =>
      c.verifyPush('u', 'f', 10_000).then((r) => {
        latest = Math.max(latest, clock.now() - t0);
        return r;
      }),
    );
    for (let i = 0; i < 44; i++) await clock.advance(250);
    const outcomes = await Promise.all(pushes);
    assert.ok(latest <= 10_000, `every push answered by its deadline (latest ${latest} ms)`);
    assert.ok(outcomes.every((o) => o.outcome === 'TIMEOUT'));
    // At most 20 starts in any one second (a sliding window) over the 9.75 s before the last polls.
    assert.ok(polls <= 20 * 10, `${polls} polls`);
    assert.ok(polls >= 150, `the budget is used: ${polls} polls`);
    assert.ok(maxInFlight <= 3, `${maxInFlight} in flight`);
    assert.equal(lastPolls, 200, 'one last poll per push, however far behind the poll schedule is');
  });

  it('a push whose polls the sign-in calls crowd out of the budget still gets its last poll, as a sign-in call in its place', async () => {
    const clock = new VirtualClock();
    const t0 = clock.now();
    const link = { _links: { poll: { href: '/api/v1/users/u/factors/f/transactions/t' } } };
    let pollsSeen = 0;
    const fetch: FetchLike = async (url, init) => {
      if (init.method === 'POST') return json(201, { factorResult: 'WAITING', ...link });
      if (url.includes('/transactions/')) {
        pollsSeen++;
        // The phone approves 2 s in.
        return json(200, { factorResult: clock.now() - t0 >= 2_000 ? 'SUCCESS' : 'WAITING', ...link });
      }
      return json(200, { id: '00u', status: 'ACTIVE', profile: { login: 'x' } });
    };
    const c = client(fetch, clock, { callsPerSecond: 10 });
    const push = c.verifyPush('u', 'f', 5_000, new AbortController().signal);
    await clock.advance(0);
    // 200 sign-in lookups (20 s of budget) from other requests, queued before the push's first poll is due.
    const lookups = Array.from({ length: 200 }, () => c.getUser('x', new AbortController().signal));
    let outcome: string | undefined;
    let at = 0;
    void push.then((r) => {
      outcome = r.outcome;
      at = clock.now() - t0;
    });
    for (let i = 0; i < 25 && outcome === undefined; i++) await clock.advance(250);
    assert.equal(outcome, 'SUCCESS', 'the approval was seen');
    assert.ok(at >= 4_750 && at <= 5_000, `by the last poll, 250 ms before the deadline (${at} ms)`);
    assert.equal(pollsSeen, 1, 'the regular polls never got budget; the last one did');
    assert.equal(c.callStats.started.poll, 0);
    for (let i = 0; i < 100; i++) await clock.advance(250);
    await Promise.all(lookups);
  });

  it('rateLimitWait reads epoch seconds and falls back when absent', () => {
    assert.equal(rateLimitWait('100', 99_000, 5), 1_000);
    assert.equal(rateLimitWait(null, 0, 250), 250);
    assert.equal(rateLimitWait('1', 99_000, 5), 0);
  });
});
