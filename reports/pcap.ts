/**
 * Classic pcap (libpcap) files from PacketEvents, so Wireshark / tshark decode a
 * scenario's RADIUS traffic with the shared secret the reader knows
 * (`tshark -r x.pcap -o radius.shared_secret:SECRET -d udp.port==18120,radius -V`; the
 * -d is needed for ports other than 1812/1813).
 *
 * Link type 101 (LINKTYPE_RAW): each record is an IP packet. We synthesise the
 * IPv4 (or IPv6) and UDP headers around the RADIUS bytes with correct lengths and
 * checksums: tshark flags bad checksums, and a reader should see exactly one thing
 * wrong with a packet — whatever the RADIUS peer did — never an artefact of ours.
 *
 * Pure: bytes in, bytes out. The file holds the datagrams as on the wire (hidden
 * User-Password, never the clear text) and no secret.
 */
import { isIP } from 'node:net';
import type { Endpoint, PacketEvent } from '../agent/src/packet-events.ts';

export const LINKTYPE_RAW = 101;
const PCAP_MAGIC_MICROSECONDS = 0xa1b2c3d4;
const SNAPLEN = 65535;
const IPV4_HEADER = 20;
const IPV6_HEADER = 40;
const UDP_HEADER = 8;
const PROTO_UDP = 17;

/** One datagram as it crossed the (simulated) wire. */
export interface WirePacket {
  at: number;
  src: Endpoint;
  dst: Endpoint;
  bytes: Uint8Array;
}

/**
 * Who sent what to whom. A 'sent' event goes local → remote; a 'received' or
 * 'dropped' one came remote → local (a drop is an incoming datagram the observer
 * refused, which is exactly what the reader wants to see in the capture).
 */
export function wireOf(event: PacketEvent): WirePacket {
  return event.direction === 'sent'
    ? { at: event.at, src: event.local, dst: event.remote, bytes: event.bytes }
    : { at: event.at, src: event.remote, dst: event.local, bytes: event.bytes };
}

function key(p: WirePacket): string {
  return `${p.src.address}|${p.src.port}|${p.dst.address}|${p.dst.port}|${Buffer.from(p.bytes).toString('hex')}`;
}

/** One datagram and every observation of it (the sender's 'sent', the receiver's 'received' or 'dropped'). */
export interface Datagram extends WirePacket {
  events: PacketEvent[];
}

/**
 * The datagrams of a trace, each once. A trace may hold both ends' view of one
 * datagram (the connector's 'sent' and the agent's 'received'); a capture shows it
 * once. Every 'sent' event is a datagram (a retransmission is a second one); a
 * 'received'/'dropped' event joins the earliest 'sent' of the same bytes between
 * the same endpoints that no other receiver has claimed, and is a datagram of its
 * own otherwise — so an agent-only or connector-only trace still yields every one.
 */
export function datagrams(events: readonly PacketEvent[]): Datagram[] {
  const ordered = events.map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at || a.i - b.i);
  const out: Datagram[] = [];
  // Position of each datagram's first observation: breaks ties of equal `at` (a coarse clock) in observed order.
  const firstSeen = new Map<Datagram, number>();
  const unclaimed = new Map<string, Datagram[]>();
  // Receivers may be recorded before the sender (clock skew between observers):
  // match sends first, then receives.
  for (const { e, i } of ordered) {
    if (e.direction !== 'sent') continue;
    const d: Datagram = { ...wireOf(e), events: [e] };
    firstSeen.set(d, i);
    out.push(d);
    const k = key(d);
    unclaimed.set(k, [...(unclaimed.get(k) ?? []), d]);
  }
  for (const { e, i } of ordered) {
    if (e.direction === 'sent') continue;
    const w = wireOf(e);
    const queue = unclaimed.get(key(w));
    const match = queue?.shift();
    if (match) {
      match.events.push(e);
      firstSeen.set(match, Math.min(firstSeen.get(match)!, i));
    } else {
      const d: Datagram = { ...w, events: [e] };
      firstSeen.set(d, i);
      out.push(d);
    }
  }
  return out.sort((a, b) => a.at - b.at || firstSeen.get(a)! - firstSeen.get(b)!);
}

