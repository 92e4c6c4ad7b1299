import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AgentConfigInput, validateConfig } from './config.ts';
import { assessConfig, type ConfigFinding, insecureConfigError, isLoopbackHost, parseAllowInsecure, refusedFindings } from './config-warnings.ts';
import { isCodedError } from './errors.ts';

const GOOD_SECRET = 'k8JdQ2v9-Xw4pLr7Tz1m'; // 20 octets

function config(over: { okta?: Partial<AgentConfigInput['okta']>; client?: Record<string, unknown>; http?: { host: string; port?: number }; allowInsecure?: string[] } = {}) {
  return validateConfig(
    {
      okta: { orgUrl: 'https://example.okta.com', apiToken: 'tok', ...over.okta },
      apps: [{ name: 'ws', clients: [{ name: 'adc', address: '10.0.1.0/24', secret: GOOD_SECRET, ...over.client }] }],
      ...(over.http ? { http: over.http } : {}),
      ...(over.allowInsecure ? { allowInsecure: over.allowInsecure } : {}),
    },
    {},
  );
}

const checks = (fs: ConfigFinding[]) => fs.map((f) => `${f.check}:${f.severity}`);

describe('assessConfig: weak configuration is never silent', () => {
  it('a strong configuration has no finding', () => {
    assert.deepEqual(assessConfig(config({ http: { host: '127.0.0.1' } })), []);
  });

  it('secret length: ≤ 8 octets refused, 9–15 warned, 16 fine (counted in UTF-8 octets)', () => {
    assert.deepEqual(checks(assessConfig(config({ client: { secret: 'abc' } }))), ['short-secret:refuse']);
    assert.deepEqual(checks(assessConfig(config({ client: { secret: '12345678' } }))), ['short-secret:refuse']);
    assert.deepEqual(checks(assessConfig(config({ client: { secret: '123456789' } }))), ['short-secret:warn']);
    assert.deepEqual(checks(assessConfig(config({ client: { secret: '123456789012345' } }))), ['short-secret:warn']);
    assert.deepEqual(assessConfig(config({ client: { secret: '1234567890123456' } })), []);
    // 5 characters, 10 octets: the RFC counts octets.
    assert.deepEqual(checks(assessConfig(config({ client: { secret: 'ééééé' } }))), ['short-secret:warn']);
  });

  it('never puts the secret in a message, only its length and key', () => {
    const secret = 'Zq7!x';
    const [f] = assessConfig(config({ client: { secret } }));
    assert.ok(f);
    assert.ok(!f.message.includes(secret));
    assert.equal(f.key, 'apps[0].clients[0].secret');
    assert.match(f.message, /5 octets/);
    assert.match(f.message, /openssl rand/);
    assert.ok(!insecureConfigError([f]).message.includes(secret));
  });

  it('requireMessageAuthenticator false is a warning naming BlastRADIUS and what to do', () => {
    const [f] = assessConfig(config({ client: { requireMessageAuthenticator: false } }));
    assert.equal(f?.check, 'message-authenticator-off');
    assert.equal(f?.severity, 'warn');
    assert.match(f?.message ?? '', /CVE-2024-3596.*set it to true/);
  });

  it('a client of 0.0.0.0/0, ::/0 or any /0 is a warning; a /1 is not', () => {
    for (const address of ['0.0.0.0/0', '::/0', '10.0.0.0/0', '2001:db8::/0']) {
      assert.deepEqual(checks(assessConfig(config({ client: { address } }))), ['any-client:warn'], address);
    }
    assert.deepEqual(assessConfig(config({ client: { address: '0.0.0.0/1' } })), []);
  });

  it('http:// Okta: refused off loopback, warned on loopback', () => {
    assert.deepEqual(checks(assessConfig(config({ okta: { orgUrl: 'http://example.okta.com' } }))), ['http-okta:refuse']);
    assert.deepEqual(checks(assessConfig(config({ okta: { orgUrl: 'http://10.0.0.5:8080' } }))), ['http-okta:refuse']);
    for (const orgUrl of ['http://127.0.0.1:8080', 'http://localhost:1', 'http://[::1]:9', 'http://127.9.9.9']) {
      assert.deepEqual(checks(assessConfig(config({ okta: { orgUrl } }))), ['http-okta:warn'], orgUrl);
    }
  });

  it('/metrics off loopback is a warning; loopback or no http listener is fine', () => {
    assert.deepEqual(checks(assessConfig(config({ http: { host: '0.0.0.0' } }))), ['metrics-exposed:warn']);
    assert.deepEqual(checks(assessConfig(config({ http: { host: '::' } }))), ['metrics-exposed:warn']);
    assert.deepEqual(checks(assessConfig(config({ http: { host: '192.0.2.1' } }))), ['metrics-exposed:warn']);
    assert.deepEqual(assessConfig(config({ http: { host: '::1' } })), []);
    assert.deepEqual(assessConfig(config()), []);
  });

  it('an allowance (config or CLI) turns a refusal into a warning that says so; other refusals stay', () => {
    const weak = { okta: { orgUrl: 'http://okta.internal' }, client: { secret: 'short' } };
    assert.deepEqual(checks(assessConfig(config(weak))), ['http-okta:refuse', 'short-secret:refuse']);
    const viaConfig = assessConfig(config({ ...weak, allowInsecure: ['short-secret'] }));
    assert.deepEqual(checks(viaConfig), ['http-okta:refuse', 'short-secret:warn']);
    assert.equal(viaConfig[1]?.allowedBy, 'short-secret');
    assert.match(viaConfig[1]?.message ?? '', /started anyway: allowInsecure includes 'short-secret'/);
    const viaCli = assessConfig(config(weak), ['http-okta', 'short-secret']);
    assert.deepEqual(refusedFindings(viaCli), []);
    assert.match(refusedFindings(assessConfig(config(weak)))[0]?.message ?? '', /add 'http-okta' to allowInsecure \(or pass --allow-insecure http-okta\)/);
  });

  it('every message is one line', () => {
    const all = assessConfig(
      config({ okta: { orgUrl: 'http://okta.internal' }, client: { secret: 'x', requireMessageAuthenticator: false, address: '0.0.0.0/0' }, http: { host: '0.0.0.0' } }),
    );
    assert.equal(all.length, 5);
    for (const f of all) assert.ok(!f.message.includes('\n'), f.message);
  });

  it('CONFIG_INSECURE lists every refusal', () => {
    const refused = refusedFindings(assessConfig(config({ okta: { orgUrl: 'http://okta.internal' }, client: { secret: 'x' } })));
    const e = insecureConfigError(refused);
    assert.ok(isCodedError(e, 'CONFIG_INSECURE'));
    assert.deepEqual(e.details.checks, ['http-okta', 'short-secret']);
  });
});

