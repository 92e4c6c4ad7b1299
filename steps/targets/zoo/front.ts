/**
 * The zoo's RADIUS front: a wrapper around the reference agent's UDP socket.
 * Clients (the AD Connector, the raw client) talk to the front; the front
 * forwards each datagram to the real agent from a socket bound to the *same
 * source address* as the client (any 127.0.0.0/8 address is local on Linux),
 * so the agent's client table, secrets and duplicate cache see what they would
 * see without the front. A defect hooks in at two points — the request on its
 * way in, the reply on its way out — and otherwise the front is transparent
 * (the `control` variant proves that: the whole suite passes through it).
 *
 * Packet events: the World, the driver's datagram ledger and the drop-count
 * steps read the agent's events. The front re-emits them as if the agent
 * listened on the front's address: remote = the real client, local = the
 * front. A reply's 'sent' event is emitted when the agent sends it, with the
 * bytes the front will deliver (the defect applied), so the ledger counts it in
 * flight across both loopback hops; a reply the defect swallows is never
 * reported sent. A request the defect drops is reported dropped with a reason.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import type { Clock } from '../../../agent/src/clock.ts';
import { type Endpoint, type PacketEvent, PacketEvents } from '../../../agent/src/packet-events.ts';
import { peekHeader } from '../../../agent/src/radius/codec.ts';

/** What a defect does to a request: forward it (maybe changed, maybe from a new source port), or drop it. */
export type RequestAction = { forward: Buffer; freshSourcePort?: boolean } | { drop: string; detail?: string };

export interface FrontHooks {
  /** `secret` is the secret of the client at `remote`'s address (undefined: the agent does not know it). */
  request?(bytes: Buffer, secret: string | undefined, remote: Endpoint): RequestAction;
  /** The agent's reply to `request` (both as on the wire); null = the defect sends nothing. */
  reply?(bytes: Buffer, request: Buffer, secret: string | undefined): Buffer | null;
}

interface Back {
  socket: Socket;
  client: Endpoint;
  local: Endpoint;
}

const keyOf = (e: Endpoint): string => `${e.address}:${e.port}`;

export class RadiusFront {
  readonly events = new PacketEvents();
  readonly #agent: Endpoint;
  readonly #hooks: FrontHooks;
  readonly #clock: Clock;
  readonly #secretFor: (address: string) => string | undefined;
  readonly #backsByClient = new Map<string, Back>();
  readonly #backsByLocal = new Map<string, Back>();
  /** `${back local}|${identifier}` → the request as forwarded (the reply's defect needs it). */
  readonly #requests = new Map<string, Buffer>();
  /** `${back local}|${hex of the agent's reply}` → what the front delivers (null: nothing). */
  readonly #outgoing = new Map<string, Buffer | null>();
  #front: Socket | undefined;
  #local: Endpoint | undefined;
  #closed = false;

