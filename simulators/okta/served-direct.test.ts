/**
 * The served mock answers through each handler's pipeline on node:http's
 * request (no WHATWG Request / Response; serve.ts). These tests hold it to
 * what msw's own path gives: two orgs built from the same seed, one served
 * over HTTP, the other answered by oktaFetch (the handlers' msw resolvers on
 * a Request), are sent the same calls — every route, errors, faults, odd
 * bodies and headers — and must give the same status, headers, body, observed
 * records and event log (random values masked: error ids, tokens, secrets).
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { describe, it } from 'node:test';
import type { OktaResponseRecord } from './handlers.ts';
import { oktaFetch, startOktaServer } from './serve.ts';
import { ALICE_SECRET, DUO_PASSCODE, type Seeded, seededOrg } from './test-fixtures.ts';
import { totpAt } from './totp.ts';

const TOKEN = '00twin-token-for-both-orgs';

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}
type Outcome = Answer | { error: true };

interface Call {
  method: string;
  path: string;
  /** Raw header pairs, repeats allowed. */
  headers?: [string, string][];
  body?: string | Buffer;
}

/** The headers the mock itself sets (node:http adds date, connection and keep-alive on its own). */
const MOCK_HEADERS = ['content-type', 'content-length', 'x-rate-limit-limit', 'x-rate-limit-remaining', 'x-rate-limit-reset'];

/** Values that are random per answer or per org: the same length on both sides, so content-length still compares. */
function mask(text: string): string {
  return text
    .replace(/"(errorId|activationToken|stateToken|sessionToken|sharedSecret)":"[^"]*"/g, '"$1":"…"')
    .replace(/secret=[A-Z2-7]+/g, 'secret=…');
}

function pick(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of MOCK_HEADERS) if (headers[k] !== undefined) out[k] = headers[k];
  return out;
}

