/**
 * The AD Connector's RADIUS client codec: the npm `radius` package (1.1.4),
 * wrapped where it falls short. It is deliberately NOT the agent's codec
 * (agent/src/radius): client and server are independent implementations, so a
 * symmetric bug can't hide behind a passing test.
 *
 * What the package gets wrong, and what this wrapper does about it:
 * - It compares Response Authenticators and Message-Authenticators as UTF-8
 *   strings (`a.toString() != b.toString()`): different invalid byte sequences
 *   all decode to U+FFFD, so a tampered value can compare equal, and the compare
 *   is not constant-time. → We verify both ourselves (MD5 / HMAC-MD5 and
 *   crypto.timingSafeEqual) and never call `verify_response`.
 * - It appends Message-Authenticator last. BlastRADIUS (CVE-2024-3596) advice is
 *   to put it first. → We pass a zeroed MA as the first attribute (which stops
 *   the package adding its own) and compute the HMAC ourselves afterwards.
 * - It silently drops an empty string attribute, truncates anything past its
 *   4096-byte buffer, and throws a bare RangeError for a value over 253 bytes.
 *   → We check every length first and throw a CodedError that says what to do.
 * - It hides User-Password into any length (an empty password becomes an empty
 *   attribute, 129+ bytes becomes an over-long one that won't round-trip).
 *   → We refuse an empty or >128-byte User-Password before encoding.
 * - Its decoder accepts Length < 20, ignores attribute lengths that run past
 *   the packet, and throws plain Errors. → We check the structure first and turn
 *   every problem into a typed result.
 * - It keeps encoder state (secret, authenticator) on the module object. Encoding
 *   is synchronous, so within one process this is harmless; we never decode
 *   User-Password (the only place that state is read back).
 * - It has no Microsoft dictionary. → MS-CHAP values go in as pre-built
 *   Vendor-Specific bytes (vendor 311).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { CodedError } from '../../agent/src/errors.ts';
import { mschapV1NtResponse, mschapV2NtResponse } from './mschap.ts';
import type { AuthenticationProtocol } from './settings.ts';
import { radius } from './radius-package.ts';



export const CODE = {
  AccessRequest: 1,
  AccessAccept: 2,
  AccessReject: 3,
  AccessChallenge: 11,
  StatusServer: 12,
} as const;

const ATTR = {
  UserName: 1,
  ReplyMessage: 18,
  State: 24,
  Class: 25,
  VendorSpecific: 26,
  MessageAuthenticator: 80,
} as const;

const MICROSOFT = 311;
const MS = { chapResponse: 1, chapChallenge: 11, chap2Response: 25 } as const;

const HEADER = 20;
const MAX_PACKET = 4096;
const MAX_VALUE = 253;

export interface AccessRequestInput {
  identifier: number;
  secret: string;
  userName: string;
  /** What the user typed in the MFA field; hidden/encoded per `protocol`. */
  password: string;
  protocol: AuthenticationProtocol;
  nasIdentifier?: string;
  nasIpAddress?: string;
  /** Include Message-Authenticator (first attribute). */
  messageAuthenticator: boolean;
  /** Fixed Request Authenticator and challenge bytes, for reproducible tests only. */
  authenticator?: Buffer;
  random?: (n: number) => Buffer;
  /** More attributes after the others, in order (e.g. Proxy-State for protocol scenarios). */
  extraAttributes?: Array<[string | number, string | Buffer]>;
}

export interface EncodedRequest {
  bytes: Buffer;
  identifier: number;
  authenticator: Buffer;
  /** Whether the request carries a Message-Authenticator (then replies are checked for one if present). */
  messageAuthenticator: boolean;
}

function vsa(vendor: number, type: number, value: Buffer): Buffer {
  // Vendor-Id(4) ‖ Vendor-Type(1) ‖ Vendor-Length(1) ‖ value (RFC 2865 §5.26).
  const out = Buffer.alloc(6 + value.length);
  out.writeUInt32BE(vendor, 0);
  out[4] = type;
  out[5] = 2 + value.length;
  value.copy(out, 6);
  return out;
}

function requireLength(name: string, bytes: number, min: number, max: number): void {
  if (bytes < min || bytes > max) {
    throw new CodedError(
      'RADIUS_ATTRIBUTE_LENGTH',
      `${name} must be ${min}–${max} bytes on the wire, got ${bytes}; shorten it (RFC 2865 limits attribute values to 253 bytes).`,
      { attribute: name, bytes },
    );
  }
}

