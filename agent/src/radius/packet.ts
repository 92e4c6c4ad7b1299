import { CodedError } from '../errors.ts';
import type { RadiusCodeValue } from './codes.ts';
import {
  type AttributeDataType,
  type AttributeName,
  AttributeType,
  attributeByName,
  type MicrosoftAttributeName,
  type StandardAttributeName,
  VendorId,
} from './dictionary.ts';
import {
  bytesToInteger,
  bytesToIpv4,
  bytesToIpv6,
  bytesToText,
  dateToBytes,
  integerToBytes,
  ipv4ToBytes,
  ipv6ToBytes,
  textToBytes,
} from './values.ts';

/**
 * One attribute exactly as on the wire (type + value, no length byte). Order in a
 * packet is preserved. A Vendor-Specific attribute stays type 26 with its raw
 * value (vendor id + vendor data); parseVendorSpecific reads it. VSAs of
 * different vendors are never merged.
 */
export interface RadiusAttribute {
  type: number;
  value: Uint8Array;
}

export interface RadiusPacket {
  code: RadiusCodeValue;
  identifier: number;
  /** 16 octets: Request Authenticator in requests, Response Authenticator in responses. */
  authenticator: Uint8Array;
  attributes: RadiusAttribute[];
}

/** Largest value one attribute can carry (255 − type − length). */
export const MAX_ATTRIBUTE_VALUE_LENGTH = 253;

/** One sub-attribute inside a Vendor-Specific attribute (RFC 2865 §5.26 suggested format). */
export interface VendorSubAttribute {
  vendorType: number;
  value: Uint8Array;
}

export interface VendorSpecific {
  vendorId: number;
  /** Everything after the vendor id. */
  data: Uint8Array;
  /** The sub-attributes if `data` follows the RFC 2865 suggested format; undefined if it does not. */
  subAttributes: VendorSubAttribute[] | undefined;
}

/** A reference to an attribute: its dictionary name or a standard type number. */
export type AttributeRef = AttributeName | number;

// ---------------------------------------------------------------------------
// Vendor-Specific

/** Reads a type-26 attribute; undefined if it is not type 26 or shorter than the vendor id. */
export function parseVendorSpecific(attribute: RadiusAttribute): VendorSpecific | undefined {
  if (attribute.type !== AttributeType.VendorSpecific || attribute.value.length < 4) return undefined;
  const v = attribute.value;
  const vendorId = ((v[0]! << 24) | (v[1]! << 16) | (v[2]! << 8) | v[3]!) >>> 0;
  const data = v.subarray(4);
  const subs: VendorSubAttribute[] = [];
  let i = 0;
  while (i < data.length) {
    if (i + 2 > data.length) return { vendorId, data, subAttributes: undefined };
    const len = data[i + 1]!;
    if (len < 2 || i + len > data.length) return { vendorId, data, subAttributes: undefined };
    subs.push({ vendorType: data[i]!, value: data.subarray(i + 2, i + len) });
    i += len;
  }
  return { vendorId, data, subAttributes: subs.length > 0 ? subs : undefined };
}

/** Builds one type-26 attribute holding one sub-attribute (RFC 2865 suggested format). */
export function vendorAttribute(vendorId: number, vendorType: number, value: Uint8Array): RadiusAttribute {
  if (value.length > MAX_ATTRIBUTE_VALUE_LENGTH - 6) {
    throw new CodedError(
      'RADIUS_ATTRIBUTE_TOO_LONG',
      `vendor attribute ${vendorId}:${vendorType} value is ${value.length} octets; at most ${MAX_ATTRIBUTE_VALUE_LENGTH - 6} fit`,
    );
  }
  const out = Buffer.alloc(6 + value.length);
  out.writeUInt32BE(vendorId >>> 0, 0);
  out[4] = vendorType;
  out[5] = 2 + value.length;
  out.set(value, 6);
  return { type: AttributeType.VendorSpecific, value: out };
}

