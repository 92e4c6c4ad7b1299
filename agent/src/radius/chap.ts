import { AttributeType, MicrosoftAttributeType, VendorId } from './dictionary.ts';
import { constantTimeEqual, md5 } from './crypto.ts';
import { getOctets, getVendorAttributes, type RadiusPacket } from './packet.ts';

/** The authentication method an Access-Request uses, judged by its attributes. */
export type AuthProtocol = 'pap' | 'chap' | 'mschapv1' | 'mschapv2' | 'eap' | 'none';

/**
 * Which protocol a request carries. EAP wins (an EAP request may carry other
 * attributes), then MS-CHAPv2, MS-CHAPv1, CHAP, PAP.
 */
export function authProtocolOf(packet: Pick<RadiusPacket, 'attributes'>): AuthProtocol {
  // One pass over the attributes (this runs for every request); the Microsoft ones only when a VSA is there.
  let eap = false;
  let vsa = false;
  let chap = false;
  let pap = false;
  for (const a of packet.attributes) {
    if (a.type === AttributeType.EapMessage) eap = true;
    else if (a.type === AttributeType.VendorSpecific) vsa = true;
    else if (a.type === AttributeType.ChapPassword) chap = true;
    else if (a.type === AttributeType.UserPassword) pap = true;
  }
  if (eap) return 'eap';
  if (vsa && getVendorAttributes(packet, VendorId.Microsoft, MicrosoftAttributeType.MsChap2Response).length > 0) return 'mschapv2';
  if (vsa && getVendorAttributes(packet, VendorId.Microsoft, MicrosoftAttributeType.MsChapResponse).length > 0) return 'mschapv1';
  if (chap) return 'chap';
  if (pap) return 'pap';
  return 'none';
}

/** CHAP response (RFC 1994): MD5(ident ‖ password ‖ challenge). */
export function chapResponse(ident: number, password: string | Uint8Array, challenge: Uint8Array): Buffer {
  const pw = typeof password === 'string' ? Buffer.from(password, 'utf8') : password;
  return md5(Uint8Array.of(ident & 0xff), pw, challenge);
}

/** The challenge of a CHAP request: CHAP-Challenge if present, else the Request Authenticator (RFC 2865 §2.2). */
export function chapChallengeOf(packet: Pick<RadiusPacket, 'attributes' | 'authenticator'>): Uint8Array {
  return getOctets(packet, AttributeType.ChapChallenge) ?? packet.authenticator;
}

/** Build a CHAP-Password value (ident + 16-octet response), as a client does. */
export function chapPasswordValue(ident: number, password: string | Uint8Array, challenge: Uint8Array): Buffer {
  return Buffer.concat([Uint8Array.of(ident & 0xff), chapResponse(ident, password, challenge)]);
}

/**
 * Verify the CHAP-Password of a request against a known clear password.
 * false when there is no CHAP-Password or it is not 17 octets. Constant-time.
 */
export function verifyChapPassword(
  packet: Pick<RadiusPacket, 'attributes' | 'authenticator'>,
  password: string | Uint8Array,
): boolean {
  const v = getOctets(packet, AttributeType.ChapPassword);
  if (v?.length !== 17) return false;
  const expected = chapResponse(v[0]!, password, chapChallengeOf(packet));
  return constantTimeEqual(v.subarray(1), expected);
}
