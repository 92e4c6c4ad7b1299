/**
 * MS-CHAP response computations (RFC 2433 v1, RFC 2759 v2), client side.
 * Pure functions: bytes in, bytes out. Only the NT response is produced; the
 * LM response is sent as zeros with Flags = 1 ("use the NT response"), which
 * every modern server expects (the LM hash is disabled on Windows since 2008).
 */
import { createCipheriv, createHash } from 'node:crypto';
import { md4 } from './md4.ts';

/** NtPasswordHash: MD4 of the password in UTF-16LE (RFC 2759 §8.3). */
export function ntPasswordHash(password: string): Buffer {
  return md4(Buffer.from(password, 'utf16le'));
}

/**
 * Expand 7 key bytes into an 8-byte DES key (parity bits left zero; DES
 * ignores them). RFC 2759 §8.6 "DesEncrypt".
 */
function desKey(seven: Uint8Array): Buffer {
  const k = Buffer.alloc(8);
  k[0] = seven[0]! & 0xfe;
  k[1] = ((seven[0]! << 7) | (seven[1]! >> 1)) & 0xfe;
  k[2] = ((seven[1]! << 6) | (seven[2]! >> 2)) & 0xfe;
  k[3] = ((seven[2]! << 5) | (seven[3]! >> 3)) & 0xfe;
  k[4] = ((seven[3]! << 4) | (seven[4]! >> 4)) & 0xfe;
  k[5] = ((seven[4]! << 3) | (seven[5]! >> 5)) & 0xfe;
  k[6] = ((seven[5]! << 2) | (seven[6]! >> 6)) & 0xfe;
  k[7] = (seven[6]! << 1) & 0xfe;
  return k;
}

/**
 * Single DES-ECB of one block. OpenSSL 3 moved plain `des-ecb` to the legacy
 * provider (unavailable here), but two-key triple DES in EDE mode with K1 = K2
 * is E(K, D(K, E(K, x))) = E(K, x): exactly single DES, from the default provider.
 */
function desEncrypt(clear: Uint8Array, seven: Uint8Array): Buffer {
  const key = desKey(seven);
  const cipher = createCipheriv('des-ede-ecb', Buffer.concat([key, key]), null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(clear), cipher.final()]);
}

/** ChallengeResponse (RFC 2759 §8.5): 24 bytes from an 8-byte challenge and the 16-byte hash. */
export function challengeResponse(challenge: Uint8Array, passwordHash: Uint8Array): Buffer {
  const z = Buffer.alloc(21);
  z.set(passwordHash, 0);
  return Buffer.concat([
    desEncrypt(challenge, z.subarray(0, 7)),
    desEncrypt(challenge, z.subarray(7, 14)),
    desEncrypt(challenge, z.subarray(14, 21)),
  ]);
}

/** MS-CHAPv1 NT-Response (RFC 2433 §A.5): ChallengeResponse over the 8-byte server challenge. */
export function mschapV1NtResponse(challenge8: Uint8Array, password: string): Buffer {
  return challengeResponse(challenge8, ntPasswordHash(password));
}

/** ChallengeHash (RFC 2759 §8.2): first 8 bytes of SHA1(peer challenge ‖ authenticator challenge ‖ user name). */
export function challengeHash(peerChallenge: Uint8Array, authenticatorChallenge: Uint8Array, userName: string): Buffer {
  return createHash('sha1')
    .update(peerChallenge)
    .update(authenticatorChallenge)
    .update(Buffer.from(userName, 'utf8'))
    .digest()
    .subarray(0, 8);
}

/** GenerateNTResponse (RFC 2759 §8.1). */
export function mschapV2NtResponse(
  authenticatorChallenge: Uint8Array,
  peerChallenge: Uint8Array,
  userName: string,
  password: string,
): Buffer {
  return challengeResponse(challengeHash(peerChallenge, authenticatorChallenge, userName), ntPasswordHash(password));
}