/** Attributes that carry the MFA code for each AuthenticationProtocol. */
function credentialAttributes(input: AccessRequestInput, random: (n: number) => Buffer): Array<[string, string | Buffer]> {
  const pwBytes = Buffer.byteLength(input.password, 'utf8');
  switch (input.protocol) {
    case 'PAP':
      // RFC 2865 §5.2: 1–128 octets before hiding. The package pads with zeros and hides.
      if (pwBytes === 0 || pwBytes > 128) {
        throw new CodedError(
          'RADIUS_PASSWORD_LENGTH',
          `User-Password must be 1–128 bytes (RFC 2865 §5.2), got ${pwBytes}; enter a shorter code.`,
          { bytes: pwBytes },
        );
      }
      return [['User-Password', input.password]];
    case 'CHAP': {
      // RFC 2865 §5.3 / RFC 1994: CHAP-Password = ident ‖ MD5(ident ‖ password ‖ challenge).
      const challenge = random(16);
      const ident = random(1);
      const digest = createHash('md5').update(ident).update(input.password, 'utf8').update(challenge).digest();
      return [
        ['CHAP-Password', Buffer.concat([ident, digest])],
        ['CHAP-Challenge', challenge],
      ];
    }
    case 'MS-CHAPv1': {
      // RFC 2548 §2.1.3: MS-CHAP-Response = Ident, Flags(1 = use NT), LM-Response(24), NT-Response(24).
      const challenge = random(8);
      const response = Buffer.alloc(50);
      response[0] = random(1)[0]!;
      response[1] = 1;
      mschapV1NtResponse(challenge, input.password).copy(response, 26);
      return [
        ['Vendor-Specific', vsa(MICROSOFT, MS.chapChallenge, challenge)],
        ['Vendor-Specific', vsa(MICROSOFT, MS.chapResponse, response)],
      ];
    }
    case 'MS-CHAPv2': {
      // RFC 2548 §2.3.2: MS-CHAP2-Response = Ident, Flags(0), Peer-Challenge(16), Reserved(8), NT-Response(24).
      const challenge = random(16);
      const peer = random(16);
      const response = Buffer.alloc(50);
      response[0] = random(1)[0]!;
      peer.copy(response, 2);
      mschapV2NtResponse(challenge, peer, input.userName, input.password).copy(response, 26);
      return [
        ['Vendor-Specific', vsa(MICROSOFT, MS.chapChallenge, challenge)],
        ['Vendor-Specific', vsa(MICROSOFT, MS.chap2Response, response)],
      ];
    }
  }
}

function putMessageAuthenticator(bytes: Buffer, secret: string, authenticatorForHmac: Buffer): void {
  // We placed MA first, so its value sits right after the header and its 2-byte TL.
  const copy = Buffer.from(bytes);
  authenticatorForHmac.copy(copy, 4);
  copy.fill(0, HEADER + 2, HEADER + 18);
  createHmac('md5', secret).update(copy).digest().copy(bytes, HEADER + 2);
}

/** Encode an Access-Request (RFC 2865 §4.1) the way the connector sends it. */
export function encodeAccessRequest(input: AccessRequestInput): EncodedRequest {
  const random = input.random ?? randomBytes;
  if (!Number.isInteger(input.identifier) || input.identifier < 0 || input.identifier > 255) {
    throw new CodedError('RADIUS_IDENTIFIER', `Identifier must be 0–255, got ${input.identifier}.`);
  }
  requireLength('User-Name', Buffer.byteLength(input.userName, 'utf8'), 1, MAX_VALUE);
  const attributes: Array<[string | number, string | Buffer]> = [];
  if (input.messageAuthenticator) attributes.push(['Message-Authenticator', Buffer.alloc(16)]);
  attributes.push(['User-Name', input.userName]);
  attributes.push(...credentialAttributes(input, random));
  if (input.nasIpAddress !== undefined) {
    if (!isIPv4(input.nasIpAddress)) throw new CodedError('RADIUS_NAS_IP', `NAS-IP-Address must be an IPv4 address, got '${input.nasIpAddress}'.`);
    attributes.push(['NAS-IP-Address', input.nasIpAddress]);
  }
  if (input.nasIdentifier !== undefined) {
    requireLength('NAS-Identifier', Buffer.byteLength(input.nasIdentifier, 'utf8'), 1, MAX_VALUE);
    attributes.push(['NAS-Identifier', input.nasIdentifier]);
  }
  if (input.extraAttributes) attributes.push(...input.extraAttributes);
  const authenticator = input.authenticator ?? random(16);
  return finish('Access-Request', input.identifier, authenticator, input.secret, attributes, input.messageAuthenticator);
}

