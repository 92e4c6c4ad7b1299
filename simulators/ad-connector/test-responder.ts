/**
 * A deliberately trivial RADIUS server for tests of the connector and the page:
 * a dgram socket that answers with the npm `radius` package. It is not the
 * reference agent; it exists so the connector can be exercised before (and
 * apart from) the agent. The handler decides each answer.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { type RadiusPackageDecoded, radius } from './radius-package.ts';



export interface ResponderRequest {
  code: string;
  identifier: number;
  userName?: string;
  /** The unhidden User-Password (PAP only). */
  password?: string;
  attributes: Record<string, unknown>;
  raw: Buffer;
  from: RemoteInfo;
}

export type ResponderAnswer =
  | { code: 'Access-Accept' | 'Access-Reject' | 'Access-Challenge'; replyMessage?: string; state?: Buffer; secret?: string }
  | { code: 'none' };

export interface TestResponder {
  readonly address: string;
  readonly port: number;
  readonly requests: ResponderRequest[];
  close(): Promise<void>;
}

export async function startTestResponder(options: {
  secret: string;
  host?: string;
  port?: number;
  handler: (request: ResponderRequest) => ResponderAnswer | Promise<ResponderAnswer>;
}): Promise<TestResponder> {
  // An IPv6 host (::1) gets a udp6 socket, for the connector's RadiusServersIpv6 tests.
  const socket: Socket = createSocket(isIP(options.host ?? '') === 6 ? 'udp6' : 'udp4');
  const requests: ResponderRequest[] = [];
  socket.on('message', (msg, from) => {
    void (async () => {
      let decoded: RadiusPackageDecoded;
      try {
        decoded = radius.decode({ packet: msg, secret: options.secret });
      } catch {
        return; // wrong secret / malformed: silently discarded, as RFC 2865 says
      }
      const request: ResponderRequest = { code: decoded.code, identifier: decoded.identifier, attributes: decoded.attributes, raw: msg, from };
      const userName = decoded.attributes['User-Name'];
      if (typeof userName === 'string') request.userName = userName;
      const password = decoded.attributes['User-Password'];
      if (typeof password === 'string') request.password = password;
      requests.push(request);
      const answer = await options.handler(request);
      if (answer.code === 'none') return;
      const attributes: Array<[string, string | Buffer]> = [];
      if (answer.replyMessage) attributes.push(['Reply-Message', answer.replyMessage]);
      if (answer.state) attributes.push(['State', answer.state]);
      const reply = radius.encode_response({ packet: decoded, code: answer.code, secret: answer.secret ?? options.secret, attributes });
      socket.send(reply, from.port, from.address);
    })();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      socket.off('error', reject);
      resolve();
    });
  });
  const { address, port } = socket.address();
  return {
    address,
    port,
    requests,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
