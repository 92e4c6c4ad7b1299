import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { OktaResponseRecord } from './handlers.ts';
import { oktaFetch, setupOktaServer, startOktaServer } from './serve.ts';
import { ALICE_SECRET, seededOrg, tourEveryEndpoint } from './test-fixtures.ts';
import { totpAt } from './totp.ts';

const run = promisify(execFile);

describe('three ways to serve the same handlers', () => {
  it('in-process: msw setupServer intercepts global fetch to the org URL', async () => {
    const s = seededOrg('https://inproc.okta.example');
    const server = setupOktaServer(s.org);
    server.listen({ onUnhandledFrame: 'error' });
    try {
      await tourEveryEndpoint(fetch, s.org.orgUrl, s);
    } finally {
      server.close();
    }
  });

  it('real HTTP: node:http + getResponse, reached with fetch', async () => {
    const s = seededOrg();
    const srv = await startOktaServer(s.org);
    after(() => srv.close());
    assert.match(srv.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    await tourEveryEndpoint(fetch, srv.url, s);
  });

  it('real HTTP: curl gets Okta-shaped answers with rate-limit headers', async () => {
    const s = seededOrg();
    const srv = await startOktaServer(s.org);
    try {
      const code = totpAt(ALICE_SECRET, s.clock.now());
      const { stdout } = await run('curl', [
        '-sS',
        '-i',
        '-X',
        'POST',
        '-H',
        `Authorization: SSWS ${s.token}`,
        '-H',
        'Content-Type: application/json',
        '--data',
        JSON.stringify({ passCode: code }),
        `${srv.url}/api/v1/users/${s.alice.id}/factors/${s.factors.totp.id}/verify`,
      ]);
      assert.match(stdout, /^HTTP\/1\.1 200/);
      assert.match(stdout, /x-rate-limit-limit: \d+/i);
      assert.match(stdout, /x-rate-limit-remaining: \d+/i);
      assert.match(stdout, /x-rate-limit-reset: \d+/i);
      assert.deepEqual(JSON.parse(stdout.slice(stdout.indexOf('\r\n\r\n') + 4)), { factorResult: 'SUCCESS' });
      const denied = await run('curl', ['-sS', '-w', '\n%{http_code}', `${srv.url}/api/v1/users/${s.alice.id}`]);
      const [body, status] = denied.stdout.split('\n');
      assert.equal(status, '401');
      assert.equal(JSON.parse(body!).errorCode, 'E0000011');
    } finally {
      await srv.close();
    }
  });

  it('oktaFetch: no sockets, no global patching; two orgs side by side never mix', async () => {
    const a = seededOrg('https://same.okta.example');
    const b = seededOrg('https://same.okta.example');
    await tourEveryEndpoint(oktaFetch(a.org), a.org.orgUrl, a);
    const fb = oktaFetch(b.org);
    const res = await fb(`${b.org.orgUrl}/api/v1/users/dave@example.com`, { headers: { authorization: `SSWS ${b.token}` } });
    assert.equal(res.status, 404, 'dave was created in org a only');
  });
});

describe('errors and limits as Okta', () => {
  const get = async (s: ReturnType<typeof seededOrg>, path = `/api/v1/users/${s.alice.id}`, token = s.token) =>
    oktaFetch(s.org)(`${s.org.orgUrl}${path}`, { headers: { authorization: `SSWS ${token}` } });

  it('401 E0000011 for a missing or wrong SSWS token, with a full Error body', async () => {
    const s = seededOrg();
    const res = await get(s, undefined, 'wrong');
    assert.equal(res.status, 401);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.errorCode, 'E0000011');
    assert.equal(body.errorSummary, 'Invalid token provided');
    assert.equal(body.errorLink, 'E0000011');
    assert.match(String(body.errorId), /^oae/);
    assert.deepEqual(body.errorCauses, []);
  });

  it('rate limit: headers on every answer, 429 E0000047 over the limit, reset with the window', async () => {
    const s = seededOrg();
    s.org.setRateLimit({ limit: 2, windowMs: 60_000 });
    const r1 = await get(s);
    assert.equal(r1.headers.get('x-rate-limit-limit'), '2');
    assert.equal(r1.headers.get('x-rate-limit-remaining'), '1');
    const reset = Number(r1.headers.get('x-rate-limit-reset'));
    assert.ok(reset * 1000 > s.clock.now() && reset * 1000 <= s.clock.now() + 60_000);
    assert.equal((await get(s)).status, 200);
    const r3 = await get(s);
    assert.equal(r3.status, 429);
    assert.equal(r3.headers.get('x-rate-limit-remaining'), '0');
    assert.equal(((await r3.json()) as { errorCode: string }).errorCode, 'E0000047');
    await s.clock.advanceTo(reset * 1000);
    assert.equal((await get(s)).status, 200);
    assert.equal(s.org.events.ofType('system.org.rate_limit.violation').length, 1);
  });

  it('fails the next N calls with 5xx, then recovers', async () => {
    const s = seededOrg();
    s.org.failNextCalls(2, 503);
    assert.equal((await get(s)).status, 503);
    const second = await get(s);
    assert.equal(second.status, 503);
    assert.equal(((await second.json()) as { errorCode: string }).errorCode, 'E0000010');
    assert.equal((await get(s)).status, 200);
  });

  it('network errors: oktaFetch rejects like fetch; the real server drops the connection', async () => {
    const s = seededOrg();
    s.org.failNextWithNetworkError(1);
    await assert.rejects(get(s), (e: unknown) => e instanceof TypeError && e.message === 'fetch failed');
    assert.equal((await get(s)).status, 200);
    const srv = await startOktaServer(s.org);
    try {
      s.org.failNextWithNetworkError(1);
      await assert.rejects(fetch(`${srv.url}/api/v1/users/${s.alice.id}`, { headers: { authorization: `SSWS ${s.token}` } }), TypeError);
      const ok = await fetch(`${srv.url}/api/v1/users/${s.alice.id}`, { headers: { authorization: `SSWS ${s.token}` } });
      assert.equal(ok.status, 200);
    } finally {
      await srv.close();
    }
  });

  it('latency waits on the virtual clock, not the wall clock', async () => {
    const s = seededOrg();
    s.org.setLatency(2_000);
    let done = false;
    const pending = get(s).then((r) => {
      done = true;
      return r;
    });
    await s.clock.advance(1_999);
    assert.equal(done, false);
    await s.clock.advance(1);
    assert.equal((await pending).status, 200);
  });

  it('an aborted request rejects with the abort reason', async () => {
    const s = seededOrg();
    s.org.setLatency(10_000);
    const ac = new AbortController();
    const p = oktaFetch(s.org)(`${s.org.orgUrl}/api/v1/users/${s.alice.id}`, { headers: { authorization: `SSWS ${s.token}` }, signal: ac.signal });
    ac.abort(new Error('agent timeout'));
    await assert.rejects(p, /agent timeout/);
  });

  it('reports every answer to an observer, tagged with its operationId or extension', async () => {
    const s = seededOrg();
    const seen: OktaResponseRecord[] = [];
    const f = oktaFetch(s.org, { observe: (r) => seen.push(r) });
    await f(`${s.org.orgUrl}/api/v1/users/${s.alice.id}/factors`, { headers: { authorization: `SSWS ${s.token}` } });
    await f(`${s.org.orgUrl}/api/v1/authn`, { method: 'POST', body: JSON.stringify({ username: 'alice@example.com', password: 'Alice-pw-1' }) });
    assert.deepEqual(
      seen.map((r) => [r.operationId, r.extension, r.status]),
      [
        ['listFactors', undefined, 200],
        [undefined, 'authn-primary', 200],
      ],
    );
  });
});