/**
 * Encode a Status-Server (RFC 5997 §3): Message-Authenticator is mandatory.
 * Used by the status probe when configured to.
 */
export function encodeStatusServer(input: { identifier: number; secret: string; authenticator?: Buffer; nasIdentifier?: string }): EncodedRequest {
  const attributes: Array<[string | number, string | Buffer]> = [['Message-Authenticator', Buffer.alloc(16)]];
  if (input.nasIdentifier !== undefined) attributes.push(['NAS-Identifier', input.nasIdentifier]);
  return finish('Status-Server', input.identifier, input.authenticator ?? randomBytes(16), input.secret, attributes, true);
}

function finish(
  code: string,
  identifier: number,
  authenticator: Buffer,
  secret: string,
  attributes: Array<[string | number, string | Buffer]>,
  withMa: boolean,
): EncodedRequest {
  // Estimate the size first: the package would silently truncate past 4096 bytes.
  let size = HEADER;
  for (const [, value] of attributes) {
    const n = typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.length;
    size += 2 + Math.max(n, 16);
  }
  if (size > MAX_PACKET) {
    throw new CodedError('RADIUS_PACKET_TOO_LONG', `The request would exceed ${MAX_PACKET} bytes; shorten its attributes.`);
  }
  // add_message_authenticator: false — the package must not append its own (last) MA.
  const bytes = Buffer.from(radius.encode({ code, identifier, authenticator, secret, attributes, add_message_authenticator: false }));
  if (withMa) {
    // Requests: the HMAC covers the packet with the Request Authenticator in place (RFC 3579 §3.2).
    putMessageAuthenticator(bytes, secret, authenticator);
  }
  return { bytes, identifier, authenticator: Buffer.from(authenticator), messageAuthenticator: withMa };
}

export type ReplyProblem =
  | 'malformed'
  | 'unexpected-code'
  | 'identifier-mismatch'
  | 'bad-response-authenticator'
  | 'bad-message-authenticator'
  | 'missing-message-authenticator';

export interface DecodedReply {
  code: number;
  codeName: 'Access-Accept' | 'Access-Reject' | 'Access-Challenge';
  identifier: number;
  /** Each Reply-Message in order (RFC 2865 §5.18: displayed concatenated). */
  replyMessages: string[];
  state?: Buffer;
  classes: Buffer[];
  /** The package's name → value view of the attributes, for anything else. */
  attributes: Record<string, unknown>;
  hasMessageAuthenticator: boolean;
}

export type VerifyResult = { ok: true; reply: DecodedReply } | { ok: false; reason: ReplyProblem; detail: string };

const REPLY_NAMES = new Map<number, DecodedReply['codeName']>([
  [CODE.AccessAccept, 'Access-Accept'],
  [CODE.AccessReject, 'Access-Reject'],
  [CODE.AccessChallenge, 'Access-Challenge'],
]);

/** Walk the attributes checking every length; returns [type, value] pairs or a problem. */
function splitAttributes(bytes: Buffer, length: number): Array<[number, Buffer]> | string {
  const out: Array<[number, Buffer]> = [];
  let at = HEADER;
  while (at < length) {
    if (at + 2 > length) return `attribute header at offset ${at} runs past Length`;
    const type = bytes[at]!;
    const len = bytes[at + 1]!;
    if (len < 2) return `attribute ${type} at offset ${at} has length ${len} < 2`;
    if (at + len > length) return `attribute ${type} at offset ${at} runs past Length`;
    out.push([type, bytes.subarray(at + 2, at + len)]);
    at += len;
  }
  return out;
}

/**
 * Check a datagram that claims to answer `request` and decode it. Anything that
 * fails is a reason to treat the datagram as no reply at all (RFC 2865 §3:
 * "silently discarded") — the caller records it as a dropped PacketEvent.
 *
 * `requireMessageAuthenticator`: a reply without one is refused. Off by default
 * because AWS doesn't document that AD Connector requires it; on, it is the
 * BlastRADIUS client-side mitigation.
 */
