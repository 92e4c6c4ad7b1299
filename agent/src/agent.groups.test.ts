/** "Include groups in RADIUS response" (Okta_Radius_App-gen-group-auth.htm): attributes 11, 25, 26 and the two formats. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupAttributes } from './agent.ts';
import { validateConfig } from './config.ts';
import { isCodedError } from './errors.ts';
import { parseVendorSpecific } from './radius/packet.ts';

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
