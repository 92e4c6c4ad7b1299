/**
 * A reader's view of one RADIUS datagram for traces: names instead of numbers,
 * values decoded by the dictionary's data types — and nothing a report must not
 * show. User-Password (and the CHAP / MS-CHAP credential attributes) are shown as
 * "hidden, N octets", never un-hidden, even when the secret is known.
 * Message-Authenticator is shown as present, and as valid / INVALID when the
 * caller can give the shared secret (it is used for the check and never printed).
 *
 * Tolerant by design: a trace must show a malformed datagram (that is often the
 * point of the scenario), so this never throws; what it can't read it names.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { radiusCodeName } from '../agent/src/radius/codes.ts';
import { attributeByType, attributeName } from '../agent/src/radius/dictionary.ts';

export interface AttributeView {
  type: number;
  vendorId?: number;
  name: string;
  /** Display text; for hidden attributes a description, never the value. */
  value: string;
  length: number;
}

export interface PacketView {
  code?: number;
  codeName: string;
  identifier?: number;
  length?: number;
  /** Hex of the 16-octet authenticator. */
  authenticator?: string;
  attributes: AttributeView[];
  /** What could not be read, e.g. 'length field 300 exceeds datagram (120 octets)'. */
  problems: string[];
  messageAuthenticator: 'absent' | 'present' | 'valid' | 'invalid';
  /** Position of Message-Authenticator among the attributes (1-based), when present. */
  messageAuthenticatorPosition?: number;
  /** Responses only, when the request authenticator and secret are known. */
  responseAuthenticator?: 'valid' | 'invalid';
}

/** Attributes whose value is a credential: shown only as hidden with their length. */
const HIDDEN_STANDARD = new Set([2 /* User-Password */, 3 /* CHAP-Password */]);
/** Microsoft credential sub-attributes (RFC 2548): responses, change-password blobs, keys. */
const HIDDEN_MICROSOFT = new Set([1, 3, 4, 6, 12, 16, 17, 25, 27]);
const MESSAGE_AUTHENTICATOR = 80;

