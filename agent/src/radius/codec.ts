import { randomBytes } from 'node:crypto';
import { CodedError } from '../errors.ts';
import { isKnownCode, RadiusCode, radiusCodeName } from './codes.ts';
import { constantTimeEqual, hmacMd5Into, hmacMd5ZeroedInto, md5, md5Into, type Secret, secretBytes } from './crypto.ts';
import { AttributeType } from './dictionary.ts';
import { MAX_ATTRIBUTE_VALUE_LENGTH, type RadiusAttribute, type RadiusPacket } from './packet.ts';
import { hideUserPassword } from './user-password.ts';

/**
 * The strict, pure RADIUS codec: bytes ⇄ packets given a secret. No sockets, no
 * clock. Decoding never throws and never returns a partial packet; encoding
 * throws CodedError only for caller mistakes (oversized values, bad identifier).
 */

export const RADIUS_HEADER_LENGTH = 20;
export const RADIUS_MIN_LENGTH = 20;
export const RADIUS_MAX_LENGTH = 4096;
const MA_LENGTH = 16;

export type RadiusDecodeErrorCode =
  /** Fewer than 20 octets in the datagram. */
  | 'RADIUS_TOO_SHORT'
  /** Code is not one of RadiusCode. */
  | 'RADIUS_UNKNOWN_CODE'
  /** Length field outside 20..4096. */
  | 'RADIUS_BAD_LENGTH'
  /** Length field larger than the datagram. */
  | 'RADIUS_LENGTH_EXCEEDS_DATAGRAM'
  /** An attribute's length octet is < 2. */
  | 'RADIUS_BAD_ATTRIBUTE_LENGTH'
  /** An attribute (or its 2-octet header) runs past Length. */
  | 'RADIUS_ATTRIBUTE_OVERFLOW'
  /** Message-Authenticator whose value is not 16 octets. */
  | 'RADIUS_BAD_MESSAGE_AUTHENTICATOR_LENGTH'
  /** More than one Message-Authenticator (RFC 3579 §3.2 allows at most one). */
  | 'RADIUS_MULTIPLE_MESSAGE_AUTHENTICATORS'
  /** Defensive catch-all: the parser failed unexpectedly (a bug here, reported instead of thrown). */
  | 'RADIUS_DECODE_FAILED';

export class RadiusDecodeError extends CodedError {
  declare readonly code: RadiusDecodeErrorCode;

  constructor(code: RadiusDecodeErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, details);
    this.name = 'RadiusDecodeError';
  }
}

export type DecodeResult =
  | {
      ok: true;
      packet: RadiusPacket;
      /** The packet's bytes (the datagram cut at Length; octets past Length are padding, RFC 2865 §3). */
      raw: Uint8Array;
    }
  | { ok: false; error: RadiusDecodeError };

function fail(code: RadiusDecodeErrorCode, message: string, details: Record<string, unknown> = {}): DecodeResult {
  return { ok: false, error: new RadiusDecodeError(code, message, details) };
}

/** Code and identifier if the datagram has at least the first two octets (for events on undecodable input). */
export function peekHeader(bytes: Uint8Array): { code: number; identifier: number } | undefined {
  return bytes.length >= 2 ? { code: bytes[0]!, identifier: bytes[1]! } : undefined;
}

/** The 16-octet Authenticator field of an encoded packet. */
export function authenticatorOf(raw: Uint8Array): Uint8Array {
  return raw.subarray(4, 20);
}

/** Decode one datagram. Pure; never throws. */
export function decodePacket(bytes: Uint8Array): DecodeResult {
  return decodeGuarded(bytes, true);
}

/**
 * decodePacket without the copy: `raw`, the authenticator and every attribute value are
 * views of `bytes`. Only for a caller that owns `bytes` and never writes to it afterwards
 * (the transport: the socket hands over a buffer of its own per datagram); the packet
 * then pins that buffer for as long as it lives. Same answers as decodePacket.
 */
export function decodePacketView(bytes: Uint8Array): DecodeResult {
  return decodeGuarded(bytes, false);
}

