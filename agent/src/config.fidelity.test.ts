/**
 * The settings issue 12 added to the configuration, with the defaults Okta documents:
 * Okta's one-secret-per-app model beside the client list (Okta_Radius_App-gen-addr-filtering.htm),
 * ragent.mfa.timeout.seconds = 60 (Agent_install_linux-conf-properties.htm), the single-factor
 * prompt (citrix-netscaler-radius-user-exp.htm) and the per-app Duo rule.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateConfig } from './config.ts';
import { isCodedError } from './errors.ts';

const okta = { orgUrl: 'https://example.okta.com', apiToken: 'tok' };
const app = (extra: Record<string, unknown>) => ({ okta, apps: [{ name: 'ws', ...extra }] });

function problem(input: unknown): string {
  try {
    validateConfig(input, {});
  } catch (e) {
    assert.ok(isCodedError(e, 'CONFIG_INVALID'));
    return e.message;
  }
  return assert.fail('expected CONFIG_INVALID');
}

describe("config: Okta's address model", () => {
  it('secret alone = any IPv4 and any IPv6 source with that secret', () => {
    const c = validateConfig(app({ secret: 's3cret-1' }), {});
    assert.deepEqual(
      c.apps[0]!.clients.map((x) => [x.address, x.secret, x.requireMessageAuthenticator]),
      [
        ['0.0.0.0/0', 's3cret-1', true],
        ['::/0', 's3cret-1', true],
      ],
    );
  });

  it('secret + allowList (ragent.network.accept.allow_list) = those addresses only', () => {
    const c = validateConfig(app({ secret: 's3cret-1', allowList: ['10.10.10.15', '10.10.10.16'], requireMessageAuthenticator: false }), {});
    assert.deepEqual(
      c.apps[0]!.clients.map((x) => [x.name, x.address, x.requireMessageAuthenticator]),
      [
        ['allow-list 10.10.10.15', '10.10.10.15', false],
        ['allow-list 10.10.10.16', '10.10.10.16', false],
      ],
    );
  });

  it('exactly one of clients and secret; allowList only with secret', () => {
    assert.match(problem(app({})), /apps\[0\]: give either 'clients' .* or 'secret' .*neither is set/);
    assert.match(problem(app({ secret: 'x', clients: [{ name: 'a', address: '10.0.0.1', secret: 'y' }] })), /not both/);
    assert.match(problem(app({ clients: [{ name: 'a', address: '10.0.0.1', secret: 'y' }], allowList: ['10.0.0.1'] })), /allowList goes with 'secret'/);
    assert.match(problem(app({ secret: 'x', allowList: [] })), /allowList/);
  });
});

describe('config: documented defaults', () => {
  it('challengeMs 60000, factorMenu when-several, oktaApp amazon-workspaces', () => {
    const a = validateConfig(app({ secret: 'x' }), {}).apps[0]!;
    assert.equal(a.timeouts.challengeMs, 60_000);
    assert.equal(a.timeouts.responseModeOnTimeout, 'reject-when-polling-mfa');
    assert.equal(a.factorMenu, 'when-several');
    assert.equal(a.oktaApp, 'amazon-workspaces');
  });

  it('bad values name the allowed ones', () => {
    assert.match(problem(app({ secret: 'x', factorMenu: 'never' })), /factorMenu: must be 'when-several' or 'always'/);
    assert.match(problem(app({ secret: 'x', oktaApp: 'vpn' })), /oktaApp: must be 'amazon-workspaces' or 'radius'/);
  });
});
