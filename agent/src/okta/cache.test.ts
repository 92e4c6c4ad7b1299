import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock } from '../../../simulators/clock/virtual-clock.ts';
import { OktaOrg } from '../../../simulators/okta/org.ts';
import { oktaFetch } from '../../../simulators/okta/serve.ts';
import { totpAt } from '../../../simulators/okta/totp.ts';
import { CachingOktaApi } from './cache.ts';
import { OktaClient } from './client.ts';

const TTL = 300_000;

/** A real client on the mock org, counting the HTTP calls by operation. */
function lab() {
  const clock = new VirtualClock();
  const org = new OktaOrg({ clock, seed: 21 });
  const token = org.createApiToken();
  const user = org.createUser({ profile: { login: 'judy@example.com' }, password: 'pw' });
  const app = org.createApp({ label: 'RADIUS' });
  org.assignUserToApp(app.id, user.id);
  const { factor, activation } = org.enrollFactor(user.id, { factorType: 'token:software:totp', provider: 'OKTA', activate: true });
  const calls: string[] = [];
  const client = new OktaClient({ orgUrl: org.orgUrl, apiToken: token, clock, fetch: oktaFetch(org), onCall: (r) => calls.push(r.operation) });
  const api = new CachingOktaApi(client, { clock, ttlMs: TTL, maxUsers: 100 });
  /** The engine's MFA-only sequence: user, assignment, factors, verify. */
  const signIn = async (code: string) => {
    const u = await api.getUser('judy@example.com');
    if (!u) return 'user';
    if (u.status !== 'ACTIVE') return 'user';
    if (!(await api.isAssignedToApp(app.id, u.id))) return 'unassigned';
    const fs = await api.listFactors(u.id);
    const f = fs.find((x) => x.id === factor.id);
    if (!f) return 'no-factor';
    return (await api.verifyPasscode(u.id, f.id, code)).outcome;
  };
  const code = () => totpAt(activation!.sharedSecret, clock.now());
  return { clock, org, user, app, calls, api, signIn, code };
}

describe('CachingOktaApi (lookup cache with bounded staleness)', () => {
  it('a second sign-in within the lifetime costs one Okta call; after it, four again', async () => {
    const l = lab();
    assert.equal(await l.signIn(l.code()), 'SUCCESS');
    assert.deepEqual(l.calls, ['getUser', 'getApplicationUser', 'listFactors', 'verifyFactor']);
    l.calls.length = 0;
    await l.clock.advance(30_000);
    assert.equal(await l.signIn(l.code()), 'SUCCESS');
    assert.deepEqual(l.calls, ['verifyFactor']);
    l.calls.length = 0;
    await l.clock.advance(TTL); // every fact is now older than the lifetime
    assert.equal(await l.signIn(l.code()), 'SUCCESS');
    assert.deepEqual(l.calls, ['getUser', 'getApplicationUser', 'listFactors', 'verifyFactor']);
    assert.deepEqual(l.api.stats, { hits: 3, misses: 6, invalidations: 0, users: 1 });
  });

  it('a wrong code drops what is remembered about the user: the next attempt looks up afresh', async () => {
    const l = lab();
    await l.signIn(l.code());
    await l.clock.advance(30_000);
    l.calls.length = 0;
    assert.equal(await l.signIn('000000'), 'INVALID');
    assert.deepEqual(l.calls, ['verifyFactor']);
    l.calls.length = 0;
    assert.equal(await l.signIn(l.code()), 'SUCCESS');
    assert.deepEqual(l.calls, ['getUser', 'getApplicationUser', 'listFactors', 'verifyFactor']);
    assert.equal(l.api.stats.invalidations, 1);
  });

  it('staleness is bounded: an unassignment is seen once the lifetime has passed', async () => {
    const l = lab();
    await l.signIn(l.code());
    l.org.unassignUserFromApp(l.app.id, l.user.id);
    await l.clock.advance(30_000);
    assert.equal(await l.signIn(l.code()), 'SUCCESS', 'within the lifetime the remembered assignment is used (documented)');
    await l.clock.advance(TTL);
    assert.equal(await l.signIn(l.code()), 'unassigned');
  });

  it('what Okta enforces at verify is never stale: a suspended user fails at once, and is then looked up afresh', async () => {
    const l = lab();
    await l.signIn(l.code());
    l.org.suspendUser(l.user.id);
    await l.clock.advance(30_000);
    // Okta answers 403 E0000038; the client reads a refused verify as INVALID.
    assert.equal(await l.signIn(l.code()), 'INVALID');
    l.calls.length = 0;
    assert.equal(await l.signIn(l.code()), 'user');
    assert.deepEqual(l.calls, ['getUser']);
  });

  it('remembers only positive facts: an unknown or unassigned user is asked about every time', async () => {
    const l = lab();
    assert.equal(await l.api.getUser('nobody@example.com'), null);
    assert.equal(await l.api.getUser('nobody@example.com'), null);
    const other = l.org.createUser({ profile: { login: 'x@example.com' }, password: 'pw' });
    assert.equal(await l.api.isAssignedToApp(l.app.id, other.id), false);
    assert.equal(await l.api.isAssignedToApp(l.app.id, other.id), false);
    assert.deepEqual(l.calls, ['getUser', 'getUser', 'getApplicationUser', 'getApplicationUser']);
  });

  it('holds at most maxUsers users, oldest out first', async () => {
    const clock = new VirtualClock();
    let calls = 0;
    const inner = {
      getUser: async (login: string) => {
        calls++;
        return { id: `id-${login}`, status: 'ACTIVE', profile: { login } };
      },
    } as unknown as ConstructorParameters<typeof CachingOktaApi>[0];
    const api = new CachingOktaApi(inner, { clock, ttlMs: TTL, maxUsers: 2 });
    for (const l of ['a', 'b', 'c']) await api.getUser(l);
    assert.equal(api.stats.users, 2);
    await api.getUser('c');
    await api.getUser('b');
    assert.equal(calls, 3, 'b and c remembered');
    await api.getUser('a');
    assert.equal(calls, 4, 'a was evicted');
  });
});
