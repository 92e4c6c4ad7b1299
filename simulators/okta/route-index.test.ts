import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { getResponse, HttpHandler, HttpResponse, http, type RequestHandler } from 'msw';
import { isCodedError } from '../../agent/src/errors.ts';
import { oktaHandlers } from './handlers.ts';
import { RouteIndex, routeIndexOf } from './route-index.ts';
import { seededOrg } from './test-fixtures.ts';

/** What msw itself picks: the first handler whose own test (method + path, msw's parse) says it matches. */
async function mswChoice(handlers: readonly RequestHandler[], method: string, url: URL): Promise<{ handler: RequestHandler; params: Record<string, unknown> } | undefined> {
  const request = new Request(url, { method });
  for (const h of handlers) {
    if (!(await h.test({ request }))) continue;
    const parsed = (await (h as HttpHandler).parse({ request })) as { match: { params: Record<string, unknown> } };
    return { handler: h, params: { ...parsed.match.params } };
  }
  return undefined;
}

// Requests built from the mock's own vocabulary, plus what breaks naive routers:
// percent-encoding, empty segments, trailing slashes, case, prefixes, queries.
const segment = fc.oneof(
  fc.constantFrom('api', 'v1', 'users', 'factors', 'verify', 'transactions', 'apps', 'groups', 'lifecycle', 'activate', 'suspend', 'authn', 'expire_password'),
  fc.constantFrom('00u1', 'ost2', 'app3', 'alice%40example.com', 'a%2Fb', 'API', 'Users', '', '.', '..', '%20', ':id', '*'),
  fc.stringMatching(/^[A-Za-z0-9._~-]{1,6}$/),
);
const agentPath = fc.constantFrom(
  '/api/v1/users/00u1',
  '/api/v1/users/00u1/factors',
  '/api/v1/users/00u1/groups',
  '/api/v1/users/00u1/factors/ost2/verify',
  '/api/v1/users/00u1/factors/ost2/transactions/tx9',
  '/api/v1/apps/app3/users/00u1',
  '/api/v1/apps/app3/users',
  '/api/v1/authn',
  '/api/v1/authn/factors/ost2/verify',
  '/api/v1/users',
  '/api/v1/users/00u1/lifecycle/activate',
);
const requestArb = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'get', 'post', 'OPTIONS'),
  origin: fc.constantFrom('https://acme.okta.example', 'http://127.0.0.1:8080', 'https://other.example', 'HTTPS://ACME.OKTA.EXAMPLE'),
  path: fc.oneof(
    agentPath,
    fc.array(segment, { minLength: 0, maxLength: 8 }).map((s) => `/${s.join('/')}`),
    fc.tuple(agentPath, fc.constantFrom('/', '//', '?limit=1', '/x', '#f')).map(([p, tail]) => p + tail),
    fc.tuple(fc.constantFrom('/prefix', '/a/b', '//'), agentPath).map(([pre, p]) => pre + p),
  ),
});