/** The datagrams of a trace, each once, in time order (see `datagrams`). */
export function wirePackets(events: readonly PacketEvent[]): WirePacket[] {
  return datagrams(events).map(({ at, src, dst, bytes }) => ({ at, src, dst, bytes }));
}

/** Internet checksum (RFC 1071) over the given parts, as if concatenated. */
export function internetChecksum(parts: readonly Uint8Array[]): number {
  let sum = 0;
  let odd: number | undefined;
  for (const part of parts) {
    for (const byte of part) {
      if (odd === undefined) {
        odd = byte;
      } else {
        sum += (odd << 8) | byte;
        odd = undefined;
      }
    }
  }
  if (odd !== undefined) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function ipv4Bytes(address: string): Uint8Array {
  return Uint8Array.from(address.split('.').map((p) => Number(p)));
}

function ipv6Bytes(address: string): Uint8Array {
  const text = address.split('%')[0]!;
  const [head = '', tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const groups = (s: string | undefined): number[] => {
    if (!s) return [];
    const parts = s.split(':');
    const last = parts[parts.length - 1]!;
    if (last.includes('.')) {
      const v4 = ipv4Bytes(last);
      parts.splice(parts.length - 1, 1, ((v4[0]! << 8) | v4[1]!).toString(16), ((v4[2]! << 8) | v4[3]!).toString(16));
    }
    return parts.map((p) => Number.parseInt(p, 16));
  };
  const h = groups(head);
  const t = groups(tail);
  const all = tail === undefined ? h : [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[i * 2] = g >>> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

/** Addresses a capture can show; a name such as 'localhost' is mapped to loopback. */
function addressBytes(address: string): Uint8Array {
  const family = isIP(address);
  if (family === 4) return ipv4Bytes(address);
  if (family === 6) {
    const b = ipv6Bytes(address);
    // An IPv4-mapped address (::ffff:a.b.c.d, as dual-stack sockets report) is an IPv4 packet.
    const mapped = b.subarray(0, 12).every((x, i) => (i < 10 ? x === 0 : x === 0xff));
    return mapped ? b.subarray(12) : b;
  }
  return address === 'localhost' ? ipv4Bytes('127.0.0.1') : ipv4Bytes('0.0.0.0');
}

function udpHeader(src: Endpoint, dst: Endpoint, payload: Uint8Array, pseudo: Uint8Array): Uint8Array {
  const udp = Buffer.alloc(UDP_HEADER);
  udp.writeUInt16BE(src.port & 0xffff, 0);
  udp.writeUInt16BE(dst.port & 0xffff, 2);
  udp.writeUInt16BE(UDP_HEADER + payload.length, 4);
  const sum = internetChecksum([pseudo, udp, payload]);
  // RFC 768: a computed zero is sent as all ones (zero means "no checksum").
  udp.writeUInt16BE(sum === 0 ? 0xffff : sum, 6);
  return udp;
}

/** An IP + UDP datagram (IPv4 when both ends are IPv4, else IPv6) around `payload`. */
export function ipUdpDatagram(src: Endpoint, dst: Endpoint, payload: Uint8Array, ipId = 0): Uint8Array {
  let s = addressBytes(src.address);
  let d = addressBytes(dst.address);
  if (s.length !== d.length) {
    // Mixed families can't be one IP packet; show both as IPv6 (IPv4-mapped).
    const map = (a: Uint8Array): Uint8Array =>
      a.length === 16 ? a : Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...a]);
    s = map(s);
    d = map(d);
  }
  const udpLength = UDP_HEADER + payload.length;
  if (s.length === 4) {
    const ip = Buffer.alloc(IPV4_HEADER);
    ip[0] = 0x45; // version 4, 5 words of header
    ip.writeUInt16BE(IPV4_HEADER + udpLength, 2);
    ip.writeUInt16BE(ipId & 0xffff, 4);
    ip.writeUInt16BE(0x4000, 6); // don't fragment
    ip[8] = 64; // TTL
    ip[9] = PROTO_UDP;
    ip.set(s, 12);
    ip.set(d, 16);
    ip.writeUInt16BE(internetChecksum([ip]), 10);
    const pseudo = Buffer.alloc(12);
    pseudo.set(s, 0);
    pseudo.set(d, 4);
    pseudo[9] = PROTO_UDP;
    pseudo.writeUInt16BE(udpLength, 10);
    return Buffer.concat([ip, udpHeader(src, dst, payload, pseudo), payload]);
  }
  const ip = Buffer.alloc(IPV6_HEADER);
  ip.writeUInt32BE(0x60000000, 0); // version 6
  ip.writeUInt16BE(udpLength, 4);
  ip[6] = PROTO_UDP;
  ip[7] = 64; // hop limit
  ip.set(s, 8);
  ip.set(d, 24);
  const pseudo = Buffer.alloc(40);
  pseudo.set(s, 0);
  pseudo.set(d, 16);
  pseudo.writeUInt32BE(udpLength, 32);
  pseudo[39] = PROTO_UDP;
  return Buffer.concat([ip, udpHeader(src, dst, payload, pseudo), payload]);
}

/** A classic pcap file (microsecond timestamps, LINKTYPE_RAW) holding `packets` in order. */
export function pcapFromWirePackets(packets: readonly WirePacket[]): Uint8Array {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(PCAP_MAGIC_MICROSECONDS, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeInt32LE(0, 8); // GMT
  header.writeUInt32LE(0, 12); // timestamp accuracy
  header.writeUInt32LE(SNAPLEN, 16);
  header.writeUInt32LE(LINKTYPE_RAW, 20);
  const chunks: Uint8Array[] = [header];
  packets.forEach((p, i) => {
    const datagram = ipUdpDatagram(p.src, p.dst, p.bytes, i + 1);
    const record = Buffer.alloc(16);
    const at = Math.max(0, p.at);
    record.writeUInt32LE(Math.floor(at / 1000) >>> 0, 0);
    record.writeUInt32LE(Math.round((at % 1000) * 1000) % 1_000_000, 4);
    const captured = Math.min(datagram.length, SNAPLEN);
    record.writeUInt32LE(captured, 8);
    record.writeUInt32LE(datagram.length, 12);
    chunks.push(record, datagram.subarray(0, captured));
  });
  return Buffer.concat(chunks);
}

/** The pcap of a scenario's packet trace (each datagram once, in time order). */
export function pcapFromEvents(events: readonly PacketEvent[]): Uint8Array {
  return pcapFromWirePackets(wirePackets(events));
}

/** UDP ports that carry RADIUS in a trace: what `tshark -d udp.port==N,radius` needs for non-standard ports. */
export function radiusPorts(events: readonly PacketEvent[]): number[] {
  const ports = new Set<number>();
  for (const e of events) {
    // The server side is the remote of a request someone sent, or the local of one received.
    const isRequest = e.code === 1 || e.code === 4 || e.code === 12 || e.code === 13 || e.bytes[0] === 1 || e.bytes[0] === 12;
    const w = wireOf(e);
    ports.add(isRequest ? w.dst.port : w.src.port);
  }
  return [...ports].sort((a, b) => a - b);
}

/** The tshark command that decodes a pcap of these events (the secret stays a placeholder; docs/lab-secrets-and-clock.md says which secret a run used). */
export function tsharkCommand(file: string, events: readonly PacketEvent[]): string {
  const decodeAs = radiusPorts(events)
    .filter((p) => p !== 1812 && p !== 1813)
    .map((p) => ` -d udp.port==${p},radius`)
    .join('');
  return `tshark -r ${file} -o 'radius.shared_secret:<the shared secret: docs/lab-secrets-and-clock.md>' -o radius.validate_authenticator:TRUE${decodeAs} -V`;
}
