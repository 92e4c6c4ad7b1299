/** "Include groups in RADIUS response" (Okta_Radius_App-gen-group-auth.htm): attributes 11, 25, 26 and the two formats. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock } from '../../simulators/clock/virtual-clock.ts';
import { RecordingDelivery } from '../../simulators/okta/delivery.ts';
import { OktaOrg } from '../../simulators/okta/org.ts';
import { oktaFetch } from '../../simulators/okta/serve.ts';
import { totpAt } from '../../simulators/okta/totp.ts';
import { createAgent, groupAttributes } from './agent.ts';
import { validateConfig } from './config.ts';
import { isCodedError } from './errors.ts';
import { parseVendorSpecific } from './radius/packet.ts';
import { buildAccessRequest, TestRadiusSocket } from './test-support/radius-test-client.ts';

const base = { okta: { orgUrl: 'https://example.okta.com', apiToken: 't' } };
const groupsOf = (groups: Record<string, unknown>) => validateConfig({ ...base, apps: [{ name: 'a', secret: 's3cret-123', groups }] }, {}).apps[0]!.groups;
const text = (v: Uint8Array) => new TextDecoder().decode(v);

describe('groups in the Access-Accept', () => {
  it('11 Filter-Id, one per group (the default format)', () => {
    const attrs = groupAttributes(['A', 'B'], groupsOf({ attribute: 'filter-id', include: ['A', 'B'] }));
    assert.deepEqual(attrs.map((a) => [a.type, text(a.value)]), [
      [11, 'A'],
      [11, 'B'],
    ]);
  });

  it('25 Class, joined with a separator', () => {
    const attrs = groupAttributes(['A', 'B'], groupsOf({ attribute: 'class', include: ['A', 'B'], responseFormat: 'joined', separator: ';' }));
    assert.deepEqual(attrs.map((a) => [a.type, text(a.value)]), [[25, 'A;B']]);
  });

  it('26 Vendor-Specific with the configured vendor and type; no groups, no attributes', () => {
    const g = groupsOf({ attribute: 'vendor-specific', include: ['A'], vendorId: 9, vendorType: 1 });
    const [vsa] = groupAttributes(['A'], g);
    assert.equal(vsa?.type, 26);
    const parsed = parseVendorSpecific(vsa!);
    assert.equal(parsed?.vendorId, 9);
    assert.deepEqual(groupAttributes([], g), []);
    assert.deepEqual(groupAttributes(['A'], undefined), []);
  });

  it('vendor-specific without vendorId/vendorType is a config error naming them', () => {
    assert.throws(
      () => groupsOf({ attribute: 'vendor-specific', include: ['A'] }),
      (e: unknown) => isCodedError(e, 'CONFIG_INVALID') && /vendorId and vendorType/.test(e.message),
    );
  });
});

describe('groups end to end (createAgent, its Okta client and lookup cache, the mock org over oktaFetch)', () => {
  it('an accept carries the listed groups the user is in, as Class attributes', async () => {
    const clock = new VirtualClock();
    const org = new OktaOrg({ clock, delivery: new RecordingDelivery(), seed: 5 });
    const token = org.createApiToken();
    const alice = org.createUser({ profile: { login: 'alice@corp.example.com' }, password: 'pw' });
    const ov = org.enrollFactor(alice.id, { factorType: 'token:software:totp', provider: 'OKTA', activate: true });
    for (const name of ['Everyone', 'VPN-Admins', 'Sales']) org.addToGroup(org.createGroup({ name }).id, alice.id);
    const agent = createAgent({
      config: {
        ...base,
        okta: { orgUrl: org.orgUrl, apiToken: token },
        apps: [
          {
            name: 'ws',
            listen: { host: '127.0.0.1', port: 0 },
            usernameFormat: { suffix: '@corp.example.com' },
            clients: [{ name: 'lab', address: '127.0.0.1', secret: 'groups-secret' }],
            groups: { attribute: 'class', include: ['VPN-Admins', 'Finance'] },
          },
        ],
      },
      clock,
      fetch: oktaFetch(org),
    });
    const [ep] = await agent.start();
    const sock = new TestRadiusSocket(ep!.endpoint);
    try {
      await sock.send(buildAccessRequest({ userName: 'alice', password: totpAt(ov.activation?.sharedSecret ?? '', clock.now()), secret: 'groups-secret' }));
      const reply = await sock.next();
      assert.equal(reply?.code, 2);
      assert.deepEqual(
        reply!.attributes.filter((a) => a.type === 25).map((a) => text(a.value)),
        ['VPN-Admins'],
      );
    } finally {
      sock.close();
      await agent.stop();
    }
  });
});