describe('RouteIndex: the handler msw would pick, found from the handlers themselves', () => {
  for (const origin of [undefined, 'https://acme.okta.example']) {
    it(`picks the same handler with the same params as msw, over generated requests (origin ${origin ?? '*'})`, async () => {
      const s = seededOrg();
      const handlers = oktaHandlers(s.org, origin ? { origin } : {});
      const index = new RouteIndex(handlers);
      await fc.assert(
        fc.asyncProperty(requestArb, async ({ method, origin: o, path }) => {
          let url: URL;
          try {
            url = new URL(o + path);
          } catch {
            return;
          }
          const want = await mswChoice(handlers, method, url);
          const got = index.find(method, url);
          assert.equal(got?.handler.info.header, want?.handler.info.header, `${method} ${url.href}`);
          if (want) assert.deepEqual({ ...got?.params }, want.params, `${method} ${url.href}`);
          // pick (the served path's choice) decides every request alone for the mock's list, as msw would.
          const picked = index.pick(method, url);
          assert.notEqual(picked, undefined, `${method} ${url.href}: the index decides alone`);
          assert.equal(picked?.handler ?? null, want?.handler ?? null, `${method} ${url.href}`);
          if (want) assert.deepEqual({ ...picked?.params }, want.params, `${method} ${url.href}`);
        }),
        { numRuns: 1_000 },
      );
    });
  }

  it('answers as msw does for each of the agent calls (same status and body)', async () => {
    const a = seededOrg();
    const b = seededOrg();
    const ha = oktaHandlers(a.org);
    const index = new RouteIndex(oktaHandlers(b.org));
    const call = async (how: 'msw' | 'index', method: string, path: string, body?: unknown) => {
      const s = how === 'msw' ? a : b;
      const r = new Request(`${s.org.orgUrl}${path}`, {
        method,
        headers: { authorization: `SSWS ${s.token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const res = how === 'msw' ? await getResponse(ha, r) : await index.respond(r);
      const text = (await res?.text()) ?? '';
      // errorId is random per answer.
      return { status: res?.status, body: text.replace(/"errorId":"[^"]+"/, '') };
    };
    const u = `/api/v1/users/${a.alice.id}`;
    assert.equal(a.alice.id, b.alice.id, 'same seed, same ids');
    for (const [method, path, body] of [
      ['GET', `/api/v1/users/${encodeURIComponent('alice@example.com')}`],
      ['GET', `/api/v1/apps/${a.app.id}/users/${a.alice.id}`],
      ['GET', `${u}/factors`],
      ['GET', `${u}/groups`],
      ['POST', `${u}/factors/${a.factors.totp.id}/verify`, { passCode: '000000' }],
      ['GET', '/api/v1/users/nobody@example.com'],
      ['POST', '/api/v1/authn', { username: 'alice@example.com', password: 'nope' }],
      ['PATCH', u],
      ['GET', '/api/v2/users'],
    ] as const) {
      assert.deepEqual(await call('index', method, path, body), await call('msw', method, path, body), `${method} ${path}`);
    }
  });

  it('routeIndexOf builds one index per handler list', () => {
    const s = seededOrg();
    const list = oktaHandlers(s.org);
    assert.equal(routeIndexOf(list), routeIndexOf(list));
    assert.notEqual(routeIndexOf(list), routeIndexOf(oktaHandlers(s.org)));
  });
});

describe('RouteIndex: msw semantics the mock does not use today', () => {
  const url = 'https://x.example/things/1';

  it('a handler that gives no response falls through to the next matching one', async () => {
    const seen: string[] = [];
    const index = new RouteIndex([
      http.get('*/things/:id', () => {
        seen.push('first');
      }),
      http.get('*/things/:id', ({ params }) => HttpResponse.json({ id: params.id })),
    ]);
    const res = await index.respond(new Request(url));
    assert.deepEqual(await res?.json(), { id: '1' });
    assert.deepEqual(seen, ['first']);
  });

  it('a thrown Response is the answer; other errors propagate', async () => {
    const index = new RouteIndex([
      http.get('*/things/1', () => {
        throw HttpResponse.text('thrown', { status: 418 });
      }),
      http.get('*/things/2', () => {
        throw new Error('boom');
      }),
    ]);
    assert.equal((await index.respond(new Request(url)))?.status, 418);
    await assert.rejects(index.respond(new Request('https://x.example/things/2')), /boom/);
  });

  it('once: msw runs the handler, which answers once and then falls through', async () => {
    const index = new RouteIndex([http.get('*/things/:id', () => HttpResponse.text('once'), { once: true }), http.get('*/things/:id', () => HttpResponse.text('always'))]);
    assert.equal(await (await index.respond(new Request(url)))?.text(), 'once');
    assert.equal(await (await index.respond(new Request(url)))?.text(), 'always');
  });

  it('RegExp paths, RegExp methods and custom predicates are left to msw, in list order', async () => {
    const index = new RouteIndex([
      http.get(/\/things\/\d+$/, () => HttpResponse.text('regexp')),
      new HttpHandler(/^(GET|POST)$/, '*/other/:id', () => HttpResponse.text('regexp-method')),
      http.post(({ request }) => request.url.endsWith('/custom'), () => HttpResponse.text('custom')),
      http.get('*/things/:id', () => HttpResponse.text('template')),
    ]);
    assert.equal(await (await index.respond(new Request(url)))?.text(), 'regexp');
    assert.equal(await (await index.respond(new Request('https://x.example/other/7', { method: 'POST' })))?.text(), 'regexp-method');
    assert.equal(await (await index.respond(new Request('https://x.example/custom', { method: 'POST' })))?.text(), 'custom');
    assert.equal(await (await index.respond(new Request('https://x.example/things/x')))?.text(), 'template');
    assert.equal(await index.respond(new Request('https://x.example/none')), undefined);
  });

  it('pick decides alone only while every handler before the match is one it models', () => {
    const index = new RouteIndex([
      http.get('*/things/:id', () => HttpResponse.text('template')),
      http.get(/\/other\/\d+$/, () => HttpResponse.text('regexp')),
      http.get('*/other/:id', () => HttpResponse.text('later')),
      http.get('*/once/:id', () => HttpResponse.text('once'), { once: true }),
    ]);
    assert.equal(index.pick('GET', new URL(url))?.params.id, '1');
    assert.equal(index.pick('GET', new URL('https://x.example/other/7')), undefined, 'a RegExp handler comes first: msw decides');
    assert.equal(index.pick('GET', new URL('https://x.example/once/7')), undefined, 'a once handler: msw decides');
    assert.equal(index.pick('POST', new URL(url)), null, 'no handler for POST at all');
    assert.equal(new RouteIndex([http.get('*/things/:id', () => undefined)]).pick('GET', new URL('https://x.example/none')), null);
  });

  it('params, cookies and finalize reach the resolver', async () => {
    let cleaned = false;
    const index = new RouteIndex([
      http.get('*/things/:id', ({ params, cookies, finalize }) => {
        finalize(() => {
          cleaned = true;
        });
        return HttpResponse.json({ id: params.id, session: cookies.session });
      }),
    ]);
    const res = await index.respond(new Request(url, { headers: { cookie: 'session=a%20b; other=1' } }));
    assert.deepEqual(await res?.json(), { id: '1', session: 'a b' });
    assert.equal(cleaned, true);
  });

  it('a resolver returning a generator is refused with a coded error, not half-answered', async () => {
    const index = new RouteIndex([
      http.get('*/things/:id', function* () {
        yield HttpResponse.text('one');
        return HttpResponse.text('two');
      }),
    ]);
    await assert.rejects(index.respond(new Request(url)), (e: unknown) => isCodedError(e) && e.code === 'OKTA_ROUTE_RESOLVER_UNSUPPORTED');
  });
});
