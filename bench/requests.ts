/**
 * A cheap Access-Request factory for the in-process load generator, so the
 * generator takes less of the Node thread it shares with the server under
 * test. It stamps a template made once by the codec's encodeRequest: new
 * identifier and Request Authenticator, the User-Password re-hidden (RFC 2865
 * §5.2, one 16-octet block), and Message-Authenticator re-signed with an
 * HMAC-MD5 built from two MD5s (RFC 2104) — which node's createHmac is several
 * times slower at. The factory checks its first output with the codec itself.
 */
import { createHash, randomBytes } from 'node:crypto';
import { RadiusCode } from '../agent/src/radius/codes.ts';
import { decodePacket, encodeRequest, verifyMessageAuthenticator } from '../agent/src/radius/codec.ts';
import { AttributeType } from '../agent/src/radius/dictionary.ts';
import { getOctets, type RadiusAttribute } from '../agent/src/radius/packet.ts';
import { unhideUserPassword } from '../agent/src/radius/user-password.ts';

const BLOCK = 64;

/** HMAC-MD5 (RFC 2104) with the key pads computed once. */
export function hmacMd5Factory(key: Uint8Array): (data: Uint8Array) => Buffer {
  let k = Buffer.from(key);
  if (k.length > BLOCK) k = createHash('md5').update(k).digest();
  const ipad = Buffer.alloc(BLOCK, 0x36);
  const opad = Buffer.alloc(BLOCK, 0x5c);
  for (let i = 0; i < k.length; i++) {
    ipad[i] = ipad[i]! ^ k[i]!;
    opad[i] = opad[i]! ^ k[i]!;
  }
  return (data) => {
    const inner = createHash('md5').update(ipad).update(data).digest();
    return createHash('md5').update(opad).update(inner).digest();
  };
}

/** Offset of the value of the first attribute of `type` in an encoded packet, or -1. */
function valueOffset(packet: Uint8Array, type: number): number {
  let pos = 20;
  while (pos + 2 <= packet.length) {
    if (packet[pos] === type) return pos + 2;
    pos += packet[pos + 1]!;
  }
  return -1;
}

/** A fresh, valid Access-Request with this identifier. */
export type RequestFactory = (identifier: number) => Buffer;

/**
 * Access-Requests with these attributes and a password of at most 16 octets,
 * Message-Authenticator first. Throws if the stamped packet does not pass the
 * codec's own checks.
 */
export function accessRequestFactory(secret: string, attributes: readonly RadiusAttribute[], password: string | undefined): RequestFactory {
  // undefined: no User-Password at all (the agent rejects such a request without asking Okta).
  const clear = Buffer.from(password ?? 'x', 'utf8');
  if (clear.length === 0 || clear.length > 16) throw new Error('the bench request factory handles passwords of 1..16 octets');
  const template = encodeRequest(
    {
      code: RadiusCode.AccessRequest,
      identifier: 0,
      attributes,
      ...(password === undefined ? {} : { userPassword: password }),
      messageAuthenticator: 'first',
    },
    secret,
  );
  const maAt = valueOffset(template, AttributeType.MessageAuthenticator);
  const pwAt = password === undefined ? -1 : valueOffset(template, AttributeType.UserPassword);
  if (maAt < 0 || (password !== undefined && (pwAt < 0 || template[pwAt - 1] !== 18))) throw new Error('unexpected template layout');
  const padded = Buffer.alloc(16);
  clear.copy(padded);
  const secretBytes = Buffer.from(secret, 'utf8');
  const hmac = hmacMd5Factory(secretBytes);
  // Unique authenticators: a random prefix and a counter (unpredictability is not the point here).
  const prefix = randomBytes(8);
  let counter = 0n;

  const make: RequestFactory = (identifier) => {
    const p = Buffer.allocUnsafe(template.length);
    template.copy(p);
    p[1] = identifier;
    prefix.copy(p, 4);
    p.writeBigUInt64BE(counter++, 12);
    if (pwAt >= 0) {
      const b = createHash('md5').update(secretBytes).update(p.subarray(4, 20)).digest();
      for (let i = 0; i < 16; i++) p[pwAt + i] = padded[i]! ^ b[i]!;
    }
    p.fill(0, maAt, maAt + 16);
    hmac(p).copy(p, maAt);
    return p;
  };

  const probe = make(7);
  const d = decodePacket(probe);
  const ok =
    d.ok &&
    verifyMessageAuthenticator(d.raw, secret) === 'valid' &&
    (password === undefined
      ? getOctets(d.packet, 'User-Password') === undefined
      : unhideUserPassword(getOctets(d.packet, 'User-Password')!, secret, d.packet.authenticator).toString('utf8') === password);
  if (!ok) throw new Error('the bench request factory made a request the codec rejects');
  return make;
}
