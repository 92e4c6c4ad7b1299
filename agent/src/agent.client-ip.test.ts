/** "Report Client IP" (Okta_Radius_App-gen-client-ip.htm): which attribute carries the user's IP, and what counts as one. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientIpOf } from './agent.ts';
import { validateConfig } from './config.ts';
import { RadiusCode } from './radius/codes.ts';
import { attr, type RadiusPacket } from './radius/packet.ts';

const packet = (attributes: RadiusPacket['attributes']): RadiusPacket => ({ code: RadiusCode.AccessRequest, identifier: 1, authenticator: new Uint8Array(16), attributes }) as RadiusPacket;

describe('Report Client IP', () => {
  it('Calling-Station-Id holding an IP (v4 or v6) is the client IP; a MAC address is not', () => {
    assert.equal(clientIpOf(packet([attr.text('Calling-Station-Id', '203.0.113.7')]), 'Calling-Station-Id'), '203.0.113.7');
    assert.equal(clientIpOf(packet([attr.text('Calling-Station-Id', '2001:db8::7')]), 'Calling-Station-Id'), '2001:db8::7');
    assert.equal(clientIpOf(packet([attr.text('Calling-Station-Id', '00-11-22-33-44-55')]), 'Calling-Station-Id'), undefined);
    assert.equal(clientIpOf(packet([]), 'Calling-Station-Id'), undefined);
  });

  it('Framed-IP-Address (4 octets)', () => {
    assert.equal(clientIpOf(packet([attr.ip('Framed-IP-Address', '198.51.100.20')]), 'Framed-IP-Address'), '198.51.100.20');
  });

  it('config: off by default; Calling-Station-Id when switched on without an attribute', () => {
    const app = (extra: object) => validateConfig({ okta: { orgUrl: 'https://example.okta.com', apiToken: 't' }, apps: [{ name: 'a', secret: 's3cret-123', ...extra }] }, {}).apps[0]!;
    assert.equal(app({}).reportClientIp, undefined);
    assert.deepEqual(app({ reportClientIp: {} }).reportClientIp, { attribute: 'Calling-Station-Id' });
  });
});
