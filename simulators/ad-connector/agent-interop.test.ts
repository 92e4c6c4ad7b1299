/**
 * Interop with the reference agent's codec (agent/src/radius), an independent
 * implementation: what the connector encodes, the agent decodes and verifies;
 * what the agent encodes (Message-Authenticator first), the connector verifies.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verifyChapPassword } from '../../agent/src/radius/chap.ts';
import { RadiusCode } from '../../agent/src/radius/codes.ts';
import { decodePacket, encodeResponse, verifyMessageAuthenticator } from '../../agent/src/radius/codec.ts';
import { AttributeType, VendorId } from '../../agent/src/radius/dictionary.ts';
import { attr, getIp, getOctets, getText, getVendorAttributes } from '../../agent/src/radius/packet.ts';
import { unhideUserPassword } from '../../agent/src/radius/user-password.ts';
import { mschapV1NtResponse, mschapV2NtResponse } from './mschap.ts';
import { encodeAccessRequest, verifyReply } from './radius-codec.ts';

const SECRET = 'interop secret 42';
const base = { identifier: 17, secret: SECRET, userName: 'alice', password: '246810', nasIdentifier: 'd-9067a1b2c3', nasIpAddress: '127.0.0.2', messageAuthenticator: true } as const;

function decoded(bytes: Uint8Array) {
  const r = decodePacket(bytes);
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.packet;
}

test('PAP Access-Request: the agent decodes it, verifies the MA and unhides the code', () => {
  const req = encodeAccessRequest({ ...base, protocol: 'PAP' });
  const packet = decoded(req.bytes);
  assert.equal(packet.code, RadiusCode.AccessRequest);
  assert.equal(packet.identifier, 17);
  assert.equal(packet.attributes[0]?.type, AttributeType.MessageAuthenticator, 'MA first');
  assert.equal(verifyMessageAuthenticator(req.bytes, SECRET), 'valid');
  assert.equal(verifyMessageAuthenticator(req.bytes, 'another secret'), 'invalid');
  assert.equal(getText(packet, 'User-Name'), 'alice');
  assert.equal(getText(packet, 'NAS-Identifier'), 'd-9067a1b2c3');
  assert.equal(getIp(packet, 'NAS-IP-Address'), '127.0.0.2');
  const hidden = getOctets(packet, AttributeType.UserPassword)!;
  assert.equal(unhideUserPassword(hidden, SECRET, packet.authenticator).toString('utf8'), '246810');
});

test('CHAP and MS-CHAP requests carry what the agent expects to find', () => {
  const chap = decoded(encodeAccessRequest({ ...base, protocol: 'CHAP' }).bytes);
  assert.equal(verifyChapPassword(chap, '246810'), true);
  assert.equal(verifyChapPassword(chap, '000000'), false);

  const v1 = decoded(encodeAccessRequest({ ...base, protocol: 'MS-CHAPv1' }).bytes);
  const challenge1 = getVendorAttributes(v1, VendorId.Microsoft, 11)[0]!.value;
  const response1 = getVendorAttributes(v1, VendorId.Microsoft, 1)[0]!.value;
  assert.deepEqual(Buffer.from(response1.subarray(26)), mschapV1NtResponse(challenge1, '246810'));

  const v2 = decoded(encodeAccessRequest({ ...base, protocol: 'MS-CHAPv2' }).bytes);
  const challenge2 = getVendorAttributes(v2, VendorId.Microsoft, 11)[0]!.value;
  const response2 = getVendorAttributes(v2, VendorId.Microsoft, 25)[0]!.value;
  assert.deepEqual(Buffer.from(response2.subarray(26)), mschapV2NtResponse(challenge2, response2.subarray(2, 18), 'alice', '246810'));
});

test("the agent's replies pass the connector's checks; a wrong secret does not", () => {
  const req = encodeAccessRequest({ ...base, protocol: 'PAP' });
  const packet = decoded(req.bytes);
  const accept = encodeResponse({ code: RadiusCode.AccessReject, attributes: [attr.text('Reply-Message', 'Invalid passcode')] }, packet, SECRET);
  const ok = verifyReply(req, accept, SECRET, { requireMessageAuthenticator: true });
  assert.ok(ok.ok, ok.ok ? '' : ok.detail);
  assert.equal(ok.reply.codeName, 'Access-Reject');
  assert.deepEqual(ok.reply.replyMessages, ['Invalid passcode']);
  assert.equal(ok.reply.hasMessageAuthenticator, true);

  const forged = encodeResponse({ code: RadiusCode.AccessAccept }, packet, 'not the secret');
  const bad = verifyReply(req, forged, SECRET);
  assert.equal(bad.ok, false);
  assert.equal(bad.ok ? '' : bad.reason, 'bad-response-authenticator');

  const challenge = encodeResponse({ code: RadiusCode.AccessChallenge, attributes: [attr.octets('State', 'abc')] }, packet, SECRET);
  const ch = verifyReply(req, challenge, SECRET);
  assert.ok(ch.ok);
  assert.equal(ch.reply.codeName, 'Access-Challenge');
  assert.deepEqual(ch.reply.state, Buffer.from('abc'));
});
