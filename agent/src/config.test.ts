import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCodedError } from './errors.ts';
import { parseConfigText, validateConfig } from './config.ts';

const minimal = `
okta:
  orgUrl: https://example.okta.com
  apiToken: \${OKTA_API_TOKEN}
apps:
  - name: workspaces
    clients:
      - name: ad-connector
        address: 10.0.0.0/24
        secret: \${RADIUS_SECRET}
`;

/** `${NAME}` as written in a config file (built so no linter mistakes it for a template). */
const ref = (name: string): string => '$' + '{' + name + '}';

const env = { OKTA_API_TOKEN: 'tok', RADIUS_SECRET: 'sekret-123' };

function problems(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(isCodedError(e, 'CONFIG_INVALID'), `expected CONFIG_INVALID, got ${String(e)}`);
    return e.message;
  }
  assert.fail('expected the config to be rejected');
}

describe('config', () => {
  it('fills the documented defaults and reads environment variables', () => {
    const c = parseConfigText(minimal, env);
    assert.equal(c.okta.apiToken, 'tok');
    const app = c.apps[0]!;
    assert.equal(app.clients[0]!.secret, 'sekret-123');
    assert.equal(app.clients[0]!.requireMessageAuthenticator, true);
    assert.equal(app.mode, 'mfa-only');
    assert.deepEqual(app.listen, { host: '0.0.0.0', port: 1812 });
    assert.equal(app.timeouts.totalRequestMs, 60_000);
    assert.equal(app.timeouts.pushMs, undefined, 'push defaults to half the total at run time');
    assert.equal(app.timeouts.responseModeOnTimeout, 'reject-when-polling-mfa');
    assert.equal(c.okta.maxConnections, 20);
    assert.equal(c.okta.maxRetries, 2);
    assert.equal(c.http, undefined);
  });

  it('names the missing environment variable and the key', () => {
    const msg = problems(() => parseConfigText(minimal, { OKTA_API_TOKEN: 'tok' }));
    assert.match(msg, /apps\[0\]\.clients\[0\]\.secret: environment variable RADIUS_SECRET is not set/);
  });

  it('$${ is a literal', () => {
    const c = parseConfigText(minimal.replace(ref('RADIUS_SECRET'), () => `a$${ref('b')}`), env);
    assert.equal(c.apps[0]!.clients[0]!.secret, `a${ref('b')}`);
  });

  it('names the key path and what is wrong', () => {
    const bad = {
      okta: { orgUrl: 'not a url', apiToken: '' },
      apps: [
        {
          name: 'ws',
          mode: 'magic',
          listen: { port: 70000 },
          clients: [{ name: 'c', address: '10.0.0.1' }],
          timeouts: { totalRequestMs: 10_000, pushMs: 20_000, responseModeOnTimeout: 'shrug' },
        },
      ],
      extra: true,
    };
    const msg = problems(() => validateConfig(bad, {}));
    assert.match(msg, /okta\.orgUrl: must be the URL of your Okta org/);
    assert.match(msg, /okta\.apiToken: an Okta API token is required/);
    assert.match(msg, /apps\[0\]\.mode: must be 'mfa-only', 'password-passcode' or 'password-first'/);
    assert.match(msg, /apps\[0\]\.listen\.port: port must be 0\.\.65535/);
    assert.match(msg, /apps\[0\]\.clients\[0\]\.secret/);
    assert.match(msg, /apps\[0\]\.timeouts\.responseModeOnTimeout: must be/);
    assert.match(msg, /extra/);
  });

  it('rejects a push timeout not below the total, duplicate app names and ports', () => {
    const two = {
      okta: { orgUrl: 'https://example.okta.com', apiToken: 't' },
      apps: [
        { name: 'a', listen: { port: 1812 }, clients: [{ name: 'c', address: '10.0.0.1', secret: 's' }], timeouts: { totalRequestMs: 10_000, pushMs: 10_000 } },
        { name: 'a', listen: { port: 1812 }, clients: [{ name: 'c', address: '10.0.0.1', secret: 's' }] },
      ],
    };
    const msg = problems(() => validateConfig(two, {}));
    assert.match(msg, /apps\[0\]\.timeouts\.pushMs: pushMs \(10000\) must be less than totalRequestMs \(10000\)/);
    assert.match(msg, /apps\[1\]\.name: app name 'a' is used twice/);
    assert.match(msg, /apps\[1\]\.listen\.port: 0\.0\.0\.0:1812 is used by another app/);
  });

  it('reports invalid YAML as CONFIG_INVALID', () => {
    assert.match(problems(() => parseConfigText('okta: [', {})), /not valid YAML/);
  });

  it('the example config in agent/examples is valid', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(new URL('../examples/config.yaml', import.meta.url), 'utf8');
    const c = parseConfigText(text, { OKTA_API_TOKEN: 't', RADIUS_SECRET: 'a-long-shared-secret' });
    assert.ok(c.apps.length >= 1);
  });
});
