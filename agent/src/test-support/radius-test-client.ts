import { createSocket } from 'node:dgram';
import type { Endpoint } from '../packet-events.ts';
import { RadiusCode } from '../radius/codes.ts';
import { decodePacket, encodeRequest } from '../radius/codec.ts';
import { attr, getAll, type RadiusAttribute, type RadiusPacket } from '../radius/packet.ts';
import { textToBytes } from '../radius/values.ts';

/**
 * A tiny RADIUS client for the agent's own tests: sends one datagram and
 * waits (wall clock, bounded) for one answer. Not a product; the lab has the
 * AD Connector simulator for that.
 */
let nextId = 1;

export interface AccessRequestInit {
  userName: string;
  password?: string;
  secret: string;
  state?: Uint8Array;
  extra?: RadiusAttribute[];
  messageAuthenticator?: 'first' | 'none';
  identifier?: number;
}

export function buildAccessRequest(init: AccessRequestInit): Buffer {
  const attributes: RadiusAttribute[] = [attr.text('User-Name', init.userName)];
  if (init.state) attributes.push(attr.octets('State', init.state));
  attributes.push(...(init.extra ?? []));
  return encodeRequest(
    {
      code: RadiusCode.AccessRequest,
      identifier: init.identifier ?? nextId++ % 256,
      attributes,
      ...(init.password === undefined ? {} : { userPassword: init.password }),
      messageAuthenticator: init.messageAuthenticator ?? 'first',
    },
    init.secret,
  );
}

/** One UDP socket talking to one server; replies are queued (raw bytes kept for byte-for-byte comparisons). */
export class TestRadiusSocket {
  readonly #socket = createSocket('udp4');
  readonly #to: Endpoint;
  readonly #queue: Buffer[] = [];
  readonly #waiters: Array<(b: Buffer) => void> = [];
  #ready: Promise<void>;

  constructor(to: Endpoint) {
    this.#to = to;
    this.#socket.on('message', (msg) => {
      const w = this.#waiters.shift();
      if (w) w(msg);
      else this.#queue.push(msg);
    });
    this.#ready = new Promise((resolve) => this.#socket.bind(0, '127.0.0.1', () => resolve()));
  }

  async send(bytes: Uint8Array): Promise<void> {
    await this.#ready;
    await new Promise<void>((resolve, reject) => this.#socket.send(bytes, this.#to.port, this.#to.address, (e) => (e ? reject(e) : resolve())));
  }

  /** The next reply's bytes, or null after `waitMs` of wall time. */
  nextRaw(waitMs = 3_000): Promise<Buffer | null> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => {
      const waiter = (b: Buffer): void => {
        clearTimeout(timer);
        resolve(b);
      };
      const timer = setTimeout(() => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        resolve(null);
      }, waitMs);
      this.#waiters.push(waiter);
    });
  }

  async next(waitMs = 3_000): Promise<RadiusPacket | null> {
    const raw = await this.nextRaw(waitMs);
    if (!raw) return null;
    const d = decodePacket(raw);
    return d.ok ? d.packet : null;
  }

  close(): void {
    this.#socket.close();
  }
}

export function replyMessage(p: RadiusPacket | null): string {
  if (!p) return '';
  return getAll(p, 'Reply-Message')
    .map((v) => Buffer.from(v).toString('utf8'))
    .join('');
}

export { textToBytes };
