import { isCodedError } from '../errors.ts';
import type { Endpoint } from '../packet-events.ts';
import { RadiusCode } from '../radius/codes.ts';
import { decodePacket, encodeRequest } from '../radius/codec.ts';
import { attr, getAll, type RadiusAttribute, type RadiusPacket } from '../radius/packet.ts';
import { textToBytes } from '../radius/values.ts';
import { UdpTestClient } from '../transport/udp-test-client.ts';

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

/**
 * One UDP socket talking to one server; replies are queued (raw bytes kept for
 * byte-for-byte comparisons). A thin face on the transport's UdpTestClient:
 * a fixed peer, and "no reply" as null instead of a rejection.
 */
export class TestRadiusSocket {
  readonly #client: Promise<UdpTestClient>;
  readonly #to: Endpoint;

  constructor(to: Endpoint) {
    this.#to = to;
    this.#client = UdpTestClient.open('127.0.0.1');
  }

  async send(bytes: Uint8Array): Promise<void> {
    await (await this.#client).send(bytes, this.#to);
  }

  /** The next reply's bytes, or null after `waitMs` of wall time. */
  async nextRaw(waitMs = 3_000): Promise<Buffer | null> {
    return (await this.#client).receive(waitMs).catch((e: unknown) => {
      if (isCodedError(e, 'UDP_TEST_TIMEOUT')) return null;
      throw e;
    });
  }

  async next(waitMs = 3_000): Promise<RadiusPacket | null> {
    const raw = await this.nextRaw(waitMs);
    if (!raw) return null;
    const d = decodePacket(raw);
    return d.ok ? d.packet : null;
  }

  close(): void {
    void this.#client.then((c) => c.close());
  }
}

export function replyMessage(p: RadiusPacket | null): string {
  if (!p) return '';
  return getAll(p, 'Reply-Message')
    .map((v) => Buffer.from(v).toString('utf8'))
    .join('');
}

export { textToBytes };
