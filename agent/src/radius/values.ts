import { isIP } from 'node:net';
import { CodedError } from '../errors.ts';
import type { AttributeDataType } from './dictionary.ts';

/**
 * Conversions between attribute values and their RFC 8044 data types. Pure;
 * malformed input raises CodedError RADIUS_BAD_VALUE so that callers can tell a
 * peer's bad attribute from a bug.
 */

export function badValue(what: string, details: Record<string, unknown> = {}): CodedError {
  return new CodedError('RADIUS_BAD_VALUE', `${what}; check the attribute's data type in the dictionary`, details);
}

export function textToBytes(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

export function bytesToText(value: Uint8Array): string {
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
}

export function integerToBytes(n: number): Buffer {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw badValue(`integer out of range 0..2^32-1: ${n}`);
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

export function bytesToInteger(value: Uint8Array): number {
  if (value.length !== 4) throw badValue(`integer attribute must be 4 octets, got ${value.length}`);
  return Buffer.from(value.buffer, value.byteOffset, 4).readUInt32BE(0);
}

export function ipv4ToBytes(address: string): Buffer {
  if (isIP(address) !== 4) throw badValue(`not an IPv4 address: ${address}`);
  return Buffer.from(address.split('.').map((p) => Number(p)));
}

export function bytesToIpv4(value: Uint8Array): string {
  if (value.length !== 4) throw badValue(`ipaddr attribute must be 4 octets, got ${value.length}`);
  return Array.from(value).join('.');
}

/** Expands any valid IPv6 text form (including '::' and embedded IPv4) to 16 bytes. */
export function ipv6ToBytes(address: string): Buffer {
  if (isIP(address) !== 6) throw badValue(`not an IPv6 address: ${address}`);
  let text = address.split('%')[0]!;
  const out = Buffer.alloc(16);
  // Embedded dotted-quad tail (e.g. ::ffff:192.0.2.1) becomes two hextets.
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = ipv4ToBytes(tail);
    text = `${text.slice(0, lastColon + 1)}${v4.readUInt16BE(0).toString(16)}:${v4.readUInt16BE(2).toString(16)}`;
  }
  const [head, rest] = text.includes('::') ? text.split('::') : [text, undefined];
  const headParts = head ? head.split(':') : [];
  const tailParts = rest ? rest.split(':') : [];
  const parts =
    rest === undefined
      ? headParts
      : [...headParts, ...new Array<string>(8 - headParts.length - tailParts.length).fill('0'), ...tailParts];
  parts.forEach((p, i) => {
    out.writeUInt16BE(Number.parseInt(p, 16), i * 2);
  });
  return out;
}

/** Canonical RFC 5952 text (lower case, longest zero run compressed). */
export function bytesToIpv6(value: Uint8Array): string {
  if (value.length !== 16) throw badValue(`ipv6addr attribute must be 16 octets, got ${value.length}`);
  const b = Buffer.from(value.buffer, value.byteOffset, 16);
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push(b.readUInt16BE(i * 2));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function dateToBytes(date: Date | number): Buffer {
  const ms = typeof date === 'number' ? date : date.getTime();
  return integerToBytes(Math.floor(ms / 1000));
}

export function bytesToDate(value: Uint8Array): Date {
  return new Date(bytesToInteger(value) * 1000);
}

export type AttributeJsValue = string | number | Date | Uint8Array;

/** Encode a JS value according to a dictionary data type. */
export function encodeValue(dataType: AttributeDataType, value: AttributeJsValue): Buffer {
  if (value instanceof Uint8Array) return Buffer.from(value);
  switch (dataType) {
    case 'text':
      return textToBytes(String(value));
    case 'integer':
      if (typeof value !== 'number') throw badValue('integer attribute needs a number');
      return integerToBytes(value);
    case 'ipaddr':
      return ipv4ToBytes(String(value));
    case 'ipv6addr':
      return ipv6ToBytes(String(value));
    case 'date':
      if (typeof value === 'string') throw badValue('date attribute needs a Date or epoch milliseconds');
      return dateToBytes(value);
    case 'octets':
      if (typeof value === 'string') return textToBytes(value);
      throw badValue('octets attribute needs bytes or a string');
  }
}

/** Decode raw bytes to the JS value of a dictionary data type. */
export function decodeValue(dataType: AttributeDataType, value: Uint8Array): string | number | Date | Buffer {
  switch (dataType) {
    case 'text':
      return bytesToText(value);
    case 'integer':
      return bytesToInteger(value);
    case 'ipaddr':
      return bytesToIpv4(value);
    case 'ipv6addr':
      return bytesToIpv6(value);
    case 'date':
      return bytesToDate(value);
    case 'octets':
      return Buffer.from(value);
  }
}
