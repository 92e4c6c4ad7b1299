import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateConfig } from '../../agent/src/config.ts';
import { agentConfigFor, referenceAgentConfig } from './agent-config.ts';
import { Lab } from './lab.ts';

test("the written agent config is valid for the reference agent's own schema", async () => {
  const lab = await Lab.fromFile(new URL('./examples/workspaces.yaml', import.meta.url).pathname);
  const endpoints = {
    okta: { baseUrl: 'http://127.0.0.1:1', httpsUrl: 'https://127.0.0.1:2', caFile: '/x/ca.pem', apiToken: lab.apiToken, appId: lab.app.id },
    ldap: { url: 'ldap://127.0.0.1:3', baseDn: lab.baseDn, domain: lab.domain },
    control: { url: 'http://127.0.0.1:4', token: 't'.repeat(24) },
    clock: { kind: 'virtual' as const, now: new Date(lab.clock.now()).toISOString() },
    bind: '127.0.0.1',
  };
  const { config, secret } = agentConfigFor(lab, endpoints, { listen: { host: '::1', port: 18120 } });
  const parsed = validateConfig(config, {});
  assert.equal(parsed.okta.orgUrl, 'https://127.0.0.1:2', 'HTTPS when the lab serves it');
  assert.equal(parsed.apps[0]!.usernameFormat.suffix, '@corp.example.com', "the seed's logins share it");
  assert.deepEqual(parsed.apps[0]!.listen, { host: '::1', port: 18120 });
  assert.ok(secret.length >= 32 && parsed.apps[0]!.clients.every((c) => c.secret === secret && c.requireMessageAuthenticator));
  assert.equal(agentConfigFor(lab, endpoints).secret, secret, 'the secret is stable for the seed');

  const byHand = referenceAgentConfig({ orgUrl: 'https://127.0.0.1:8443', apiToken: '00abc', appId: '0oa1', secret: 'x'.repeat(32), clientAddresses: ['10.0.0.0/8'] });
  const p = validateConfig(byHand, {});
  assert.equal(p.apps[0]!.usernameFormat.suffix, undefined);
  assert.deepEqual(
    p.apps[0]!.clients.map((c) => c.address),
    ['10.0.0.0/8'],
  );
});
