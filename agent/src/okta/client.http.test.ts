/**
 * The Okta client's default transport (undici Pool `request`, no fetch) over
 * real HTTP on loopback: against the mock org's HTTP server, and against a
 * scripted node:http server for headers, rate limits and time-outs.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { OktaOrg } from '../../../simulators/okta/org.ts';
import { startOktaServer } from '../../../simulators/okta/serve.ts';
import { totpAt } from '../../../simulators/okta/totp.ts';
import { SystemClock } from '../clock.ts';
import { OktaClient } from './client.ts';

const closers: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function scripted(handler: (req: import('node:http').IncomingMessage, body: string, res: import('node:http').ServerResponse) => void): Promise<string> {
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => handler(req, body, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('OktaClient over its own undici pool (real HTTP)', () => {
  it('signs a TOTP in against the mock org served over HTTP', async () => {
    const clock = new SystemClock();
    const org = new OktaOrg({ clock, seed: 7 });
    const token = org.createApiToken();
    const u = org.createUser({ profile: { login: 'ivan@example.com' }, password: 'pw' });
    const app = org.createApp({ label: 'RADIUS' });
    org.assignUserToApp(app.id, u.id);
    const { factor, activation } = org.enrollFactor(u.id, { factorType: 'token:software:totp', provider: 'OKTA', activate: true });
    const served = await startOktaServer(org);
    closers.push(() => served.close());
    const c = new OktaClient({ orgUrl: served.url, apiToken: token, clock });
    closers.push(() => c.close());
    const user = await c.getUser('ivan@example.com');
    assert.equal(user?.id, u.id);
    assert.equal(await c.getUser('nobody@example.com'), null);
    assert.equal(await c.isAssignedToApp(app.id, u.id), true);
    assert.deepEqual(
      (await c.listFactors(u.id)).map((f) => f.id),
      [factor.id],
    );
    const code = totpAt(activation!.sharedSecret, clock.now());
    assert.deepEqual(await c.verifyPasscode(u.id, factor.id, code), { outcome: 'SUCCESS' });
    assert.deepEqual(await c.verifyPasscode(u.id, factor.id, code), { outcome: 'INVALID' }, 'a replayed step is refused');
  });

  it('sends the token, JSON content type and user agent; reads X-Rate-Limit-Reset on a 429', async () => {
    const seen: Array<{ method: string; url: string; auth: string | undefined; type: string | undefined; ua: string | undefined; body: string }> = [];
    let first = true;
    const url = await scripted((req, body, res) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization, type: req.headers['content-type'], ua: req.headers['user-agent'], body });
      if (first) {
        first = false;
        res.writeHead(429, { 'content-type': 'application/json', 'x-rate-limit-reset': String(Math.ceil(Date.now() / 1000)) });
        res.end(JSON.stringify({ errorCode: 'E0000047' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ factorResult: 'SUCCESS' }));
    });
    const c = new OktaClient({ orgUrl: url, apiToken: 't0k', clock: new SystemClock(), retryBackoffMs: 10, userAgent: 'ua-test' });
    closers.push(() => c.close());
    assert.deepEqual(await c.verifyPasscode('u1', 'f1', '123456'), { outcome: 'SUCCESS' });
    assert.equal(seen.length, 2, 'retried once after the 429 reset passed');
    assert.deepEqual(seen[1], {
      method: 'POST',
      url: '/api/v1/users/u1/factors/f1/verify',
      auth: 'SSWS t0k',
      type: 'application/json',
      ua: 'ua-test',
      body: '{"passCode":"123456"}',
    });
  });

  it('gives up on a call that does not answer within requestTimeoutMs, and fails closed', async () => {
    const url = await scripted(() => {
      // never answers
    });
    const c = new OktaClient({ orgUrl: url, apiToken: 't', clock: new SystemClock(), requestTimeoutMs: 100, maxRetries: 1, retryBackoffMs: 10 });
    closers.push(() => c.close());
    const started = Date.now();
    await assert.rejects(c.getUser('x'), { code: 'OKTA_UNAVAILABLE', message: /no answer within 100 ms/ });
    assert.ok(Date.now() - started < 2_000);
  });
});