/** Every sub-attribute of `vendorId` (optionally of one type), across all type-26 attributes, in order. */
export function getVendorAttributes(
  packet: Pick<RadiusPacket, 'attributes'>,
  vendorId: number,
  vendorType?: number,
): VendorSubAttribute[] {
  const out: VendorSubAttribute[] = [];
  for (const a of packet.attributes) {
    const vsa = parseVendorSpecific(a);
    if (!vsa || vsa.vendorId !== vendorId || !vsa.subAttributes) continue;
    for (const s of vsa.subAttributes) if (vendorType === undefined || s.vendorType === vendorType) out.push(s);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Look-ups

interface Resolved {
  type: number;
  vendorId?: number;
  dataType: AttributeDataType;
}

/** Names resolved once each (a handful of names, asked for on every packet). */
const resolvedByName = new Map<string, Resolved>();

function resolve(ref: AttributeRef): Resolved {
  if (typeof ref === 'number') return { type: ref, dataType: 'octets' };
  let r = resolvedByName.get(ref);
  if (r) return r;
  const def = attributeByName(ref);
  if (!def) throw new CodedError('RADIUS_UNKNOWN_ATTRIBUTE', `no attribute named '${ref}' in the dictionary`);
  r = def.vendorId === undefined ? { type: def.type, dataType: def.dataType } : { type: def.type, vendorId: def.vendorId, dataType: def.dataType };
  if (resolvedByName.size < 1024) resolvedByName.set(ref, r);
  return r;
}

/** The standard attribute type a ref names, or undefined for a vendor (Microsoft) name. */
function standardType(ref: AttributeRef): number | undefined {
  if (typeof ref === 'number') return ref;
  const r = resolve(ref);
  return r.vendorId === undefined ? r.type : undefined;
}

/** All values of an attribute, in packet order (VSAs by vendor id + sub-type). */
export function getAll(packet: Pick<RadiusPacket, 'attributes'>, ref: AttributeRef): Uint8Array[] {
  const type = standardType(ref);
  if (type === undefined) {
    const r = resolve(ref);
    return getVendorAttributes(packet, r.vendorId!, r.type).map((s) => s.value);
  }
  const out: Uint8Array[] = [];
  for (const a of packet.attributes) if (a.type === type) out.push(a.value);
  return out;
}

/** The first value of an attribute, raw. */
export function getOctets(packet: Pick<RadiusPacket, 'attributes'>, ref: AttributeRef): Uint8Array | undefined {
  const type = standardType(ref);
  if (type === undefined) return getAll(packet, ref)[0];
  // Plain loops (no arrays): these run several times per request.
  for (const a of packet.attributes) if (a.type === type) return a.value;
  return undefined;
}

export function hasAttribute(packet: Pick<RadiusPacket, 'attributes'>, ref: AttributeRef): boolean {
  return getOctets(packet, ref) !== undefined;
}

/** First value as UTF-8 text. */
export function getText(packet: Pick<RadiusPacket, 'attributes'>, ref: AttributeRef): string | undefined {
  const v = getOctets(packet, ref);
  return v === undefined ? undefined : bytesToText(v);
}

/** First value as a 32-bit unsigned integer; throws RADIUS_BAD_VALUE if it is not 4 octets. */
export function getInteger(packet: Pick<RadiusPacket, 'attributes'>, ref: AttributeRef): number | undefined {
  const v = getOctets(packet, ref);
  return v === undefined ? undefined : bytesToInteger(v);
}

/** First value as an IP address string: 4 octets → IPv4, 16 octets → IPv6. */
export function getIp(packet: Pick<RadiusPacket, 'attributes'>, ref: AttributeRef): string | undefined {
  const v = getOctets(packet, ref);
  if (v === undefined) return undefined;
  return v.length === 16 ? bytesToIpv6(v) : bytesToIpv4(v);
}

// ---------------------------------------------------------------------------
// Builders

function build(ref: StandardAttributeName | MicrosoftAttributeName | number, value: Uint8Array): RadiusAttribute {
  const r = resolve(ref);
  if (r.vendorId !== undefined) return vendorAttribute(r.vendorId, r.type, value);
  if (value.length > MAX_ATTRIBUTE_VALUE_LENGTH) {
    throw new CodedError(
      'RADIUS_ATTRIBUTE_TOO_LONG',
      `attribute ${String(ref)} value is ${value.length} octets; at most ${MAX_ATTRIBUTE_VALUE_LENGTH} fit in one attribute`,
    );
  }
  return { type: r.type, value };
}

/**
 * Typed attribute builders: `attr.text('Reply-Message', 'Enter code')`,
 * `attr.integer('Session-Timeout', 60)`, `attr.octets('State', bytes)`,
 * `attr.ip('NAS-IP-Address', '192.0.2.1')`, `attr.octets('MS-CHAP2-Response', b)`
 * (Microsoft names become a Vendor-Specific attribute). Values over 253 octets
 * throw RADIUS_ATTRIBUTE_TOO_LONG.
 */
export const attr = {
  text(ref: AttributeRef, value: string): RadiusAttribute {
    return build(ref, textToBytes(value));
  },
  octets(ref: AttributeRef, value: Uint8Array | string): RadiusAttribute {
    return build(ref, typeof value === 'string' ? textToBytes(value) : Uint8Array.from(value));
  },
  integer(ref: AttributeRef, value: number): RadiusAttribute {
    return build(ref, integerToBytes(value));
  },
  /** IPv4 or IPv6 by the address's form. */
  ip(ref: AttributeRef, address: string): RadiusAttribute {
    return build(ref, address.includes(':') ? ipv6ToBytes(address) : ipv4ToBytes(address));
  },
  date(ref: AttributeRef, value: Date | number): RadiusAttribute {
    return build(ref, dateToBytes(value));
  },
  vendor(vendorId: number, vendorType: number, value: Uint8Array): RadiusAttribute {
    return vendorAttribute(vendorId, vendorType, value);
  },
  microsoft(vendorType: number, value: Uint8Array): RadiusAttribute {
    return vendorAttribute(VendorId.Microsoft, vendorType, value);
  },
  /**
   * Splits text over as many attributes as needed (e.g. a long Reply-Message),
   * never inside a UTF-8 sequence.
   */
  texts(ref: AttributeRef, value: string): RadiusAttribute[] {
    const bytes = textToBytes(value);
    const out: RadiusAttribute[] = [];
    let i = 0;
    while (i < bytes.length) {
      let end = Math.min(bytes.length, i + MAX_ATTRIBUTE_VALUE_LENGTH);
      // Back off continuation bytes (10xxxxxx) so no character is cut in two.
      while (end < bytes.length && end > i && (bytes[end]! & 0xc0) === 0x80) end--;
      out.push(build(ref, bytes.subarray(i, end)));
      i = end;
    }
    return out;
  },
} as const;
