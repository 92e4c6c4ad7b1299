/**
 * One request/reply exchange with one server: the same datagram (same
 * Identifier, same Request Authenticator) transmitted up to `transmissions`
 * times, each followed by `timeoutMs` of the injected clock. The first reply
 * that passes verification ends it; replies that fail verification are
 * recorded as dropped and treated as no reply (RFC 2865 §3).
 */
import type { Clock, TimerHandle } from '../../agent/src/clock.ts';
import type { Endpoint, PacketEvent } from '../../agent/src/packet-events.ts';
import type { ClientSocket } from './client-socket.ts';
import { type DecodedReply, type EncodedRequest, type ReplyProblem, verifyReply } from './radius-codec.ts';

export type ExchangeResult =
  | { kind: 'reply'; reply: DecodedReply; transmissions: number; problems: ReplyProblem[] }
  | { kind: 'no-reply'; transmissions: number; problems: ReplyProblem[] };

export interface ExchangeOptions {
  socket: ClientSocket;
  server: Endpoint;
  clock: Clock;
  secret: string;
  timeoutMs: number;
  /** 1 + RadiusRetries. */
  transmissions: number;
  requireMessageAuthenticator: boolean;
  /** Build the request once the Identifier is known (it is kept for every retransmission). */
  encode: (identifier: number) => EncodedRequest;
  /** Called on every transmission/settle so the owner can count pending requests. */
  onPendingChange?: (delta: 1 | -1) => void;
  /** Events of this exchange are also pushed here (the sign-in's own trace). */
  trace?: PacketEvent[];
}

export function exchange(o: ExchangeOptions): Promise<ExchangeResult> {
  return new Promise((resolve, reject) => {
    const problems: ReplyProblem[] = [];
    let transmissions = 0;
    let timer: TimerHandle | undefined;
    let done = false;
    let request: EncodedRequest | undefined;

    const finish = (result: ExchangeResult): void => {
      if (done) return;
      done = true;
      if (timer) o.clock.clearTimeout(timer);
      registration.release();
      o.onPendingChange?.(-1);
      resolve(result);
    };

    const registration = o.socket.register(o.server, (bytes, event) => {
      if (done || !request) return;
      const verdict = verifyReply(request, bytes, o.secret, { requireMessageAuthenticator: o.requireMessageAuthenticator });
      if (!verdict.ok) {
        problems.push(verdict.reason);
        o.socket.recordDrop(bytes, event.remote, verdict.reason, verdict.detail, o.trace);
        return; // keep waiting: a forged or corrupted reply is no reply
      }
      o.socket.recordReceived(bytes, event.remote, verdict.reply.codeName, o.trace);
      finish({ kind: 'reply', reply: verdict.reply, transmissions, problems });
    });

    try {
      request = o.encode(registration.identifier);
    } catch (e) {
      registration.release();
      reject(e);
      return;
    }
    const sent = request;
    o.onPendingChange?.(1);

    const transmit = (): void => {
      transmissions++;
      o.socket.send(sent.bytes, o.server, transmissions === 1 ? 'first transmission' : `retransmission ${transmissions - 1}`, o.trace);
      timer = o.clock.setTimeout(() => {
        if (done) return;
        if (transmissions < o.transmissions) transmit();
        else finish({ kind: 'no-reply', transmissions, problems });
      }, o.timeoutMs);
    };
    transmit();
  });
}
