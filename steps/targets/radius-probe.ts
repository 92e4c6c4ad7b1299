/**
 * "Is a RADIUS server there?" — one bounded question, asked before a run (and
 * while a started agent comes up), so a target that can't be reached says so in
 * one line instead of every scenario timing out. Never hangs: each probe has a
 * deadline, and the socket is closed whatever happens.
 *
 * Status-Server (RFC 5997) where the server offers it, otherwise an
 * Access-Request for a user nobody has (any answer, even a reject, proves a
 * server that knows our secret). A reply is only counted when its Response
 * Authenticator verifies with the secret: "answers, but with another secret" is
 * a different (and common) mistake from "nothing answers".
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
// The probe judges the agent: it is built and checked with the connector's codec (the npm radius package), never the agent's.
import { encodeAccessRequest, encodeStatusServer, verifyReply } from '../../simulators/ad-connector/radius-codec.ts';

export type ProbeKind = 'status-server' | 'access-request';

export interface ProbeOptions {
  host: string;
  port: number;
  secret: string;
  kind: ProbeKind;
  /** Whole probe deadline (default 3 s). */
  timeoutMs?: number;
  /** Source address: a server drops datagrams from clients it doesn't know. */
  sourceAddress?: string;
  /** Re-send interval within the deadline (UDP may lose a datagram; default 1 s). */
  resendMs?: number;
  /** Access-Request only: false sends none (default true: servers that require one drop requests without). */
  messageAuthenticator?: boolean;
}

export type ProbeResult =
  | { ok: true; code: number; codeName: string; rttMs: number }
  | {
      ok: false;
      reason: string;
      refused: boolean;
      /** refused: port unreachable (nothing listens); silent: no reply at all; bad-secret: replies that don't verify; error: a socket error. */
      cause: 'refused' | 'silent' | 'bad-secret' | 'error';
    };

function hostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** One probe; resolves (never rejects) within `timeoutMs` plus a few ms. */
export function probeRadius(o: ProbeOptions): Promise<ProbeResult> {
  const timeoutMs = o.timeoutMs ?? 3000;
  const resendMs = o.resendMs ?? 1000;
  const where = hostPort(o.host, o.port);
  const what = o.kind === 'status-server' ? 'Status-Server' : 'Access-Request';
  const identifier = randomBytes(1)[0]!;
  const authenticator = randomBytes(16);
  const request =
    o.kind === 'status-server'
      ? encodeStatusServer({ identifier, secret: o.secret, authenticator, nasIdentifier: 'radius-mfa-harness-probe' })
      : encodeAccessRequest({
          identifier,
          secret: o.secret,
          authenticator,
          userName: 'radius-mfa-harness-probe',
          // Not a credential: a fixed string for a user that doesn't exist.
          password: 'probe',
          protocol: 'PAP',
          nasIdentifier: 'radius-mfa-harness-probe',
          messageAuthenticator: o.messageAuthenticator !== false,
        });
  const packet = request.bytes;
  const family = isIP(o.host) === 6 ? 'udp6' : 'udp4';
  return new Promise((resolve) => {
    const socket: Socket = createSocket(family);
    const started = performance.now();
    let done = false;
    let resend: NodeJS.Timeout | undefined;
    let badSecret = false;
    const finish = (r: ProbeResult): void => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      clearInterval(resend);
      try {
        socket.close();
      } catch {
        // already closed
      }
      resolve(r);
    };
    const deadline = setTimeout(() => {
      finish({
        ok: false,
        refused: false,
        cause: badSecret ? 'bad-secret' : 'silent',
        reason: badSecret
          ? `${where} answers, but its replies don't verify with the configured shared secret (check the secret)`
          : `nothing answers at ${where} (no reply to ${what} within ${(timeoutMs / 1000).toFixed(timeoutMs % 1000 === 0 ? 0 : 1)} s)`,
      });
    }, timeoutMs);
    socket.on('error', (e: NodeJS.ErrnoException) => {
      // On a connected UDP socket, an ICMP port-unreachable surfaces as ECONNREFUSED: nothing listens.
      if (e.code === 'ECONNREFUSED') finish({ ok: false, refused: true, cause: 'refused', reason: `nothing listens at ${where} (port unreachable)` });
      else finish({ ok: false, refused: false, cause: 'error', reason: `cannot reach ${where}: ${e.message}` });
    });
    socket.on('message', (msg) => {
      if (msg.length < 20 || msg[1] !== identifier) return;
      const checked = verifyReply(request, msg, o.secret);
      if (!checked.ok) {
        if (checked.reason === 'bad-response-authenticator' || checked.reason === 'bad-message-authenticator') badSecret = true;
        return;
      }
      finish({ ok: true, code: checked.reply.code, codeName: checked.reply.codeName, rttMs: Math.round(performance.now() - started) });
    });
    const send = (): void => {
      if (!done) socket.send(packet);
    };
    const bindTo = o.sourceAddress ?? (family === 'udp6' ? '::' : '0.0.0.0');
    socket.bind({ address: bindTo, port: 0 }, () => {
      socket.connect(o.port, o.host, (err?: Error) => {
        if (err) {
          finish({ ok: false, refused: false, cause: 'error', reason: `cannot reach ${where}: ${err.message}` });
          return;
        }
        send();
        resend = setInterval(send, resendMs);
      });
    });
  });
}

/**
 * Probes until a server answers or `totalMs` passes (for an agent that is
 * starting up). Returns the last result.
 */
export async function waitForRadius(o: ProbeOptions & { totalMs: number; intervalMs?: number; isAlive?: () => boolean }): Promise<ProbeResult> {
  const until = performance.now() + o.totalMs;
  let last: ProbeResult = { ok: false, refused: false, cause: 'silent', reason: 'not probed' };
  while (performance.now() < until) {
    if (o.isAlive && !o.isAlive()) return { ok: false, refused: false, cause: 'error', reason: 'the server process exited' };
    last = await probeRadius({ ...o, timeoutMs: Math.min(o.timeoutMs ?? 500, Math.max(50, until - performance.now())) });
    if (last.ok) return last;
    await new Promise((r) => setTimeout(r, o.intervalMs ?? 50));
  }
  return last;
}