  constructor(options: { agent: Endpoint; agentEvents: PacketEvents; clock: Clock; hooks: FrontHooks; secretFor: (address: string) => string | undefined }) {
    this.#agent = options.agent;
    this.#hooks = options.hooks;
    this.#clock = options.clock;
    this.#secretFor = options.secretFor;
    options.agentEvents.on('packet', (e) => this.#fromAgent(e));
  }

  get endpoint(): Endpoint {
    if (!this.#local) throw new Error('the zoo front is not listening yet');
    return this.#local;
  }

  /** Listens on `host` (default: the agent's own address, so an agent on ::1 gets a front on ::1). */
  async listen(host = this.#agent.address): Promise<Endpoint> {
    const socket = createSocket(isIP(host) === 6 ? 'udp6' : 'udp4');
    socket.on('message', (msg, rinfo) => this.#fromClient(msg, rinfo));
    socket.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const a = socket.address();
    this.#front = socket;
    this.#local = { address: a.address, port: a.port };
    return this.#local;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const sockets = [this.#front, ...[...this.#backsByLocal.values()].map((b) => b.socket)].filter((s): s is Socket => s !== undefined);
    this.#front = undefined;
    this.#backsByClient.clear();
    this.#backsByLocal.clear();
    await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  #emit(direction: PacketEvent['direction'], remote: Endpoint, bytes: Uint8Array, extra: { reason?: string; detail?: string } = {}): void {
    const head = peekHeader(bytes);
    const event: PacketEvent = { direction, observer: 'agent', at: this.#clock.now(), local: this.endpoint, remote, bytes: Uint8Array.from(bytes) };
    if (head) {
      event.code = head.code;
      event.identifier = head.identifier;
    }
    if (extra.reason !== undefined) event.reason = extra.reason;
    if (extra.detail !== undefined) event.detail = extra.detail;
    this.events.record(event);
  }

  #fromClient(msg: Buffer, rinfo: RemoteInfo): void {
    if (this.#closed) return;
    const client: Endpoint = { address: rinfo.address, port: rinfo.port };
    const secret = this.#secretFor(rinfo.address);
    const action: RequestAction = this.#hooks.request ? this.#hooks.request(msg, secret, client) : { forward: msg };
    if ('drop' in action) {
      this.#emit('dropped', client, msg, action.detail === undefined ? { reason: action.drop } : { reason: action.drop, detail: action.detail });
      return;
    }
    void this.#forward(client, action.forward, action.freshSourcePort === true);
  }

  async #forward(client: Endpoint, bytes: Buffer, fresh: boolean): Promise<void> {
    const back = fresh ? await this.#newBack(client) : (this.#backsByClient.get(keyOf(client)) ?? (await this.#newBack(client)));
    if (!fresh) this.#backsByClient.set(keyOf(client), back);
    if (this.#closed) return;
    if (bytes.length >= 2) this.#requests.set(`${keyOf(back.local)}|${bytes[1]}`, bytes);
    back.socket.send(bytes, this.#agent.port, this.#agent.address);
  }

  async #newBack(client: Endpoint): Promise<Back> {
    const socket = createSocket(isIP(client.address) === 6 ? 'udp6' : 'udp4');
    socket.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      // The client's own address, so the agent's client table sees the real source.
      socket.bind(0, client.address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const a = socket.address();
    const back: Back = { socket, client, local: { address: a.address, port: a.port } };
    this.#backsByLocal.set(keyOf(back.local), back);
    socket.on('message', (msg) => this.#fromAgentSocket(back, msg));
    return back;
  }

  /** The agent's own events, re-emitted as seen from outside the front. */
  #fromAgent(e: PacketEvent): void {
    const back = this.#backsByLocal.get(keyOf(e.remote));
    const remote = back ? back.client : e.remote;
    if (e.direction !== 'sent') {
      this.#emit(e.direction, remote, e.bytes, { ...(e.reason !== undefined ? { reason: e.reason } : {}), ...(e.detail !== undefined ? { detail: e.detail } : {}) });
      return;
    }
    const delivered = back ? this.#deliverable(back, Buffer.from(e.bytes)) : Buffer.from(e.bytes);
    if (delivered) this.#emit('sent', remote, delivered, e.detail !== undefined ? { detail: e.detail } : {});
  }

  /** What the front delivers for this reply of the agent (computed once, when the agent sends it). */
  #deliverable(back: Back, reply: Buffer): Buffer | null {
    const key = `${keyOf(back.local)}|${reply.toString('hex')}`;
    const known = this.#outgoing.get(key);
    if (known !== undefined) return known;
    const request = reply.length >= 2 ? this.#requests.get(`${keyOf(back.local)}|${reply[1]}`) : undefined;
    const out = this.#hooks.reply && request ? this.#hooks.reply(reply, request, this.#secretFor(back.client.address)) : reply;
    this.#outgoing.set(key, out);
    return out;
  }

  #fromAgentSocket(back: Back, msg: Buffer): void {
    const key = `${keyOf(back.local)}|${msg.toString('hex')}`;
    const out = this.#outgoing.has(key) ? this.#outgoing.get(key)! : this.#deliverable(back, msg);
    this.#outgoing.delete(key);
    if (out && this.#front && !this.#closed) this.#front.send(out, back.client.port, back.client.address);
  }
}