describe('allowInsecure and --allow-insecure', () => {
  it('the config key accepts only known allowances', () => {
    assert.throws(() => config({ allowInsecure: ['everything'] }), (e: unknown) => isCodedError(e, 'CONFIG_INVALID') && /allowInsecure\[0\]: must list only: http-okta, short-secret/.test(e.message));
  });

  it('the flag parses a comma-separated list and names the allowed values on a typo', () => {
    assert.deepEqual(parseAllowInsecure('http-okta, short-secret'), ['http-okta', 'short-secret']);
    assert.throws(() => parseAllowInsecure('http-okta,shortsecret'), (e: unknown) => isCodedError(e, 'CONFIG_INVALID') && /http-okta, short-secret/.test(e.message));
    assert.throws(() => parseAllowInsecure(''), (e: unknown) => isCodedError(e, 'CONFIG_INVALID'));
  });
});

describe('isLoopbackHost', () => {
  it('knows loopback from everything else', () => {
    for (const h of ['127.0.0.1', '127.255.0.1', 'localhost', 'LOCALHOST', 'a.localhost', '::1', '[::1]', '::ffff:127.0.0.1']) assert.ok(isLoopbackHost(h), h);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', 'example.com', 'localhost.example.com', '::2', '128.0.0.1']) assert.ok(!isLoopbackHost(h), h);
  });
});
