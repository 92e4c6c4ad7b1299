/**
 * OktaAdmin: one behaviour suite run against both implementations — the
 * in-process mock, and HTTP (undici) against the mock served over real HTTPS
 * with the lab's CA — plus what only the HTTP one does: run prefixes, cleanup
 * after a crash, pacing under Okta's rate-limit headers, and bodies that
 * validate against Okta's OpenAPI document.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isCodedError } from '../../agent/src/errors.ts';
import { RealTimeClock } from '../clock/real-time-clock.ts';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { GoogleAuthenticator } from '../devices/phone.ts';
import { enrolTotpApp, enrollActiveTotp, type OktaAdmin } from './admin-api.ts';
import { HttpOktaAdmin, newRunPrefix, RateLimitMemory, RUN_PREFIX_ROOT } from './admin-http.ts';
import { LocalOktaAdmin } from './admin-local.ts';
import { loadOktaContract } from './contract.ts';
import type { OktaResponseRecord } from './handlers.ts';
import type { LabClock } from '../clock/lab-clock.ts';
import { OktaOrg } from './org.ts';
import { type RunningOktaServer, startOktaServer } from './serve.ts';
import { createCa, issueServerCert } from './tls.ts';
import { totpAt } from './totp.ts';

interface World {
  org: OktaOrg;
  appId: string;
  admin: OktaAdmin;
  close(): Promise<void>;
}

function newOrg(clock: LabClock = new VirtualClock()): { org: OktaOrg; token: string; appId: string } {
  const org = new OktaOrg({ clock, seed: 42 });
  const token = org.createApiToken('harness-admin');
  const appId = org.createApp({ label: 'Amazon WorkSpaces' }).id;
  return { org, token, appId };
}

const ca = createCa();
const records: OktaResponseRecord[] = [];

async function served(clock?: LabClock): Promise<{ org: OktaOrg; token: string; appId: string; server: RunningOktaServer }> {
  const o = newOrg(clock);
  const server = await startOktaServer(o.org, { tls: issueServerCert(ca, ['127.0.0.1']), observe: (r) => records.push(r) });
  return { ...o, server };
}

const implementations: Array<[string, () => Promise<World>]> = [
  [
    'in-process',
    async () => {
      const { org, appId } = newOrg();
      return { org, appId, admin: new LocalOktaAdmin(org), close: async () => {} };
    },
  ],
  [
    'HTTP against the served mock (HTTPS, lab CA)',
    async () => {
      const { org, token, appId, server } = await served();
      const admin = new HttpOktaAdmin({ orgUrl: server.url, apiToken: token, ca: ca.certPem });
      return {
        org,
        appId,
        admin,
        close: async () => {
          await admin.close();
          await server.close();
        },
      };
    },
  ],
];

const failsWith = (errorCode: string) => (e: unknown) => isCodedError(e, 'OKTA_ADMIN_REQUEST_FAILED') && e.details.errorCode === errorCode;

for (const [name, make] of implementations) {
  describe(`OktaAdmin, ${name}`, () => {
    let w: World;
    before(async () => {
      w = await make();
    });
    after(() => w.close());

    it('users and their lifecycle: create, stage and activate, suspend, unsuspend, deactivate, delete', async () => {
      const { admin } = w;
      const alice = await admin.createUser({ login: 'alice@corp.example.com', password: 'Alice-pw-1' });
      assert.equal(alice.status, 'ACTIVE');
      assert.equal(alice.login, admin.loginFor('alice@corp.example.com'));
      assert.equal(w.org.getUser(alice.login)?.id, alice.id, 'the org has the user under that login');
      assert.equal((await admin.getUser(alice.login))?.id, alice.id);

      const staged = await admin.createUser({ login: 'sam@corp.example.com', password: 'Sam-pw-1', activate: false });
      assert.equal(staged.status, 'STAGED');
      assert.equal((await admin.activateUser(staged.id)).status, 'ACTIVE');

      assert.equal((await admin.suspendUser(alice.id)).status, 'SUSPENDED');
      await assert.rejects(admin.suspendUser(alice.id), failsWith('E0000001'), 'only an active user can be suspended');
      assert.equal((await admin.unsuspendUser(alice.id)).status, 'ACTIVE');
      assert.equal((await admin.expirePassword(staged.id)).status, 'PASSWORD_EXPIRED');
      w.org.lockUser(staged.id); // Okta locks only after failed sign-ins; no API call does it
      assert.equal((await admin.unlockUser(staged.id)).status, 'ACTIVE');
      await assert.rejects(admin.unlockUser(staged.id), failsWith('E0000038'), 'only a locked user can be unlocked');
      assert.equal((await admin.deactivateUser(alice.id)).status, 'DEPROVISIONED');
      await admin.deleteUser(alice.id);
      assert.equal(await admin.getUser(alice.id), undefined);
      assert.equal(w.org.getUser(alice.login), undefined, 'gone from the org');
      await assert.rejects(admin.createUser({ login: 'sam@corp.example.com', password: 'x' }), failsWith('E0000001'), 'logins are unique');
    });

    it('a password set by the admin replaces the old one (updateUser)', async () => {
      const { admin, org } = w;
      const pat = await admin.createUser({ login: 'pat@corp.example.com', password: 'Pat-pw-1' });
      assert.equal((await admin.setPassword(pat.id, 'Pat,new-pw-2')).status, 'ACTIVE');
      assert.equal(org.checkPassword(pat.id, 'Pat,new-pw-2'), true);
      assert.equal(org.checkPassword(pat.id, 'Pat-pw-1'), false);
      await assert.rejects(admin.setPassword('00unoone', 'x-pw-3'), failsWith('E0000007'));
    });

    it('app assignment: assign, check, unassign', async () => {
      const { admin, appId } = w;
      const bob = await admin.createUser({ login: 'bob@corp.example.com', password: 'Bob-pw-1' });
      assert.equal(await admin.isAssigned(appId, bob.id), false);
      await admin.assignToApp(appId, bob.id);
      assert.equal(await admin.isAssigned(appId, bob.id), true);
      assert.equal(w.org.isAssigned(appId, bob.id), true);
      await admin.unassignFromApp(appId, bob.id);
      assert.equal(await admin.isAssigned(appId, bob.id), false);
      await assert.rejects(admin.unassignFromApp(appId, bob.id), failsWith('E0000007'));
    });

    it('TOTP enrolment and activation as Okta documents it, then the factor verifies the next code', async () => {
      const { admin, org } = w;
      const carol = await admin.createUser({ login: 'carol@corp.example.com', password: 'Carol-pw-1' });
      const e = await admin.enrollTotp(carol.id, 'GOOGLE');
      assert.equal(e.status, 'PENDING_ACTIVATION');
      assert.match(e.sharedSecret, /^[A-Z2-7]{16,}$/);
      const wrong = totpAt(e.sharedSecret, org.now()) === '000000' ? '111111' : '000000';
      await assert.rejects(admin.activateFactor(carol.id, e.factorId, wrong), failsWith('E0000068'));
      const f = await admin.activateFactor(carol.id, e.factorId, totpAt(e.sharedSecret, org.now()));
      assert.deepEqual([f.factorType, f.provider, f.status], ['token:software:totp', 'GOOGLE', 'ACTIVE']);

      const ov = await enrollActiveTotp(admin, carol.id, 'OKTA', () => org.now());
      const factors = await admin.listFactors(carol.id);
      assert.deepEqual(factors.map((x) => `${x.provider}/${x.status}`).sort(), ['GOOGLE/ACTIVE', 'OKTA/ACTIVE']);
      // What an agent then does: the activation step is used up; the next step's code signs in.
      await (org.clock as LabClock).advance(30_000);
      assert.equal(org.verifyFactor(carol.id, ov.factorId, { passCode: totpAt(ov.sharedSecret, org.now()) }).result, 'SUCCESS');
    });

    it("a person's Google Authenticator enrolled through the API signs in with its next code", async () => {
      const { admin, org } = w;
      const erin = await admin.createUser({ login: 'erin@corp.example.com', password: 'Erin-pw-1' });
      const app = new GoogleAuthenticator(org.clock);
      const { factorId, accountId } = await enrolTotpApp(admin, erin.id, 'GOOGLE', app, erin.login);
      assert.equal((await admin.listFactors(erin.id)).find((f) => f.id === factorId)?.status, 'ACTIVE');
      await (org.clock as LabClock).advance(30_000);
      assert.equal(org.verifyFactor(erin.id, factorId, { passCode: app.currentCode(accountId) }).result, 'SUCCESS');
    });

    it('cleanup removes every user it created, and only those', async () => {
      const { admin, org } = w;
      const bystander = org.createUser({ profile: { login: `bystander-${name.length}@corp.example.com` }, password: 'pw' });
      await admin.createUser({ login: 'dave@corp.example.com', password: 'Dave-pw-1' });
      const report = await admin.cleanup();
      assert.deepEqual(report.failed, []);
      assert.ok(report.deleted.includes(admin.loginFor('dave@corp.example.com')));
      assert.ok(report.deleted.includes(admin.loginFor('erin@corp.example.com')));
      assert.ok(report.deleted.includes(admin.loginFor('carol@corp.example.com')));
      assert.ok(report.deleted.includes(admin.loginFor('sam@corp.example.com')));
      assert.deepEqual(
        org.listUsers().map((u) => u.profile.login),
        [bystander.profile.login],
      );
      assert.deepEqual(await admin.cleanup(), { deleted: [], failed: [] }, 'nothing left to do');
    });
  });
}

describe('HttpOktaAdmin only', () => {
  it('puts a run prefix on every login and refuses prefixes cleanup could not find', () => {
    const prefix = newRunPrefix();
    assert.match(prefix, /^rmh-[0-9a-z]{6}-$/);
    assert.notEqual(newRunPrefix(), prefix, 'one per run');
    assert.ok(`${prefix}mallory`.length <= 20, "room for a person's name in a 20-character sAMAccountName");
    const admin = new HttpOktaAdmin({ orgUrl: 'https://example.okta.com', apiToken: 't', runPrefix: prefix });
    assert.equal(admin.loginFor('alice@example.com'), `${prefix}alice@example.com`);
    assert.throws(() => new HttpOktaAdmin({ orgUrl: 'https://example.okta.com', apiToken: 't', runPrefix: 'alice' }), { code: 'OKTA_ADMIN_BAD_PREFIX' });
    assert.throws(() => new HttpOktaAdmin({ orgUrl: 'not a url', apiToken: 't' }), { code: 'OKTA_ADMIN_BAD_ORG_URL' });
    assert.throws(() => new HttpOktaAdmin({ orgUrl: 'https://example.okta.com', apiToken: '' }), { code: 'OKTA_ADMIN_NO_TOKEN' });
  });

  it('cleanupByPrefix removes what a crashed run left (found by search), and nobody else', async () => {
    const { org, token, server } = await served();
    try {
      const crashed = new HttpOktaAdmin({ orgUrl: server.url, apiToken: token, ca: ca.certPem });
      for (const n of ['a', 'b', 'c']) await crashed.createUser({ login: `${n}@corp.example.com`, password: 'pw-1' });
      await crashed.suspendUser(org.getUser(crashed.loginFor('b@corp.example.com'))!.id);
      await crashed.close(); // "crash": no cleanup()
      const other = new HttpOktaAdmin({ orgUrl: server.url, apiToken: token, ca: ca.certPem });
      await other.createUser({ login: 'z@corp.example.com', password: 'pw-1' });
      org.createUser({ profile: { login: 'real.person@corp.example.com' }, password: 'pw' });

      const report = await HttpOktaAdmin.cleanupByPrefix({ orgUrl: server.url, apiToken: token, ca: ca.certPem }, crashed.runPrefix);
      assert.deepEqual(report.deleted.sort(), ['a', 'b', 'c'].map((n) => crashed.loginFor(`${n}@corp.example.com`)));
      assert.deepEqual(
        org
          .listUsers()
          .map((u) => u.profile.login)
          .sort(),
        [other.loginFor('z@corp.example.com'), 'real.person@corp.example.com'].sort(),
      );
      // Every harness run at once: the other run's user goes too; the real person never.
      const all = await HttpOktaAdmin.cleanupByPrefix({ orgUrl: server.url, apiToken: token, ca: ca.certPem });
      assert.deepEqual(all.deleted, [other.loginFor('z@corp.example.com')]);
      assert.deepEqual(
        org.listUsers().map((u) => u.profile.login),
        ['real.person@corp.example.com'],
      );
      await assert.rejects(HttpOktaAdmin.cleanupByPrefix({ orgUrl: server.url, apiToken: token }, 'real'), { code: 'OKTA_ADMIN_BAD_PREFIX' });
      await other.close();
      assert.ok(RUN_PREFIX_ROOT.length > 0);
    } finally {
      await server.close();
    }
  });

  it('paces its calls by X-Rate-Limit-Remaining / -Reset: under a 6-per-second limit, 20 calls and not one 429', async () => {
    const { org, token, server } = await served(new RealTimeClock());
    const seen: OktaResponseRecord[] = [];
    const start = records.length;
    const pauses: Array<[number, string]> = [];
    org.setRateLimit({ limit: 6, windowMs: 1_000 });
    const admin = new HttpOktaAdmin({ orgUrl: server.url, apiToken: token, ca: ca.certPem, reserve: 1, onPace: (ms, why) => pauses.push([ms, why]) });
    try {
      const u = await admin.createUser({ login: 'pace@corp.example.com', password: 'pw-1' });
      for (let i = 0; i < 19; i++) assert.equal((await admin.getUser(u.id))?.id, u.id);
      seen.push(...records.slice(start));
      assert.equal(
        seen.filter((r) => r.status === 429).length,
        0,
        'never over the limit',
      );
      assert.ok(pauses.length >= 3, `waited for the window to reset (${pauses.length} pauses)`);
      assert.ok(pauses.every(([ms, why]) => why === 'reserve' && ms > 0 && ms <= 1_100));
      await admin.cleanup();
    } finally {
      await admin.close();
      await server.close();
    }
  });

  it('admins one after another (one per scenario) share what the last answer said of the limit: the next one paces from the start', async () => {
    const { org, token, server } = await served(new RealTimeClock());
    org.setRateLimit({ limit: 6, windowMs: 1_000 });
    const memory = new RateLimitMemory();
    const pauses: string[] = [];
    const opts = { orgUrl: server.url, apiToken: token, ca: ca.certPem, reserve: 1, rateLimits: memory, onPace: (_ms: number, why: string) => pauses.push(why) };
    const first = new HttpOktaAdmin(opts);
    const second = new HttpOktaAdmin(opts);
    const blind = new HttpOktaAdmin({ ...opts, rateLimits: new RateLimitMemory() });
    const from = records.length;
    try {
      for (let i = 0; i < 5; i++) await first.getUser('nobody');
      assert.equal(memory.last?.remaining, 1, 'the first admin left one call (the reserve) in the window');
      await blind.getUser('nobody');
      assert.deepEqual(pauses, [], 'an admin with a memory of its own starts blind: it spends the reserve');
      await second.getUser('nobody');
      assert.deepEqual(pauses, ['reserve'], 'the second admin, sharing the memory, waited for the reset before its first call');
      assert.equal(records.slice(from).filter((r) => r.status === 429).length, 0);
    } finally {
      for (const a of [first, second, blind]) await a.close();
      await server.close();
    }
  });

  it('a 429 waits for the reset and retries, bounded: a limit that never lets it through fails with the status', async () => {
    const { org, token, server } = await served(new RealTimeClock());
    org.setRateLimit({ limit: 0, windowMs: 200 });
    const pauses: string[] = [];
    const admin = new HttpOktaAdmin({ orgUrl: server.url, apiToken: token, ca: ca.certPem, onPace: (_ms, why) => pauses.push(why) });
    try {
      await assert.rejects(admin.getUser('nobody'), (e: unknown) => isCodedError(e, 'OKTA_ADMIN_REQUEST_FAILED') && e.details.status === 429);
      assert.deepEqual(pauses, ['429', '429', '429']);
    } finally {
      await admin.close();
      await server.close();
    }
  });

  it('an org it cannot reach, or whose certificate it does not trust, is a clear error', async () => {
    const { token, server } = await served();
    try {
      const untrusting = new HttpOktaAdmin({ orgUrl: server.url, apiToken: token });
      await assert.rejects(untrusting.getUser('x'), { code: 'OKTA_ADMIN_UNREACHABLE' });
      await untrusting.close();
    } finally {
      await server.close();
    }
  });

  it("every answer the admin got from the served mock validates against Okta's OpenAPI document", () => {
    const contract = loadOktaContract();
    const ops = new Set<string>();
    for (const r of records) {
      if (!r.operationId) continue;
      ops.add(r.operationId);
      const c = contract.check(r.operationId, r.status, r.body);
      assert.ok(c.ok, `${r.operationId} ${r.status}: ${c.problems.join('; ')}`);
    }
    for (const op of [
      'createUser',
      'getUser',
      'activateUser',
      'suspendUser',
      'unsuspendUser',
      'deactivateUser',
      'unlockUser',
      'expirePassword',
      'deleteUser',
      'listUsers',
      'assignUserToApplication',
      'getApplicationUser',
      'unassignUserFromApplication',
      'enrollFactor',
      'activateFactor',
      'listFactors',
    ]) {
      assert.ok(ops.has(op), `${op} was exercised over HTTP`);
    }
  });
});
