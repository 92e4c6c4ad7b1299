import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isCodedError } from '../../agent/src/errors.ts';
import { readExternalProfile } from './external.ts';
import { MOCK_ONLY_CAPABILITIES, oktaOrgEnv, oktaOrgFromEnv, resolveOktaOrg, runPrefixOf, scenarioPrefix, withOktaOrg } from './okta-org.ts';
import { type AgentSpec, type AgentUnderTest, CAPABILITIES, type TargetDriver } from './target.ts';

const dir = mkdtempSync(join(tmpdir(), 'rmh-okta-org-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const ENV = { MY_TOKEN: '00secret-token' };
const org = resolveOktaOrg({ url: 'https://dev-1.okta.example', tokenEnv: 'MY_TOKEN', appId: '0oaapp1', runId: 'k3j9' }, ENV);

test('the run id names every prefix; a scenario prefix keeps a person\u2019s sAMAccountName within AD\u2019s 20 characters', () => {
  assert.equal(runPrefixOf(org), 'rmh-k3j9');
  const prefixes = [scenarioPrefix(org, '0'), scenarioPrefix(org, '0'), scenarioPrefix(org, '3')];
  for (const p of prefixes) assert.match(p, /^rmh-k3j9[0-9a-z][0-9a-z]{2}-$/);
  assert.equal(new Set(prefixes).size, 3, 'never the same twice');
  assert.ok(`${prefixes[0]}alice`.length <= 20);
});

test('the environment carries the org to the workers, never the token itself', () => {
  const env = { ...ENV, ...oktaOrgEnv(org) };
  assert.equal(Object.values(oktaOrgEnv(org)).includes(ENV.MY_TOKEN), false);
  const back = oktaOrgFromEnv(env);
  assert.deepEqual(back, org);
  assert.equal(oktaOrgFromEnv({}), undefined, 'no RMH_OKTA_ORG: the lab\u2019s mock');
  assert.throws(() => oktaOrgFromEnv({ ...oktaOrgEnv(org) }), (e: unknown) => isCodedError(e, 'OKTA_ORG_NO_TOKEN'));
});

test('a target pointed at the org loses what only the mock gives and starts its agent with the org\u2019s URL, token and app', async () => {
  const started: AgentSpec[] = [];
  let closed = false;
  const inner: TargetDriver = {
    profile: { name: 'fake', description: 'A fake agent.', capabilities: new Set(CAPABILITIES) },
    async start(spec) {
      started.push(spec);
      const agent: AgentUnderTest = { endpoint: { host: '127.0.0.1', port: 1812 }, onVirtualClock: false, useOkta: () => () => {}, stop: async () => {} };
      return agent;
    },
    async close() {
      closed = true;
    },
  };
  const t = withOktaOrg(inner, org);
  for (const c of MOCK_ONLY_CAPABILITIES) assert.equal(t.profile.capabilities.has(c), false, c);
  assert.ok(t.profile.capabilities.has('okta-admin') && t.profile.capabilities.has('lab-codes'));
  assert.match(t.profile.description, /the org at https:\/\/dev-1\.okta\.example/);
  assert.equal(t.servesOkta, true, 'the World starts no mock-Okta server for it');
  const agent = await t.start({
    okta: { apiToken: 'lab-token', appId: 'lab-app', baseUrl: 'http://127.0.0.1:1' },
    mode: 'mfa-only',
    clients: [],
    clock: { now: () => 0, setTimeout: () => ({ id: 1 }), clearTimeout: () => {} },
  });
  assert.deepEqual([started[0]!.okta.baseUrl, started[0]!.okta.apiToken, started[0]!.okta.appId], ['https://dev-1.okta.example', ENV.MY_TOKEN, '0oaapp1']);
  assert.equal(started[0]!.clock, undefined, 'a real org keeps real time: the agent too');
  assert.equal(agent.useOkta, undefined, 'the lab\u2019s okta-mock endpoint is not used');
  await t.close();
  assert.ok(closed);
});

test('an external profile may declare okta-admin with the okta-mock endpoint (implied by okta-mock) or with --okta-org, not otherwise', () => {
  const file = join(dir, 'agent.yaml');
  const body = (caps: string, extra = ''): void => writeFileSync(file, `name: a\nhost: 127.0.0.1\nport: 1812\nsecret: s3cret-for-test\ncapabilities: [${caps}]\n${extra}`);
  body('okta-admin, lab-codes');
  assert.throws(() => readExternalProfile(file, {}), (e: unknown) => isCodedError(e, 'EXTERNAL_PROFILE_INVALID') && /okta-admin needs the run's mock Okta.*or run with --okta-org/.test(e.message));
  assert.deepEqual(readExternalProfile(file, { RMH_OKTA_ORG: 'https://dev-1.okta.example' }).capabilities, ['okta-admin', 'lab-codes']);
  body('push-control');
  assert.throws(() => readExternalProfile(file, { RMH_OKTA_ORG: 'https://dev-1.okta.example' }), /push-control needs the run's mock Okta/);
  body('okta-mock', 'oktaMock: { host: 127.0.0.1, httpsPort: 18443, token: t0ken, caDir: ca }\n');
  assert.deepEqual(readExternalProfile(file, {}).capabilities, ['okta-mock', 'okta-admin']);
});
