import { isIP } from 'node:net';
import { CodedError } from '../errors.ts';
import { ipv4ToBytes, ipv6ToBytes } from '../radius/values.ts';

/**
 * Source address → RADIUS client. The secret is chosen by where a datagram
 * comes from (RFC 2865 §3), so this table is the first gate of the server.
 * Entries are an exact IP or a CIDR block (IPv4 or IPv6); the most specific
 * match wins. IPv4-mapped IPv6 sources (::ffff:a.b.c.d, as a dual-stack
 * socket reports them) match IPv4 entries. Pure.
 */

export interface AddressBlock {
  family: 4 | 6;
  bytes: Buffer;
  prefix: number;
}

function badAddress(text: string, why: string): CodedError {
  return new CodedError(
    'CONFIG_BAD_CLIENT_ADDRESS',
    `client address '${text}' ${why}; use an IP address (192.0.2.10, 2001:db8::10) or a CIDR block (10.0.0.0/8)`,
    { address: text },
  );
}

/** Parse '192.0.2.1', '10.0.0.0/8', '2001:db8::/32'. Throws CONFIG_BAD_CLIENT_ADDRESS. */
export function parseAddressBlock(text: string): AddressBlock {
  const [ip = '', prefixText, ...extra] = text.trim().split('/');
  if (extra.length > 0) throw badAddress(text, 'has more than one "/"');
  const family = isIP(ip);
  if (family !== 4 && family !== 6) throw badAddress(text, 'is not an IP address');
  const max = family === 4 ? 32 : 128;
  let prefix = max;
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) throw badAddress(text, `has a prefix outside 0..${max}`);
    prefix = Number(prefixText);
  }
  const bytes = family === 4 ? ipv4ToBytes(ip) : ipv6ToBytes(ip);
  return { family, bytes: maskBytes(bytes, prefix), prefix };
}

function maskBytes(bytes: Buffer, prefix: number): Buffer {
  const out = Buffer.from(bytes);
  for (let i = 0; i < out.length; i++) {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    out[i] = out[i]! & ((0xff << (8 - bits)) & 0xff);
  }
  return out;
}

/** Parse a datagram's source address; IPv4-mapped IPv6 becomes IPv4. undefined if not an IP. */
export function parseSourceAddress(address: string): { family: 4 | 6; bytes: Buffer } | undefined {
  const plain = address.split('%')[0]!;
  const family = isIP(plain);
  if (family === 4) return { family, bytes: ipv4ToBytes(plain) };
  if (family !== 6) return undefined;
  const bytes = ipv6ToBytes(plain);
  const mapped = bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return mapped ? { family: 4, bytes: Buffer.from(bytes.subarray(12)) } : { family: 6, bytes };
}

export function blockContains(block: AddressBlock, source: { family: 4 | 6; bytes: Buffer }): boolean {
  return block.family === source.family && maskBytes(source.bytes, block.prefix).equals(block.bytes);
}

export class ClientTable<T extends { readonly address: string }> {
  readonly #entries: Array<{ block: AddressBlock; client: T }>;

  /** Throws CONFIG_BAD_CLIENT_ADDRESS for an unparsable address or the same block listed twice. */
  constructor(clients: readonly T[]) {
    const entries = clients.map((client) => ({ block: parseAddressBlock(client.address), client }));
    const seen = new Set<string>();
    for (const e of entries) {
      const key = `${e.block.family}/${e.block.bytes.toString('hex')}/${e.block.prefix}`;
      if (seen.has(key)) throw badAddress(e.client.address, 'is listed twice (one secret per source address)');
      seen.add(key);
    }
    // Most specific first, so the first hit is the best one.
    this.#entries = entries.sort((a, b) => b.block.prefix - a.block.prefix);
  }

  /** The client for a source IP, or undefined (the datagram is then dropped as 'unknown-client'). */
  match(sourceAddress: string): T | undefined {
    const src = parseSourceAddress(sourceAddress);
    if (!src) return undefined;
    return this.#entries.find((e) => blockContains(e.block, src))?.client;
  }

  get size(): number {
    return this.#entries.length;
  }
}
