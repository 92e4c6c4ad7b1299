import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, fetch as undiciFetch } from 'undici';
import { VirtualClock } from '../clock/virtual-clock.ts';
import type { OktaResponseRecord } from './handlers.ts';
import { OktaOrg } from './org.ts';
import { type StableOktaEndpoint, startStableOktaEndpoint } from './stable-endpoint.ts';

/** Two scenario orgs built the same way (same seed: same app id), with different people. */
function scenarioOrg(login: string): OktaOrg {
  const org = new OktaOrg({ clock: new VirtualClock(), seed: 7 });
  org.createApiToken('scenario-own');
  org.createApp({ label: 'Amazon WorkSpaces' });
  org.createUser({ profile: { login }, password: 'pw-1' });
  return org;
}

describe('the stable okta-mock endpoint', () => {
  let endpoint: StableOktaEndpoint;
  let dispatcher: Agent;
  // Ids derive from the org's seed: every scenario org built the same way has this app id.
  const appId = scenarioOrg('x@example.com').getApp('Amazon WorkSpaces')!.id;

  before(async () => {
    endpoint = await startStableOktaEndpoint({ appId });
    // The agent's side: trusts only the endpoint's CA.
    dispatcher = new Agent({ connect: { ca: endpoint.caPem! } });
  });
  after(async () => {
    await dispatcher.close();
    await endpoint.close();
  });

  const get = async (path: string, token = endpoint.apiToken) => {
    const res = await undiciFetch(`${endpoint.url}${path}`, { dispatcher, headers: { authorization: `SSWS ${token}`, accept: 'application/json' } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('is one HTTPS URL, token and CA for the whole run', () => {
    assert.match(endpoint.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(endpoint.httpUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(endpoint.caPem ?? '', /BEGIN CERTIFICATE/);
    assert.ok(endpoint.caFile);
    assert.ok(endpoint.apiToken.length > 30);
  });

  it('answers 503 E0000010 when no scenario is running', async () => {
    const r = await get('/api/v1/users/a@example.com');
    assert.equal(r.status, 503);
    assert.equal(r.body.errorCode, 'E0000010');
  });

  it("swaps the scenario's org behind the same URL and token; each scenario sees only its own people and calls", async () => {
    const first = scenarioOrg('alice@example.com');
    const second = scenarioOrg('bob@example.com');
    const seenFirst: OktaResponseRecord[] = [];
    const seenSecond: OktaResponseRecord[] = [];

    const release = endpoint.use(first, { observe: (r) => seenFirst.push(r) });
    assert.equal(endpoint.current, first);
    assert.equal((await get('/api/v1/users/alice@example.com')).status, 200);
    assert.equal((await get('/api/v1/users/bob@example.com')).status, 404);
    assert.equal((await get(`/api/v1/apps/${appId}/users/alice@example.com`)).status, 404, 'same app id, no assignment yet');
    assert.equal((await get('/api/v1/users/alice@example.com', 'not-the-token')).status, 401);
    release();

    const release2 = endpoint.use(second, { observe: (r) => seenSecond.push(r) });
    assert.equal((await get('/api/v1/users/bob@example.com')).status, 200);
    assert.equal((await get('/api/v1/users/alice@example.com')).status, 404);
    release();
    assert.equal(endpoint.current, second, 'a stale release does nothing');
    release2();
    assert.equal(endpoint.current, undefined);

    assert.equal(seenFirst.length, 4);
    assert.deepEqual(
      seenSecond.map((r) => r.status),
      [200, 404],
    );
  });

  it('one org at a time, and only one that has the configured app', () => {
    const release = endpoint.use(scenarioOrg('carol@example.com'));
    try {
      assert.throws(() => endpoint.use(scenarioOrg('dave@example.com')), { code: 'OKTA_ENDPOINT_BUSY' });
    } finally {
      release();
    }
    const other = new OktaOrg({ clock: new VirtualClock(), seed: 8 });
    other.createApp({ label: 'Amazon WorkSpaces' });
    assert.throws(() => endpoint.use(other), { code: 'OKTA_ENDPOINT_APP_MISSING' });
  });

  it('a client that does not trust the CA is refused', async () => {
    await assert.rejects(fetch(`${endpoint.url}/api/v1/users/x`), (e: Error) => /fetch failed/.test(e.message));
  });
});

describe('the stable okta-mock endpoint over plain HTTP', () => {
  it('with tls: false serves only HTTP, with the token it was given', async () => {
    const endpoint = await startStableOktaEndpoint({ tls: false, apiToken: '00fixed-token-for-this-run-0000000' });
    try {
      assert.equal(endpoint.url, endpoint.httpUrl);
      assert.equal(endpoint.caFile, undefined);
      const org = scenarioOrg('erin@example.com');
      const release = endpoint.use(org);
      const res = await fetch(`${endpoint.url}/api/v1/users/erin@example.com`, { headers: { authorization: 'SSWS 00fixed-token-for-this-run-0000000' } });
      assert.equal(res.status, 200);
      release();
    } finally {
      await endpoint.close();
    }
  });
});
