/**
 * Packet surgery for the zoo's RADIUS defects: pure functions, bytes in and
 * bytes out. A defect that lives in an agent's RADIUS layer (where it puts
 * Message-Authenticator, whether it copies Proxy-State, how it computes the
 * Response Authenticator) is reproduced by re-encoding the reference agent's
 * real reply the way the defective agent would have encoded it — the agent's
 * decisions stay the agent's. Hashes come from the agent's codec primitives
 * (md5 / hmacMd5 of agent/src/radius/crypto.ts), so only the defect is new.
 */
import { decodePacket } from '../../../agent/src/radius/codec.ts';
import { hmacMd5, md5, type Secret, secretBytes } from '../../../agent/src/radius/crypto.ts';
import { AttributeType } from '../../../agent/src/radius/dictionary.ts';
import type { RadiusAttribute, RadiusPacket } from '../../../agent/src/radius/packet.ts';
import { hideUserPassword, unhideUserPassword } from '../../../agent/src/radius/user-password.ts';

export type MaPlacement = 'first' | 'last' | 'none';

export interface ReplyEncoding {
  /** Where Message-Authenticator goes (the reference puts it first). */
  ma: MaPlacement;
  /** A classic bug: the Response Authenticator hashed without the shared secret. */
  authenticatorWithoutSecret?: boolean;
}

function serialize(code: number, identifier: number, authenticator: Uint8Array, attributes: readonly RadiusAttribute[]): { buf: Buffer; maOffset: number } {
  const length = 20 + attributes.reduce((n, a) => n + 2 + a.value.length, 0);
  const buf = Buffer.alloc(length);
  buf[0] = code;
  buf[1] = identifier;
  buf.writeUInt16BE(length, 2);
  buf.set(authenticator, 4);
  let pos = 20;
  let maOffset = -1;
  for (const a of attributes) {
    buf[pos] = a.type;
    buf[pos + 1] = 2 + a.value.length;
    if (a.type === AttributeType.MessageAuthenticator) maOffset = pos + 2;
    else buf.set(a.value, pos + 2);
    pos += 2 + a.value.length;
  }
  return { buf, maOffset };
}

const maSlot = (): RadiusAttribute => ({ type: AttributeType.MessageAuthenticator, value: new Uint8Array(16) });

/** A reply with these attributes (any Message-Authenticator among them is replaced), encoded as `how` says. */
export function encodeReplyAs(
  reply: Pick<RadiusPacket, 'code' | 'identifier' | 'attributes'>,
  requestAuthenticator: Uint8Array,
  secret: Secret,
  how: ReplyEncoding,
): Buffer {
  const s = secretBytes(secret);
  const attrs = reply.attributes.filter((a) => a.type !== AttributeType.MessageAuthenticator);
  if (how.ma === 'first') attrs.unshift(maSlot());
  if (how.ma === 'last') attrs.push(maSlot());
  const { buf, maOffset } = serialize(reply.code, reply.identifier, requestAuthenticator, attrs);
  if (maOffset >= 0) hmacMd5(s, buf).copy(buf, maOffset); // the slot is zero while hashing (RFC 3579 §3.2)
  (how.authenticatorWithoutSecret ? md5(buf) : md5(buf, s)).copy(buf, 4);
  return buf;
}

/** Rewrites a reply: `edit` gets and returns its attributes (Message-Authenticator excluded); then re-encoded as `how` says. */
export function rewriteReply(
  replyBytes: Uint8Array,
  requestBytes: Uint8Array,
  secret: Secret,
  how: ReplyEncoding,
  edit: (attributes: RadiusAttribute[], request: RadiusPacket) => RadiusAttribute[] = (a) => a,
): Buffer {
  const reply = decodePacket(replyBytes);
  const request = decodePacket(requestBytes);
  if (!reply.ok || !request.ok) return Buffer.from(replyBytes); // nothing to rewrite in bytes nobody can read
  const own = reply.packet.attributes.filter((a) => a.type !== AttributeType.MessageAuthenticator);
  const attributes = edit(own, request.packet);
  return encodeReplyAs({ code: reply.packet.code, identifier: reply.packet.identifier, attributes }, request.packet.authenticator, secret, how);
}

/**
 * Re-signs a request with `secret` after `edit` (e.g. a fresh Message-Authenticator
 * for a request whose own was wrong, or a different User-Password). The
 * User-Password is re-hidden with `secret`; the Request Authenticator is kept.
 */
export function resignRequest(
  requestBytes: Uint8Array,
  secret: Secret,
  edit: { password?: (clear: Buffer) => Buffer; keepMessageAuthenticator?: boolean } = {},
): Buffer | undefined {
  const decoded = decodePacket(requestBytes);
  if (!decoded.ok) return undefined;
  const p = decoded.packet;
  const hadMa = p.attributes.some((a) => a.type === AttributeType.MessageAuthenticator);
  const attrs = p.attributes.map((a) => {
    if (a.type === AttributeType.UserPassword && edit.password) {
      const clear = unhideUserPassword(a.value, secret, p.authenticator);
      return { type: a.type, value: hideUserPassword(edit.password(clear), secret, p.authenticator) };
    }
    return a;
  });
  const { buf, maOffset } = serialize(p.code, p.identifier, p.authenticator, attrs);
  if (maOffset >= 0 && (hadMa || edit.keepMessageAuthenticator !== false)) hmacMd5(secretBytes(secret), buf).copy(buf, maOffset);
  return buf;
}

/** The clear User-Password of a request, or undefined (none, undecodable). Never log it. */
export function clearPassword(requestBytes: Uint8Array, secret: Secret): Buffer | undefined {
  const decoded = decodePacket(requestBytes);
  if (!decoded.ok) return undefined;
  const hidden = decoded.packet.attributes.find((a) => a.type === AttributeType.UserPassword)?.value;
  if (!hidden) return undefined;
  try {
    return unhideUserPassword(hidden, secret, decoded.packet.authenticator);
  } catch {
    return undefined;
  }
}
