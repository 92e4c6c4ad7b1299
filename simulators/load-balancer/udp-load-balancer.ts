/**
 * A UDP load balancer in front of several RADIUS servers, for Okta's
 * "RADIUS session persistence best practices" (radius-best-pract-sess-per.htm):
 * without session persistence a client's retransmission can reach another
 * agent, which "processes the request as a new request and initiates the push
 * notification again"; with persistence every datagram of a client goes to the
 * same agent, whose duplicate detection drops the retries.
 *
 * It forwards each datagram from a per-client upstream socket (so a server sees
 * one stable source per client, as behind a source-NAT load balancer) and
 * relays every reply back to that client. `stickiness`: 'none' — each datagram
 * to the next server in turn; 'client-address' — one server per client
 * address (Okta recommends Calling-Station-Id + Framed-IP; the client address
 * stands in when the client sends neither, as the AD Connector doesn't).
 * Loopback only; real UDP; no timers (forwarding is immediate).
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import type { Endpoint } from '../../agent/src/packet-events.ts';

export interface UdpLoadBalancerOptions {
  host: string;
  port: number;
  backends: Endpoint[];
  stickiness: 'none' | 'client-address';
}

export interface UdpLoadBalancer {
  readonly endpoint: Endpoint;
  /** How many datagrams went to each backend, in backend order. */
  readonly forwarded: readonly number[];
  close(): Promise<void>;
}

export async function startUdpLoadBalancer(options: UdpLoadBalancerOptions): Promise<UdpLoadBalancer> {
  if (options.backends.length === 0) throw new Error('give the load balancer at least one backend');
  const family = isIP(options.host) === 6 ? 'udp6' : 'udp4';
  const front = createSocket(family);
  const upstreams = new Map<string, Promise<Socket>>();
  const sockets: Socket[] = [];
  const sticky = new Map<string, number>();
  const forwarded = options.backends.map(() => 0);
  let turn = 0;

  // One upstream socket per client, bound once (the promise is shared, so a burst binds it once).
  const upstreamFor = (client: RemoteInfo): Promise<Socket> => {
    const key = `${client.address}|${client.port}`;
    let up = upstreams.get(key);
    if (!up) {
      const socket = createSocket(family);
      sockets.push(socket);
      socket.on('message', (reply) => front.send(reply, client.port, client.address));
      up = new Promise<Socket>((resolve) => socket.bind(0, options.host, () => resolve(socket)));
      upstreams.set(key, up);
    }
    return up;
  };

  const pick = (client: RemoteInfo): number => {
    if (options.stickiness === 'client-address') {
      const known = sticky.get(client.address);
      if (known !== undefined) return known;
      const chosen = turn++ % options.backends.length;
      sticky.set(client.address, chosen);
      return chosen;
    }
    return turn++ % options.backends.length;
  };

  front.on('message', (msg, client) => {
    void upstreamFor(client).then((up) => {
      const i = pick(client);
      const backend = options.backends[i]!;
      forwarded[i]!++;
      up.send(msg, backend.port, backend.address);
    });
  });
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.bind(options.port, options.host, () => {
      front.off('error', reject);
      resolve();
    });
  });
  const bound = front.address();
  return {
    endpoint: { address: bound.address, port: bound.port },
    forwarded,
    async close() {
      await Promise.all([front, ...sockets].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