describe('Authn API', () => {
  it('locks the user out after too many wrong passwords, then answers LOCKED_OUT', async () => {
    const s = seededOrg();
    s.org.lockoutThreshold = 3;
    const f = oktaFetch(s.org);
    const authn = (password: string) =>
      f(`${s.org.orgUrl}/api/v1/authn`, { method: 'POST', body: JSON.stringify({ username: 'alice@example.com', password }) });
    for (let i = 0; i < 3; i++) assert.equal((await authn('nope')).status, 401);
    assert.equal(s.org.getUser('alice@example.com')?.status, 'LOCKED_OUT');
    const locked = await authn('Alice-pw-1');
    assert.equal(((await locked.json()) as { status: string }).status, 'LOCKED_OUT');
  });

  it('SMS in password-first mode: challenge, then the code', async () => {
    const s = seededOrg();
    const f = oktaFetch(s.org);
    const post = async (path: string, body: unknown) =>
      (await (await f(`${s.org.orgUrl}${path}`, { method: 'POST', body: JSON.stringify(body) })).json()) as Record<string, unknown>;
    const { stateToken } = await post('/api/v1/authn', { username: 'alice@example.com', password: 'Alice-pw-1' });
    const ch = await post(`/api/v1/authn/factors/${s.factors.sms.id}/verify`, { stateToken });
    assert.equal(ch.status, 'MFA_CHALLENGE');
    const code = s.delivery.codes.at(-1)!.code;
    assert.equal((await post(`/api/v1/authn/factors/${s.factors.sms.id}/verify`, { stateToken, passCode: code })).status, 'SUCCESS');
  });

  it('push rejected, then a new push on the next verify', async () => {
    const s = seededOrg();
    const f = oktaFetch(s.org);
    const post = async (path: string, body: unknown) =>
      (await (await f(`${s.org.orgUrl}${path}`, { method: 'POST', body: JSON.stringify(body) })).json()) as Record<string, unknown>;
    const { stateToken } = await post('/api/v1/authn', { username: 'alice@example.com', password: 'Alice-pw-1' });
    const verify = `/api/v1/authn/factors/${s.factors.push.id}/verify`;
    assert.equal((await post(verify, { stateToken })).factorResult, 'WAITING');
    s.org.answerPush(s.delivery.pushes.at(-1)!.transactionId, 'REJECT');
    assert.equal((await post(verify, { stateToken })).factorResult, 'REJECTED');
    assert.equal((await post(verify, { stateToken })).factorResult, 'WAITING');
    assert.equal(s.delivery.pushes.length, 2);
  });
});
