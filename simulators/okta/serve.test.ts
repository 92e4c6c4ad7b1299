import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { describe, it } from 'node:test';
import { Agent, fetch as undiciFetch } from 'undici';
import type { OktaResponseRecord } from './handlers.ts';
import { oktaFetch, startOktaServer } from './serve.ts';
import { seededOrg } from './test-fixtures.ts';
import { createCa, issueServerCert } from './tls.ts';

describe('the served mock (node:http + the route index)', () => {
  it('a client that goes away during a latency fault aborts the handler: no answer, no timer left', { timeout: 10_000 }, async () => {
    const s = seededOrg();
    const seen: OktaResponseRecord[] = [];
    const srv = await startOktaServer(s.org, { observe: (r) => seen.push(r) });
    try {
      s.org.setLatency(10_000);
      const timersBefore = s.clock.pendingTimers;
      const req = httpRequest(`${srv.url}/api/v1/users/${s.alice.id}`, { headers: { authorization: `SSWS ${s.token}` } });
      req.on('error', () => {});
      req.end();
      // The handler is asleep on the org's clock once its timer is set.
      for (let i = 0; i < 200 && s.clock.pendingTimers === timersBefore; i++) await new Promise((r) => setTimeout(r, 5));
      assert.equal(s.clock.pendingTimers, timersBefore + 1, 'the handler sleeps on the virtual clock');
      req.destroy();
      for (let i = 0; i < 200 && s.clock.pendingTimers > timersBefore; i++) await new Promise((r) => setTimeout(r, 5));
      assert.equal(s.clock.pendingTimers, timersBefore, 'the abort cleared the sleep');
      await s.clock.advance(10_000);
      assert.deepEqual(seen, [], 'the handler never answered');
    } finally {
      await srv.close();
    }
  });

  it('the same request with the client staying answers after the latency', async () => {
    const s = seededOrg();
    const srv = await startOktaServer(s.org);
    try {
      s.org.setLatency(10_000);
      const p = fetch(`${srv.url}/api/v1/users/${s.alice.id}`, { headers: { authorization: `SSWS ${s.token}` } });
      for (let i = 0; i < 200 && s.clock.pendingTimers === 0; i++) await new Promise((r) => setTimeout(r, 5));
      await s.clock.advance(10_000);
      assert.equal((await p).status, 200);
    } finally {
      await srv.close();
    }
  });

  it('over HTTPS, _links point at https:// (the scheme the client used), as Okta links to its https org URL', async () => {
    const s = seededOrg();
    const ca = createCa();
    const srv = await startOktaServer(s.org, { tls: issueServerCert(ca, ['127.0.0.1']) });
    const dispatcher = new Agent({ connect: { ca: ca.certPem } });
    try {
      const res = await undiciFetch(`${srv.url}/api/v1/users/${s.alice.id}`, { headers: { authorization: `SSWS ${s.token}` }, dispatcher });
      const body = (await res.json()) as { _links: { self: { href: string } } };
      assert.equal(body._links.self.href, `${srv.url}/api/v1/users/${s.alice.id}`);
      assert.match(srv.url, /^https:\/\//);
    } finally {
      await dispatcher.close();
      await srv.close();
    }
  });

  it('a path no handler serves is 404 E0000007 over HTTP and through oktaFetch alike', async () => {
    const s = seededOrg();
    const srv = await startOktaServer(s.org);
    try {
      for (const f of [fetch, oktaFetch(s.org)]) {
        const base = f === fetch ? srv.url : s.org.orgUrl;
        const res = await f(`${base}/api/v1/nothing/here`, { headers: { authorization: `SSWS ${s.token}` } });
        assert.equal(res.status, 404);
        assert.equal(((await res.json()) as { errorCode: string }).errorCode, 'E0000007');
      }
    } finally {
      await srv.close();
    }
  });

  it('oktaFetch: the caller aborting mid-latency clears the sleep and rejects with the reason', { timeout: 5_000 }, async () => {
    const s = seededOrg();
    s.org.setLatency(10_000);
    const ac = new AbortController();
    const before = s.clock.pendingTimers;
    const p = oktaFetch(s.org)(`${s.org.orgUrl}/api/v1/users/${s.alice.id}`, { headers: { authorization: `SSWS ${s.token}` }, signal: ac.signal });
    for (let i = 0; i < 200 && s.clock.pendingTimers === before; i++) await new Promise((r) => setTimeout(r, 1));
    assert.equal(s.clock.pendingTimers, before + 1);
    ac.abort(new Error('agent timeout'));
    await assert.rejects(p, /agent timeout/);
    assert.equal(s.clock.pendingTimers, before);
  });
});