export function verifyReply(
  request: EncodedRequest,
  datagram: Uint8Array,
  secret: string,
  options: { requireMessageAuthenticator?: boolean } = {},
): VerifyResult {
  const bytes = Buffer.from(datagram);
  if (bytes.length < HEADER) return { ok: false, reason: 'malformed', detail: `datagram of ${bytes.length} bytes is shorter than a RADIUS header` };
  const length = bytes.readUInt16BE(2);
  if (length < HEADER || length > MAX_PACKET || length > bytes.length) {
    return { ok: false, reason: 'malformed', detail: `Length ${length} is outside 20–4096 or beyond the ${bytes.length}-byte datagram` };
  }
  const packet = bytes.subarray(0, length); // RFC 2865 §3: octets past Length are padding, ignored.
  const codeName = REPLY_NAMES.get(packet[0]!);
  if (!codeName) return { ok: false, reason: 'unexpected-code', detail: `code ${packet[0]} does not answer an Access-Request` };
  if (packet[1] !== request.identifier) {
    return { ok: false, reason: 'identifier-mismatch', detail: `identifier ${packet[1]} does not match request ${request.identifier}` };
  }
  const attributes = splitAttributes(packet, length);
  if (typeof attributes === 'string') return { ok: false, reason: 'malformed', detail: attributes };

  // Response Authenticator = MD5(Code ‖ Identifier ‖ Length ‖ RequestAuth ‖ Attributes ‖ Secret) (RFC 2865 §3).
  const expected = createHash('md5')
    .update(packet.subarray(0, 4))
    .update(request.authenticator)
    .update(packet.subarray(HEADER))
    .update(secret, 'utf8')
    .digest();
  if (!timingSafeEqual(expected, packet.subarray(4, HEADER))) {
    return { ok: false, reason: 'bad-response-authenticator', detail: 'Response Authenticator does not match — wrong shared secret suspected' };
  }

  const mas = attributes.filter(([t]) => t === ATTR.MessageAuthenticator);
  if (mas.length > 1) return { ok: false, reason: 'bad-message-authenticator', detail: 'more than one Message-Authenticator' };
  if (mas.length === 1) {
    const [, value] = mas[0]!;
    if (value.length !== 16) return { ok: false, reason: 'bad-message-authenticator', detail: 'Message-Authenticator is not 16 bytes' };
    // Responses: HMAC-MD5 over the packet with the *Request* Authenticator and MA zeroed (RFC 3579 §3.2).
    const copy = Buffer.from(packet);
    request.authenticator.copy(copy, 4);
    const offset = value.byteOffset - packet.byteOffset;
    copy.fill(0, offset, offset + 16);
    const mac = createHmac('md5', secret).update(copy).digest();
    if (!timingSafeEqual(mac, value)) {
      return { ok: false, reason: 'bad-message-authenticator', detail: 'Message-Authenticator does not match — wrong shared secret suspected' };
    }
  } else if (options.requireMessageAuthenticator) {
    return { ok: false, reason: 'missing-message-authenticator', detail: 'reply has no Message-Authenticator and this connector requires one' };
  }

  // Names via the package (structure already proven sound, so it can't misread lengths).
  let named: Record<string, unknown> = {};
  try {
    named = radius.decode({ packet: Buffer.from(packet), secret }).attributes;
  } catch {
    // E.g. a VSA whose vendor id starts with a non-zero byte: the package throws; the raw view below still stands.
  }
  const replyMessages = attributes.filter(([t]) => t === ATTR.ReplyMessage).map(([, v]) => v.toString('utf8'));
  const state = attributes.find(([t]) => t === ATTR.State)?.[1];
  const reply: DecodedReply = {
    code: packet[0]!,
    codeName,
    identifier: packet[1]!,
    replyMessages,
    classes: attributes.filter(([t]) => t === ATTR.Class).map(([, v]) => Buffer.from(v)),
    attributes: named,
    hasMessageAuthenticator: mas.length === 1,
  };
  if (state) reply.state = Buffer.from(state);
  return { ok: true, reply };
}

/** Code and identifier of a datagram, for PacketEvents, without trusting anything else. */
export function peekHeader(bytes: Uint8Array): { code?: number; identifier?: number } {
  return bytes.length >= 2 ? { code: bytes[0]!, identifier: bytes[1]! } : {};
}

/** Ids for the tests and the page: the attribute numbers a reader may look for. */
export const ATTRIBUTE_TYPES = ATTR;