/** Over real HTTP with node:http (raw header pairs go on the wire as given). */
function viaHttp(base: string, c: Call): Promise<Outcome> {
  return new Promise((resolve) => {
    // A raw header list replaces node's defaults: Host goes in by hand.
    const flat = [['host', new URL(base).host], ...(c.headers ?? [])].flat();
    const req = httpRequest(`${base}${c.path}`, { method: c.method, headers: flat }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
        resolve({ status: res.statusCode ?? 0, headers: pick(headers), body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('error', () => resolve({ error: true }));
    req.end(c.body);
  });
}

async function viaMsw(f: ReturnType<typeof oktaFetch>, base: string, c: Call): Promise<Outcome> {
  try {
    const res = await f(`${base}${c.path}`, {
      method: c.method,
      headers: c.headers ?? [],
      ...(c.body === undefined ? {} : { body: typeof c.body === 'string' ? c.body : new Uint8Array(c.body) }),
    });
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      headers[k] = v;
    });
    // A HEAD answer carries no body over HTTP.
    const body = c.method === 'HEAD' ? '' : await res.text();
    // oktaFetch gives the Response as the handler made it; the HTTP server adds content-length from the bytes.
    headers['content-length'] ??= String(Buffer.byteLength(c.method === 'HEAD' ? await res.text() : body));
    return { status: res.status, headers: pick(headers), body };
  } catch {
    return { error: true };
  }
}

interface Twin {
  s: Seeded;
  records: OktaResponseRecord[];
  send: (c: Call) => Promise<Outcome>;
}

async function twins(): Promise<{ served: Twin; msw: Twin; base: string; close: () => Promise<void> }> {
  const a = seededOrg();
  const b = seededOrg();
  for (const s of [a, b]) s.org.createApiToken('twin', TOKEN);
  const served: Twin = { s: a, records: [], send: async () => ({ error: true }) };
  const msw: Twin = { s: b, records: [], send: async () => ({ error: true }) };
  const srv = await startOktaServer(a.org, { observe: (r) => served.records.push(r) });
  const f = oktaFetch(b.org, { observe: (r) => msw.records.push(r) });
  // The msw side is called with the served URL, so `_links` agree (the handlers answer any origin).
  served.send = (c) => viaHttp(srv.url, c);
  msw.send = (c) => viaMsw(f, srv.url, c);
  return { served, msw, base: srv.url, close: () => srv.close() };
}

const json = (body: unknown): Pick<Call, 'body' | 'headers'> => ({
  body: JSON.stringify(body),
  headers: [
    ['authorization', `SSWS ${TOKEN}`],
    ['content-type', 'application/json'],
  ],
});
const authed: [string, string][] = [
  ['authorization', `SSWS ${TOKEN}`],
  ['accept', 'application/json'],
];

describe('served mock: each handler pipeline on node:http answers as msw does', () => {
  it('every route, errors, faults, odd bodies and headers: same status, headers, body, records and events', { timeout: 30_000 }, async () => {
    const t = await twins();
    try {
      const { alice, bob, app, factors } = t.served.s;
      assert.equal(alice.id, t.msw.s.alice.id, 'same seed, same ids');
      const u = `/api/v1/users/${alice.id}`;
      const bu = `/api/v1/users/${bob.id}`;
      let n = 0;
      /** One call on both sides (the request may depend on the side: its own codes and tokens); returns both answers. */
      const both = async (make: (side: Twin) => Call): Promise<[Outcome, Outcome]> => {
        n++;
        const served = await t.served.send(make(t.served));
        const msw = await t.msw.send(make(t.msw));
        const label = `call ${n}: ${make(t.served).method} ${make(t.served).path}`;
        if ('error' in served || 'error' in msw) {
          assert.deepEqual(served, msw, label);
          return [served, msw];
        }
        assert.equal(served.status, msw.status, `${label}: status`);
        assert.deepEqual(served.headers, msw.headers, `${label}: headers`);
        assert.equal(mask(served.body), mask(msw.body), `${label}: body`);
        return [served, msw];
      };
      const same = (c: Call) => both(() => c);
      const advance = async (ms: number) => {
        await t.served.s.clock.advance(ms);
        await t.msw.s.clock.advance(ms);
      };

      // The agent's calls.
      await same({ method: 'GET', path: `/api/v1/users/${encodeURIComponent('alice@example.com')}`, headers: authed });
      await same({ method: 'GET', path: `/api/v1/users/ALICE%40example.com?expand=x`, headers: authed });
      await same({ method: 'GET', path: u, headers: authed });
      await same({ method: 'GET', path: '/api/v1/users/nobody@example.com', headers: authed });
      await same({ method: 'GET', path: '/api/v1/users/%E0%A4%A', headers: authed });
      await same({ method: 'GET', path: u, headers: [['accept', 'application/json']] });
      await same({ method: 'GET', path: u, headers: [['Authorization', 'ssws   ' + TOKEN + '  ']] });
      // Two Authorization headers: a Request joins them ("SSWS a, SSWS a"), which is no SSWS token.
      await same({ method: 'GET', path: u, headers: [...authed, ['authorization', `SSWS ${TOKEN}`]] });
      await same({ method: 'GET', path: `${u}/factors`, headers: authed });
      await same({ method: 'GET', path: `${u}/groups`, headers: authed });
      await same({ method: 'GET', path: `/api/v1/apps/${app.id}/users/${alice.id}`, headers: authed });
      await same({ method: 'GET', path: `/api/v1/apps/${app.id}/users/${bob.id}`, headers: authed });
      await same({ method: 'GET', path: `/api/v1/apps/0oanope/users/${alice.id}`, headers: authed });

      // TOTP: right, replayed, wrong, missing, as a number, a BOM before the JSON, not JSON, empty.
      const code = totpAt(ALICE_SECRET, t.served.s.clock.now());
      const verify = `${u}/factors/${factors.totp.id}/verify`;
      await same({ method: 'POST', path: verify, ...json({ passCode: code }) });
      await same({ method: 'POST', path: verify, ...json({ passCode: code }) });
      await same({ method: 'POST', path: verify, ...json({ passCode: code === '000000' ? '111111' : '000000' }) });
      await same({ method: 'POST', path: verify, ...json({}) });
      await advance(30_000);
      await same({ method: 'POST', path: verify, ...json({ passCode: Number(totpAt(ALICE_SECRET, t.served.s.clock.now())) }) });
      await advance(30_000);
      const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ passCode: totpAt(ALICE_SECRET, t.served.s.clock.now()) }))]);
      await same({ method: 'POST', path: verify, headers: json({}).headers, body: bom });
      await same({ method: 'POST', path: verify, headers: json({}).headers, body: '{"passCode":' });
      await same({ method: 'POST', path: verify, headers: json({}).headers, body: '   ' });
      await same({ method: 'POST', path: verify, headers: json({}).headers });
      await same({ method: 'POST', path: `${u}/factors/ostnope/verify`, ...json({ passCode: '123456' }) });

      // Push: WAITING, poll, approved on both orgs, poll again.
      const [w] = await same({ method: 'POST', path: `${u}/factors/${factors.push.id}/verify`, headers: authed });
      assert.ok(!('error' in w) && w.status === 201);
      const poll = (JSON.parse(w.body) as { _links: { poll: { href: string } } })._links.poll.href.slice(t.base.length);
      await same({ method: 'GET', path: poll, headers: authed });
      for (const side of [t.served, t.msw]) side.s.org.answerPush(poll.split('/').at(-1)!, 'APPROVE');
      await same({ method: 'GET', path: poll, headers: authed });

      // SMS challenge and code (seeded codes: the same on both), Duo passcode, push and SMS.
      await same({ method: 'POST', path: `${u}/factors/${factors.sms.id}/verify`, headers: authed });
      await both((side) => ({ method: 'POST', path: `${u}/factors/${factors.sms.id}/verify`, ...json({ passCode: side.s.delivery.codes.at(-1)!.code }) }));
      await same({ method: 'POST', path: `${bu}/factors/${factors.duo.id}/verify`, ...json({ passCode: DUO_PASSCODE }) });
      await same({ method: 'POST', path: `${bu}/factors/${factors.duo.id}/verify`, headers: authed });
      await same({ method: 'POST', path: `${bu}/factors/${factors.duo.id}/verify`, ...json({ passCode: 'SMS' }) });

      // Authn API (no SSWS; its state tokens are random per org), with X-Forwarded-For.
      const primary = (password: string): Call => ({
        method: 'POST',
        path: '/api/v1/authn',
        headers: [
          ['content-type', 'application/json'],
          ['x-forwarded-for', '203.0.113.7, 10.0.0.1'],
        ],
        body: JSON.stringify({ username: 'alice@example.com', password }),
      });
      await same(primary('wrong'));
      const [ma, mb] = await same(primary('Alice-pw-1'));
      const stateOf = new Map<Twin, string>([
        [t.served, (JSON.parse((ma as Answer).body) as { stateToken: string }).stateToken],
        [t.msw, (JSON.parse((mb as Answer).body) as { stateToken: string }).stateToken],
      ]);
      await both((side) => ({
        method: 'POST',
        path: `/api/v1/authn/factors/${factors.totp.id}/verify`,
        headers: [['content-type', 'application/json']],
        body: JSON.stringify({ stateToken: stateOf.get(side), passCode: totpAt(ALICE_SECRET, side.s.clock.now()) }),
      }));
      await same({ method: 'POST', path: '/api/v1/authn/factors', headers: [['content-type', 'application/json']], body: JSON.stringify({ stateToken: 'nope', factorType: 'sms' }) });
      await same({ method: 'POST', path: `/api/v1/authn/factors/${factors.sms.id}/lifecycle/activate`, headers: [], body: '{}' });

      // Admin calls: create, activate (random token masked), lifecycle, enrol + activate TOTP (each side its own secret), assign, list, update, expire, delete, unassign.
      const [created] = await same({ method: 'POST', path: '/api/v1/users?activate=false', ...json({ profile: { login: 'erin@example.com', mobilePhone: '+15551230009' } }) });
      const erin = (JSON.parse((created as Answer).body) as { id: string }).id;
      await same({ method: 'POST', path: `/api/v1/users/${erin}/lifecycle/activate?sendEmail=false`, headers: authed });
      await same({ method: 'POST', path: `/api/v1/users/${erin}/lifecycle/activate`, headers: authed });
      await same({ method: 'POST', path: `/api/v1/users/${erin}`, ...json({ credentials: { password: { value: 'Erin-pw-1' } } }) });
      for (const step of ['suspend', 'unsuspend', 'unlock', 'expire_password']) await same({ method: 'POST', path: `/api/v1/users/${erin}/lifecycle/${step}`, headers: authed });
      const [ea, eb] = await same({ method: 'POST', path: `/api/v1/users/${erin}/factors`, ...json({ factorType: 'token:software:totp', provider: 'OKTA' }) });
      const enrolled = new Map<Twin, { id: string; _embedded: { activation: { sharedSecret: string } } }>([
        [t.served, JSON.parse((ea as Answer).body)],
        [t.msw, JSON.parse((eb as Answer).body)],
      ]);
      await both((side) => {
        const e = enrolled.get(side)!;
        return { method: 'POST', path: `/api/v1/users/${erin}/factors/${e.id}/lifecycle/activate`, ...json({ passCode: totpAt(e._embedded.activation.sharedSecret, side.s.clock.now()) }) };
      });
      await same({ method: 'POST', path: `/api/v1/users/${erin}/factors?activate=true`, ...json({ factorType: 'sms', profile: { phoneNumber: '+1 (555) 123-0009' } }) });
      await same({ method: 'POST', path: `/api/v1/users/${erin}/factors`, ...json({ factorType: 'sms', profile: { phoneNumber: '+15551230009' } }) });
      await same({ method: 'POST', path: `/api/v1/apps/${app.id}/users`, ...json({ id: erin, scope: 'USER' }) });
      await same({ method: 'PUT', path: `/api/v1/apps/${app.id}/users/${bob.id}`, ...json({}) });
      await same({ method: 'GET', path: `/api/v1/users?search=${encodeURIComponent('profile.login sw "erin"')}`, headers: authed });
      await same({ method: 'GET', path: '/api/v1/users?q=al&limit=1', headers: authed });
      await same({ method: 'GET', path: `/api/v1/users?filter=${encodeURIComponent('lastLogin gt "x"')}`, headers: authed });
      await same({ method: 'DELETE', path: `/api/v1/apps/${app.id}/users/${erin}`, headers: authed });
      await same({ method: 'DELETE', path: `/api/v1/apps/${app.id}/users/${erin}`, headers: authed });
      await same({ method: 'DELETE', path: `/api/v1/users/${erin}`, headers: authed });
      await same({ method: 'DELETE', path: `/api/v1/users/${erin}`, headers: authed });

      // No route: wrong method, unknown path, HEAD.
      await same({ method: 'PATCH', path: u, headers: authed, body: '{}' });
      await same({ method: 'GET', path: '/api/v2/users', headers: authed });
      await same({ method: 'GET', path: '/', headers: authed });
      await same({ method: 'HEAD', path: u, headers: authed });

      // Faults: 5xx, a dropped connection, the rate limit; then a latency the clock must pass.
      for (const side of [t.served, t.msw]) side.s.org.failNextCalls(2, 503);
      await same({ method: 'GET', path: `${u}/factors`, headers: authed });
      await same({ method: 'GET', path: `${u}/factors`, headers: authed });
      for (const side of [t.served, t.msw]) side.s.org.failNextWithNetworkError(1);
      const [drop] = await same({ method: 'GET', path: u, headers: authed });
      assert.ok('error' in drop, 'a forced network error drops the connection');
      for (const side of [t.served, t.msw]) side.s.org.setRateLimit({ limit: 1, windowMs: 60_000 });
      await advance(60_000);
      await same({ method: 'GET', path: u, headers: authed });
      await same({ method: 'GET', path: u, headers: authed });
      for (const side of [t.served, t.msw]) {
        side.s.org.resetFaults();
        side.s.org.setRateLimit({ limit: 600, windowMs: 60_000 });
        side.s.org.setLatency(2_000);
      }
      const slow = (side: Twin) => {
        const timers = side.s.clock.pendingTimers;
        const pending = side.send({ method: 'GET', path: u, headers: authed });
        return { pending, side, timers };
      };
      for (const { pending, side, timers } of [slow(t.served), slow(t.msw)]) {
        for (let i = 0; i < 400 && side.s.clock.pendingTimers === timers; i++) await new Promise((r) => setTimeout(r, 5));
        assert.equal(side.s.clock.pendingTimers, timers + 1, 'the handler sleeps on the org clock');
        await side.s.clock.advance(2_000);
        const a = await pending;
        assert.ok(!('error' in a) && a.status === 200, 'answered after the latency');
      }

      // What the handlers observed and what the orgs logged are the same too.
      const records = (r: OktaResponseRecord[]) => r.map((x) => mask(JSON.stringify(x)));
      assert.deepEqual(records(t.served.records), records(t.msw.records));
      assert.ok(t.served.records.length >= n - 6, 'every answered call was observed');
      assert.deepEqual(t.served.s.org.events.all(), t.msw.s.org.events.all());
    } finally {
      await t.close();
    }
  });

  it('a handler that throws answers 500 E0000009, as on the msw path', async () => {
    const s = seededOrg();
    const srv = await startOktaServer(s.org, {
      observe: () => {
        throw new Error('observer bug');
      },
    });
    try {
      const a = await viaHttp(srv.url, { method: 'GET', path: `/api/v1/users/${s.alice.id}`, headers: [['authorization', `SSWS ${s.token}`]] });
      assert.ok(!('error' in a));
      assert.equal(a.status, 500);
      assert.equal((JSON.parse(a.body) as { errorCode: string }).errorCode, 'E0000009');
    } finally {
      await srv.close();
    }
  });
});
