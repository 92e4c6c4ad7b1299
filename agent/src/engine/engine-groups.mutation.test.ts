// Tests that kill mutants StrykerJS found alive in engine.ts's group lookup on an
// accept (npm run mutation -- engine, MUTATION.md): an Okta client that cannot
// list groups, and a user gone from Okta between the sign-in and the lookup,
// both fail closed as Okta failing — not as the agent's own internal error.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock } from '../../../simulators/clock/virtual-clock.ts';
import type { OktaUser } from '../okta/types.ts';
import { Engine } from './engine.ts';
import { FakeOkta } from './fake-okta.test-helper.ts';

function setup() {
  const clock = new VirtualClock();
  const okta = new FakeOkta();
  okta.now = () => clock.now();
  okta.addUser('alice', [{ id: 'ov-totp', factorType: 'token:software:totp' }]);
  okta.validCodes.set('ov-totp', '123456');
  const engine = new Engine({
    app: {
      name: 'vpn',
      mode: 'mfa-only',
      usernameFormat: {},
      timeouts: { totalRequestMs: 60_000, responseModeOnTimeout: 'reject-when-polling-mfa' },
      groups: { include: ['VPN-Admins'] },
    },
    okta,
    clock,
  });
  const signIn = () => engine.authenticate({ userName: 'alice', password: '123456', protocol: 'pap' });
  return { okta, signIn };
}

const OKTA_FAILED = ['reject', 'okta-unavailable', 'Okta could not be reached to check your sign-in. Try again later.'];

describe('engine: the group lookup on an accept, edges found by mutation testing', () => {
  it('an Okta client that cannot list groups: the accept becomes a reject as Okta failing', async () => {
    const { okta, signIn } = setup();
    (okta as { listUserGroups?: unknown }).listUserGroups = undefined;
    const d = await signIn();
    assert.deepEqual([d.result, d.reason, d.replyMessage], OKTA_FAILED);
  });

  it('the user gone from Okta when the groups are looked up: a reject as Okta failing', async () => {
    const { okta, signIn } = setup();
    const getUser = okta.getUser.bind(okta);
    let lookups = 0;
    // The first lookup is the sign-in's own; the second, for the groups, finds nobody.
    okta.getUser = async (login: string, signal?: AbortSignal): Promise<OktaUser | null> => (++lookups === 1 ? getUser(login, signal) : null);
    const d = await signIn();
    assert.equal(lookups, 2);
    assert.deepEqual([d.result, d.reason, d.replyMessage], OKTA_FAILED);
  });
});
