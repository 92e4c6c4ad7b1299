/** okta.callsPerSecond: the agent-wide Okta call budget (agent/src/okta/call-slots.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateConfig } from './config.ts';
import { isCodedError } from './errors.ts';

const base = {
  okta: { orgUrl: 'https://example.okta.com', apiToken: 't' },
  apps: [{ name: 'a', secret: 'a-long-enough-secret' }],
};

function rejected(okta: Record<string, unknown>): string {
  try {
    validateConfig({ ...base, okta: { ...base.okta, ...okta } }, {});
  } catch (e) {
    assert.ok(isCodedError(e, 'CONFIG_INVALID'), `expected CONFIG_INVALID, got ${String(e)}`);
    return e.message;
  }
  assert.fail('expected the config to be rejected');
}

describe('config: okta.callsPerSecond', () => {
  it("defaults to 20 a second: 1,200 a minute, Okta's limit for most /api/v1 actions on Workforce Identity orgs", () => {
    assert.equal(validateConfig(base, {}).okta.callsPerSecond, 20);
    assert.equal(validateConfig({ ...base, okta: { ...base.okta, callsPerSecond: 2.5 } }, {}).okta.callsPerSecond, 2.5);
  });

  it('refuses 0, a negative, too large or not a number, naming the key, the allowed values and the default', () => {
    for (const bad of [0, -1, 2_000_000, 'fast']) {
      const msg = rejected({ callsPerSecond: bad });
      assert.match(msg, /okta\.callsPerSecond/);
      assert.match(msg, /at most 1000000/);
      assert.match(msg, /default 20/);
    }
  });
});