function decodeGuarded(bytes: Uint8Array, copy: boolean): DecodeResult {
  try {
    return decodeStrict(bytes, copy);
  } catch (e) {
    // Defensive: the parser below has no throwing paths; if one appears, it is still a decode error, not a crash.
    return fail('RADIUS_DECODE_FAILED', `undecodable packet: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function decodeStrict(bytes: Uint8Array, copy: boolean): DecodeResult {
  if (bytes.length < RADIUS_HEADER_LENGTH) {
    return fail('RADIUS_TOO_SHORT', `datagram of ${bytes.length} octets is shorter than the 20-octet RADIUS header`, {
      datagramLength: bytes.length,
    });
  }
  const code = bytes[0]!;
  if (!isKnownCode(code)) return fail('RADIUS_UNKNOWN_CODE', `unknown RADIUS code ${code}`, { code });
  const length = (bytes[2]! << 8) | bytes[3]!;
  if (length < RADIUS_MIN_LENGTH || length > RADIUS_MAX_LENGTH) {
    return fail('RADIUS_BAD_LENGTH', `Length field ${length} is outside 20..4096`, { length });
  }
  if (length > bytes.length) {
    return fail('RADIUS_LENGTH_EXCEEDS_DATAGRAM', `Length field ${length} exceeds the ${bytes.length}-octet datagram`, {
      length,
      datagramLength: bytes.length,
    });
  }
  // One copy of the packet, so it never aliases (or pins) the caller's buffer; the
  // attribute values and the authenticator are views of that copy (a copy each was
  // an ArrayBuffer per attribute for the garbage collector).
  const raw = copy ? Uint8Array.prototype.slice.call(bytes, 0, length) : length === bytes.length ? bytes : bytes.subarray(0, length);
  const attributes: RadiusAttribute[] = [];
  let seenMa = false;
  let pos = RADIUS_HEADER_LENGTH;
  while (pos < length) {
    if (pos + 2 > length) {
      return fail('RADIUS_ATTRIBUTE_OVERFLOW', `attribute header at offset ${pos} runs past Length ${length}`, {
        offset: pos,
      });
    }
    const type = bytes[pos]!;
    const alen = bytes[pos + 1]!;
    if (alen < 2) {
      return fail('RADIUS_BAD_ATTRIBUTE_LENGTH', `attribute ${type} at offset ${pos} has length ${alen} (< 2)`, {
        offset: pos,
        type,
        attributeLength: alen,
      });
    }
    if (pos + alen > length) {
      return fail('RADIUS_ATTRIBUTE_OVERFLOW', `attribute ${type} at offset ${pos} runs past Length ${length}`, {
        offset: pos,
        type,
        attributeLength: alen,
      });
    }
    if (type === AttributeType.MessageAuthenticator) {
      if (alen !== 2 + MA_LENGTH) {
        return fail(
          'RADIUS_BAD_MESSAGE_AUTHENTICATOR_LENGTH',
          `Message-Authenticator has length ${alen}; it must be 18`,
          { attributeLength: alen },
        );
      }
      if (seenMa) return fail('RADIUS_MULTIPLE_MESSAGE_AUTHENTICATORS', 'more than one Message-Authenticator');
      seenMa = true;
    }
    attributes.push({ type, value: raw.subarray(pos + 2, pos + alen) });
    pos += alen;
  }
  return {
    ok: true,
    packet: { code, identifier: bytes[1]!, authenticator: raw.subarray(4, 20), attributes },
    raw,
  };
}

// ---------------------------------------------------------------------------
// Encoding

export type MessageAuthenticatorPlacement = 'first' | 'last' | 'none';

export interface RadiusRequestInit {
  code:
    | typeof RadiusCode.AccessRequest
    | typeof RadiusCode.AccountingRequest
    | typeof RadiusCode.StatusServer
    | typeof RadiusCode.StatusClient;
  identifier: number;
  /** Request Authenticator for Access-Request / Status-Server; random (16 octets) if omitted. Ignored for Accounting-Request (computed). */
  authenticator?: Uint8Array;
  attributes?: readonly RadiusAttribute[];
  /** Clear password: hidden (RFC 2865 §5.2) and inserted after the first User-Name (else first). */
  userPassword?: string | Uint8Array;
  /**
   * Where to put Message-Authenticator. Default 'first' (BlastRADIUS hardening).
   * A type-80 attribute already in `attributes` is used as the slot instead
   * (its value is recomputed). Status-Server always carries one (RFC 5997).
   */
  messageAuthenticator?: MessageAuthenticatorPlacement;
}

export interface RadiusReplyInit {
  code:
    | typeof RadiusCode.AccessAccept
    | typeof RadiusCode.AccessReject
    | typeof RadiusCode.AccessChallenge
    | typeof RadiusCode.AccountingResponse;
  attributes?: readonly RadiusAttribute[];
}

export interface EncodeResponseOptions {
  /**
   * Default true: a Message-Authenticator is placed first, right after the
   * header. false exists only to reproduce historical examples (RFC 2865 §7)
   * and to play old servers in tests.
   */
  messageAuthenticator?: boolean;
}

function encodeError(message: string, details: Record<string, unknown> = {}): CodedError {
  return new CodedError('RADIUS_ENCODE_ERROR', message, details);
}

function checkIdentifier(identifier: number): void {
  if (!Number.isInteger(identifier) || identifier < 0 || identifier > 255) {
    throw encodeError(`identifier must be an integer 0..255, got ${identifier}`);
  }
}

function checkAttribute(a: RadiusAttribute): void {
  if (!Number.isInteger(a.type) || a.type < 1 || a.type > 255) throw encodeError(`attribute type must be 1..255, got ${a.type}`);
  if (a.value.length > MAX_ATTRIBUTE_VALUE_LENGTH) {
    throw new CodedError(
      'RADIUS_ATTRIBUTE_TOO_LONG',
      `attribute ${a.type} value is ${a.value.length} octets; at most ${MAX_ATTRIBUTE_VALUE_LENGTH} fit — split it over several attributes`,
    );
  }
}

function checkLength(length: number): void {
  if (length > RADIUS_MAX_LENGTH) {
    throw new CodedError('RADIUS_PACKET_TOO_LONG', `packet would be ${length} octets; RADIUS allows at most 4096 — send fewer attributes`, {
      length,
    });
  }
}

/** Header + attributes with a zero Authenticator; returns the buffer and the MA value offset (or -1). */
function serialize(code: number, identifier: number, attributes: readonly RadiusAttribute[]): { buf: Buffer; maOffset: number } {
  let length = RADIUS_HEADER_LENGTH;
  for (const a of attributes) {
    checkAttribute(a);
    length += 2 + a.value.length;
  }
  checkLength(length);
  const buf = Buffer.alloc(length);
  buf[0] = code;
  buf[1] = identifier;
  buf.writeUInt16BE(length, 2);
  let pos = RADIUS_HEADER_LENGTH;
  let maOffset = -1;
  for (const a of attributes) {
    buf[pos] = a.type;
    buf[pos + 1] = 2 + a.value.length;
    if (a.type === AttributeType.MessageAuthenticator) {
      if (maOffset >= 0) throw encodeError('at most one Message-Authenticator may be encoded');
      if (a.value.length !== MA_LENGTH) throw encodeError('a Message-Authenticator slot must be 16 octets (use 16 zeros)');
      maOffset = pos + 2;
    } else {
      buf.set(a.value, pos + 2);
    }
    pos += 2 + a.value.length;
  }
  return { buf, maOffset };
}

const maSlot = (): RadiusAttribute => ({ type: AttributeType.MessageAuthenticator, value: new Uint8Array(MA_LENGTH) });

/** Fill the MA slot: HMAC-MD5 over the packet with the slot zeroed (and, for responses, the Request Authenticator in place). */
function signMessageAuthenticator(buf: Buffer, maOffset: number, secret: Buffer): void {
  buf.fill(0, maOffset, maOffset + MA_LENGTH);
  hmacMd5Into(secret, buf, buf, maOffset);
}

/**
 * Encode a client request. Access-Request and Status-Server get a random (or
 * given) Request Authenticator; Accounting-Request gets the computed one
 * (RFC 2866 §3).
 */
export function encodeRequest(init: RadiusRequestInit, secret: Secret): Buffer {
  checkIdentifier(init.identifier);
  const s = secretBytes(secret);
  const isAccounting = init.code === RadiusCode.AccountingRequest;
  const authenticator = isAccounting ? new Uint8Array(16) : (init.authenticator ?? randomBytes(16));
  if (authenticator.length !== 16) throw encodeError(`authenticator must be 16 octets, got ${authenticator.length}`);

  const attrs = [...(init.attributes ?? [])];
  if (init.userPassword !== undefined) {
    const hidden = hideUserPassword(init.userPassword, s, authenticator);
    const userName = attrs.findIndex((a) => a.type === AttributeType.UserName);
    attrs.splice(userName + 1, 0, { type: AttributeType.UserPassword, value: hidden });
  }
  const hasSlot = attrs.some((a) => a.type === AttributeType.MessageAuthenticator);
  let placement = init.messageAuthenticator ?? 'first';
  if (init.code === RadiusCode.StatusServer && placement === 'none') placement = 'first';
  if (!hasSlot && placement === 'first') attrs.unshift(maSlot());
  if (!hasSlot && placement === 'last') attrs.push(maSlot());
  if (hasSlot && placement === 'none' && init.code !== RadiusCode.StatusServer) {
    throw encodeError("attributes contain a Message-Authenticator but messageAuthenticator is 'none'");
  }

  const { buf, maOffset } = serialize(init.code, init.identifier, attrs);
  buf.set(authenticator, 4);
  if (maOffset >= 0) signMessageAuthenticator(buf, maOffset, s);
  if (isAccounting) md5(buf, s).copy(buf, 4);
  return buf;
}

/** Convenience: a Status-Server (RFC 5997) with its mandatory Message-Authenticator. */
export function encodeStatusServer(
  identifier: number,
  secret: Secret,
  attributes: readonly RadiusAttribute[] = [],
  authenticator?: Uint8Array,
): Buffer {
  return encodeRequest(
    authenticator === undefined
      ? { code: RadiusCode.StatusServer, identifier, attributes, messageAuthenticator: 'first' }
      : { code: RadiusCode.StatusServer, identifier, attributes, authenticator, messageAuthenticator: 'first' },
    secret,
  );
}

/**
 * Encode a reply to `request`: same identifier; Message-Authenticator first
 * (any type-80 attribute in the reply is dropped and replaced); Response
 * Authenticator = MD5(Code+ID+Length+RequestAuth+Attributes+Secret), RFC 2865 §3.
 */
export function encodeResponse(
  reply: RadiusReplyInit,
  request: Pick<RadiusPacket, 'identifier' | 'authenticator'>,
  secret: Secret,
  options: EncodeResponseOptions = {},
): Buffer {
  checkIdentifier(request.identifier);
  if (request.authenticator.length !== 16) throw encodeError('request authenticator must be 16 octets');
  const s = keyBytes(secret);
  const attributes = reply.attributes ?? [];
  const withMa = options.messageAuthenticator !== false;
  // Written in one pass into one buffer (no attribute list, MA slot object or zero-filled
  // buffer per reply: this runs for every answer the agent sends).
  let length = RADIUS_HEADER_LENGTH + (withMa ? 2 + MA_LENGTH : 0);
  for (const a of attributes) {
    if (a.type === AttributeType.MessageAuthenticator) continue;
    checkAttribute(a);
    length += 2 + a.value.length;
  }
  checkLength(length);
  // Every octet is written below, so the buffer need not be zeroed (and may come from Node's pool).
  const buf = Buffer.allocUnsafe(length);
  buf[0] = reply.code;
  buf[1] = request.identifier;
  buf[2] = length >> 8;
  buf[3] = length & 0xff;
  buf.set(request.authenticator, 4);
  let pos = RADIUS_HEADER_LENGTH;
  if (withMa) {
    buf[pos] = AttributeType.MessageAuthenticator;
    buf[pos + 1] = 2 + MA_LENGTH;
    buf.fill(0, pos + 2, pos + 2 + MA_LENGTH);
    pos += 2 + MA_LENGTH;
  }
  for (const a of attributes) {
    if (a.type === AttributeType.MessageAuthenticator) continue;
    buf[pos] = a.type;
    buf[pos + 1] = 2 + a.value.length;
    buf.set(a.value, pos + 2);
    pos += 2 + a.value.length;
  }
  // The MA over the packet with the Request Authenticator in place (RFC 3579 §3.2), then the Response Authenticator over it.
  if (withMa) hmacMd5Into(s, buf, buf, RADIUS_HEADER_LENGTH + 2);
  md5Into(buf, s, buf, 4);
  return buf;
}

// ---------------------------------------------------------------------------
// Verification

export type MessageAuthenticatorStatus = 'absent' | 'valid' | 'invalid';

/**
 * Check the Message-Authenticator of an encoded packet, wherever it sits.
 * For responses pass the Request Authenticator of the request they answer (it
 * replaces the Response Authenticator in the HMAC, RFC 3579 §3.2). Undecodable
 * input or more than one MA is 'invalid'. Constant-time comparison.
 */
export function verifyMessageAuthenticator(
  raw: Uint8Array,
  secret: Secret,
  requestAuthenticatorForResponses?: Uint8Array,
): MessageAuthenticatorStatus {
  const decoded = decodePacket(raw);
  if (!decoded.ok) return 'invalid';
  // decoded.raw is the decoder's own copy: the MA is computed over it in place (the received MA read first).
  return checkMessageAuthenticator(decoded.raw, secret, requestAuthenticatorForResponses);
}

/**
 * verifyMessageAuthenticator for a request decodePacket accepted: the same answer
 * from its `raw`, without decoding it again (a server decodes every datagram
 * anyway). `raw` is left as it was: the HMAC reads it with the MA as zeros (hmacMd5ZeroedInto).
 */
export function verifyDecodedMessageAuthenticator(decoded: Extract<DecodeResult, { ok: true }>, secret: Secret): MessageAuthenticatorStatus {
  const raw = decoded.raw;
  const maOffset = messageAuthenticatorOffset(raw);
  if (maOffset < 0) return 'absent';
  // The HMAC reads the packet as if its MA were zeros (the MAC's own rule) without writing to it.
  hmacMd5ZeroedInto(keyBytes(secret), raw, maOffset, expected, 0);
  for (let i = 0; i < MA_LENGTH; i++) received[i] = raw[maOffset + i]!;
  return constantTimeEqual(received, expected) ? 'valid' : 'invalid';
}

/** Where the value of a well-formed packet's Message-Authenticator starts, or -1 (the last one, as the check has always read it). */
function messageAuthenticatorOffset(packet: Uint8Array): number {
  let pos = RADIUS_HEADER_LENGTH;
  let maOffset = -1;
  while (pos < packet.length) {
    if (packet[pos] === AttributeType.MessageAuthenticator) maOffset = pos + 2;
    pos += packet[pos + 1]!;
  }
  return maOffset;
}

/** `copy` is a well-formed packet (decodePacket accepted it) that may be overwritten. */
function checkMessageAuthenticator(copy: Uint8Array, secret: Secret, requestAuthenticatorForResponses: Uint8Array | undefined): MessageAuthenticatorStatus {
  const maOffset = messageAuthenticatorOffset(copy);
  if (maOffset < 0) return 'absent';
  received.set(copy.subarray(maOffset, maOffset + MA_LENGTH));
  if (requestAuthenticatorForResponses !== undefined) {
    if (requestAuthenticatorForResponses.length !== 16) return 'invalid';
    copy.set(requestAuthenticatorForResponses, 4);
  }
  copy.fill(0, maOffset, maOffset + MA_LENGTH);
  hmacMd5Into(keyBytes(secret), copy, expected, 0);
  return constantTimeEqual(received, expected) ? 'valid' : 'invalid';
}

/** Scratch for the Message-Authenticator checks (synchronous, so one set serves every call). */
const received = Buffer.alloc(MA_LENGTH);
const expected = Buffer.alloc(MA_LENGTH);

/** The secret as bytes for reading only: a given Uint8Array is used as it is (secretBytes copies). */
function keyBytes(secret: Secret): Uint8Array {
  return typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
}

/** RFC 2865 §3 Response Authenticator check for a reply to a request with `requestAuthenticator`. */
export function verifyResponseAuthenticator(raw: Uint8Array, requestAuthenticator: Uint8Array, secret: Secret): boolean {
  const decoded = decodePacket(raw);
  if (!decoded.ok || requestAuthenticator.length !== 16) return false;
  const copy = Buffer.from(decoded.raw);
  const received = Buffer.from(copy.subarray(4, 20));
  copy.set(requestAuthenticator, 4);
  return constantTimeEqual(received, md5(copy, secretBytes(secret)));
}

/** RFC 2866 §3 Accounting-Request authenticator check. */
export function verifyAccountingRequestAuthenticator(raw: Uint8Array, secret: Secret): boolean {
  const decoded = decodePacket(raw);
  if (!decoded.ok) return false;
  const copy = Buffer.from(decoded.raw);
  const received = Buffer.from(copy.subarray(4, 20));
  copy.fill(0, 4, 20);
  return constantTimeEqual(received, md5(copy, secretBytes(secret)));
}

/** One-line description for traces: never includes attribute values. */
export function describePacket(packet: Pick<RadiusPacket, 'code' | 'identifier' | 'attributes'>): string {
  return `${radiusCodeName(packet.code)} id=${packet.identifier} attrs=[${packet.attributes.map((a) => a.type).join(',')}]`;
}

