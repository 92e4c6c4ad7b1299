/**
 * Hand-built RADIUS datagrams for the report tests. Built here, byte by byte
 * from RFC 2865 / 3579, rather than with the agent's codec, so the reports are
 * checked against the RFCs and not against the code they display.
 */
import { createHash, createHmac } from 'node:crypto';
import type { PacketEvent } from '../../agent/src/packet-events.ts';

export interface FixtureAttribute {
  type: number;
  value: Uint8Array;
}

function encodeAttributes(attrs: readonly FixtureAttribute[]): Buffer {
  return Buffer.concat(attrs.map((a) => Buffer.concat([Buffer.from([a.type, a.value.length + 2]), a.value])));
}

/** RFC 2865 §5.2 hiding of a User-Password. */
export function hidePassword(password: string, secret: string, authenticator: Uint8Array): Buffer {
  const p = Buffer.from(password, 'utf8');
  const padded = Buffer.alloc(Math.max(16, Math.ceil(p.length / 16) * 16));
  p.copy(padded);
  const out = Buffer.alloc(padded.length);
  let prev: Uint8Array = authenticator;
  for (let i = 0; i < padded.length; i += 16) {
    const b = createHash('md5').update(secret).update(prev).digest();
    for (let j = 0; j < 16; j++) out[i + j] = padded[i + j]! ^ b[j]!;
    prev = out.subarray(i, i + 16);
  }
  return out;
}

/** A request (Access-Request / Status-Server) with Message-Authenticator first, as BlastRADIUS advice has it. */
export function buildRequest(opts: {
  code?: number;
  identifier: number;
  secret: string;
  userName?: string;
  password?: string;
  authenticator?: Uint8Array;
  messageAuthenticator?: boolean;
  extra?: FixtureAttribute[];
}): Buffer {
  const auth = Buffer.from(opts.authenticator ?? Buffer.alloc(16, 7));
  const attrs: FixtureAttribute[] = [];
  if (opts.messageAuthenticator !== false) attrs.push({ type: 80, value: Buffer.alloc(16) });
  if (opts.userName !== undefined) attrs.push({ type: 1, value: Buffer.from(opts.userName) });
  if (opts.password !== undefined) attrs.push({ type: 2, value: hidePassword(opts.password, opts.secret, auth) });
  attrs.push(...(opts.extra ?? []));
  const body = encodeAttributes(attrs);
  const pkt = Buffer.concat([Buffer.from([opts.code ?? 1, opts.identifier, 0, 0]), auth, body]);
  pkt.writeUInt16BE(pkt.length, 2);
  if (opts.messageAuthenticator !== false) {
    const mac = createHmac('md5', opts.secret).update(pkt).digest();
    mac.copy(pkt, 22);
  }
  return pkt;
}

/** A response to `request` with Message-Authenticator first and a correct Response Authenticator. */
export function buildResponse(opts: {
  code: number;
  request: Uint8Array;
  secret: string;
  replyMessage?: string;
  messageAuthenticator?: boolean;
}): Buffer {
  const attrs: FixtureAttribute[] = [];
  if (opts.messageAuthenticator !== false) attrs.push({ type: 80, value: Buffer.alloc(16) });
  if (opts.replyMessage !== undefined) attrs.push({ type: 18, value: Buffer.from(opts.replyMessage) });
  const body = encodeAttributes(attrs);
  const pkt = Buffer.concat([Buffer.from([opts.code, opts.request[1]!, 0, 0]), Buffer.from(opts.request.subarray(4, 20)), body]);
  pkt.writeUInt16BE(pkt.length, 2);
  if (opts.messageAuthenticator !== false) {
    createHmac('md5', opts.secret).update(pkt).digest().copy(pkt, 22);
  }
  createHash('md5').update(pkt).update(opts.secret).digest().copy(pkt, 4);
  return pkt;
}

const connector = { address: '127.0.0.2', port: 40000 };
const agent = { address: '127.0.0.1', port: 18120 };

/** A scenario's trace: the connector's and the agent's view of one exchange. */
export function exchange(secret: string, password: string): PacketEvent[] {
  const request = buildRequest({ identifier: 42, secret, userName: 'alice', password });
  const reply = buildResponse({ code: 2, request, secret, replyMessage: 'Welcome' });
  return [
    { direction: 'sent', observer: 'ad-connector', at: 1_700_000_000_000, local: connector, remote: agent, bytes: request, code: 1, identifier: 42 },
    { direction: 'received', observer: 'agent', at: 1_700_000_000_001, local: agent, remote: connector, bytes: request, code: 1, identifier: 42 },
    { direction: 'sent', observer: 'agent', at: 1_700_000_000_250, local: agent, remote: connector, bytes: reply, code: 2, identifier: 42 },
    { direction: 'received', observer: 'ad-connector', at: 1_700_000_000_251, local: connector, remote: agent, bytes: reply, code: 2, identifier: 42 },
  ];
}