export function isRequestCode(code: number | undefined): boolean {
  return code === 1 || code === 4 || code === 12 || code === 13;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

function printable(b: Uint8Array): string | undefined {
  const text = Buffer.from(b).toString('utf8');
  // Only call it text when it round-trips and has no control characters.
  if (!Buffer.from(text, 'utf8').equals(Buffer.from(b))) return undefined;
  if ([...text].some((c) => c.charCodeAt(0) < 0x20 && c !== '\t')) return undefined;
  return text;
}

function formatValue(type: number, value: Uint8Array, vendorId?: number): string {
  const def = attributeByType(type, vendorId);
  const dataType = def?.dataType ?? 'octets';
  switch (dataType) {
    case 'text': {
      const t = printable(value);
      return t === undefined ? `0x${hex(value)}` : JSON.stringify(t);
    }
    case 'integer':
      return value.length === 4 ? String(Buffer.from(value).readUInt32BE(0)) : `0x${hex(value)} (not 4 octets)`;
    case 'date':
      return value.length === 4
        ? new Date(Buffer.from(value).readUInt32BE(0) * 1000).toISOString()
        : `0x${hex(value)} (not 4 octets)`;
    case 'ipaddr':
      return value.length === 4 ? Array.from(value).join('.') : `0x${hex(value)} (not 4 octets)`;
    default:
      return `0x${hex(value)}`;
  }
}

function vendorViews(value: Uint8Array, length: number): AttributeView[] {
  if (value.length < 4) return [{ type: 26, name: 'Vendor-Specific', value: `0x${hex(value)} (too short)`, length }];
  const vendorId = Buffer.from(value).readUInt32BE(0);
  const data = value.subarray(4);
  const subs: AttributeView[] = [];
  let i = 0;
  while (i < data.length) {
    const len = data[i + 1];
    if (len === undefined || len < 2 || i + len > data.length) {
      return [{ type: 26, vendorId, name: `Vendor-Specific(${vendorId})`, value: `0x${hex(data)}`, length }];
    }
    const vendorType = data[i]!;
    const v = data.subarray(i + 2, i + len);
    const name = attributeName(vendorType, vendorId);
    const hidden = vendorId === 311 && HIDDEN_MICROSOFT.has(vendorType);
    subs.push({
      type: vendorType,
      vendorId,
      name,
      value: hidden ? `(hidden, ${v.length} octets)` : formatValue(vendorType, v, vendorId),
      length: len,
    });
    i += len;
  }
  return subs;
}

export interface ViewOptions {
  /** Shared secret for checking Message-Authenticator / Response Authenticator; never displayed. */
  secret?: string;
  /** For a response: the Request Authenticator of the request it answers. */
  requestAuthenticator?: Uint8Array;
}

/** Reads `bytes` as a RADIUS packet for display. */
export function viewPacket(bytes: Uint8Array, options: ViewOptions = {}): PacketView {
  const view: PacketView = { codeName: 'not RADIUS', attributes: [], problems: [], messageAuthenticator: 'absent' };
  if (bytes.length < 20) {
    view.problems.push(`only ${bytes.length} octets; a RADIUS header needs 20`);
    if (bytes.length >= 1) {
      view.code = bytes[0]!;
      view.codeName = radiusCodeName(bytes[0]!);
    }
    if (bytes.length >= 2) view.identifier = bytes[1]!;
    return view;
  }
  const buf = Buffer.from(bytes);
  view.code = buf[0]!;
  view.codeName = radiusCodeName(view.code);
  view.identifier = buf[1]!;
  view.length = buf.readUInt16BE(2);
  view.authenticator = hex(buf.subarray(4, 20));
  let end = buf.length;
  if (view.length > buf.length) view.problems.push(`length field ${view.length} exceeds the datagram (${buf.length} octets)`);
  else if (view.length < 20) view.problems.push(`length field ${view.length} is below the 20-octet minimum`);
  else {
    if (view.length < buf.length) view.problems.push(`${buf.length - view.length} octets of padding after the length field`);
    end = view.length;
  }
  let maOffset: number | undefined;
  let i = 20;
  let position = 0;
  while (i < end) {
    const type = buf[i]!;
    const len = buf[i + 1];
    if (len === undefined || len < 2 || i + len > end) {
      view.problems.push(`attribute ${attributeName(type)} at offset ${i} has a bad length (${len ?? 'missing'})`);
      break;
    }
    const value = buf.subarray(i + 2, i + len);
    position++;
    if (type === 26) {
      view.attributes.push(...vendorViews(value, len));
    } else if (HIDDEN_STANDARD.has(type)) {
      view.attributes.push({ type, name: attributeName(type), value: `(hidden, ${value.length} octets)`, length: len });
    } else if (type === MESSAGE_AUTHENTICATOR) {
      maOffset ??= i;
      view.messageAuthenticatorPosition ??= position;
      view.attributes.push({ type, name: 'Message-Authenticator', value: 'present', length: len });
    } else {
      view.attributes.push({ type, name: attributeName(type), value: formatValue(type, value), length: len });
    }
    i += len;
  }
  const packet = buf.subarray(0, end);
  if (maOffset !== undefined) {
    view.messageAuthenticator = 'present';
    const request = isRequestCode(view.code);
    if (options.secret !== undefined && (request || options.requestAuthenticator)) {
      const copy = Buffer.from(packet);
      copy.fill(0, maOffset + 2, maOffset + 18);
      if (!request) Buffer.from(options.requestAuthenticator!).copy(copy, 4);
      const expected = createHmac('md5', options.secret).update(copy).digest();
      const actual = packet.subarray(maOffset + 2, maOffset + 18);
      const ok = actual.length === 16 && timingSafeEqual(expected, actual);
      view.messageAuthenticator = ok ? 'valid' : 'invalid';
    }
    const ma = view.attributes.find((a) => a.type === MESSAGE_AUTHENTICATOR && a.vendorId === undefined);
    if (ma) {
      ma.value = view.messageAuthenticator === 'invalid' ? 'present, INVALID' : view.messageAuthenticator === 'valid' ? 'present, valid' : 'present';
      if (ma.length !== 18) ma.value += ` (length ${ma.length}, must be 18)`;
    }
  }
  if (!isRequestCode(view.code) && options.secret !== undefined && options.requestAuthenticator) {
    const copy = Buffer.from(packet);
    Buffer.from(options.requestAuthenticator).copy(copy, 4);
    const expected = createHash('md5').update(copy).update(options.secret).digest();
    view.responseAuthenticator = expected.equals(packet.subarray(4, 20)) ? 'valid' : 'invalid';
  }
  return view;
}
