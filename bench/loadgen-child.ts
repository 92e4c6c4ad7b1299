/**
 * The load generator as a process of its own, so the server under test (the
 * agent or FreeRADIUS, each a process too) never shares a thread with the load:
 * `node bench/loadgen-child.ts '<json LoadChildSpec>'` prints one JSON line
 * (LoadChildResult) and exits. Loopback only and bounded by count and time,
 * as LoadGenerator is.
 */
import { encodeRequest } from '../agent/src/radius/codec.ts';
import { RadiusCode } from '../agent/src/radius/codes.ts';
import { TOTP_PERIOD_S, totpAt } from '../simulators/okta/totp.ts';
import { attr } from '../agent/src/radius/packet.ts';
import { percentile, round } from './lib.ts';
import { LoadGenerator } from './load.ts';
import { fastTime } from './okta-child.ts';
import { accessRequestFactory } from './requests.ts';

export interface LoadChildSpec {
  host: string;
  port: number;
  secret: string;
  userName: string;
  /** undefined: no User-Password (rejected without any back end). */
  password?: string;
  maxRequests: number;
  maxDurationMs: number;
  inFlight: number;
  sockets: number;
  timeoutMs: number;
  /** An unpaced burst: send every request at once (inFlight = maxRequests), one socket per 256. */
  burst?: boolean;
  /**
   * MFA sign-ins instead of one fixed request: user i is `${prefix}${i}`, every user has the
   * same TOTP secret, and codes are computed on the mock's clock (okta-child.ts: `startMs`,
   * `speedup`). A user signs in at most once per TOTP step (Okta accepts each step once).
   */
  totp?: { secret: string; users: number; prefix: string; startMs: number; speedup: number };
}

export interface LoadChildResult {
  sent: number;
  answered: number;
  lost: number;
  elapsedMs: number;
  reqPerSec: number;
  p50: number;
  p99: number;
  accepts: number;
  rejects: number;
}

export async function runLoadChild(spec: LoadChildSpec): Promise<LoadChildResult> {
  const sockets = spec.burst ? Math.max(1, Math.ceil(spec.maxRequests / 256)) : spec.sockets;
  const load = await LoadGenerator.open({ address: spec.host, port: spec.port }, sockets);
  try {
    const make = spec.totp
      ? totpRequests(spec.secret, spec.totp)
      : accessRequestFactory(
          spec.secret,
          [attr.text('User-Name', spec.userName), attr.ip('NAS-IP-Address', '10.0.1.25'), attr.text('NAS-Identifier', 'd-9067012345')],
          spec.password,
        );
    const r = await load.run({
      maxRequests: spec.maxRequests,
      maxDurationMs: spec.maxDurationMs,
      inFlight: spec.burst ? spec.maxRequests : spec.inFlight,
      timeoutMs: spec.timeoutMs,
      build: (identifier) => make(identifier),
    });
    return {
      sent: r.sent,
      answered: r.answered,
      lost: r.lost,
      elapsedMs: round(r.elapsedMs, 1),
      reqPerSec: r.elapsedMs > 0 ? round(r.answered / (r.elapsedMs / 1000)) : 0,
      p50: round(percentile(r.latenciesMs, 50), 3),
      p99: round(percentile(r.latenciesMs, 99), 3),
      accepts: r.codes[RadiusCode.AccessAccept] ?? 0,
      rejects: r.codes[RadiusCode.AccessReject] ?? 0,
    };
  } finally {
    await load.close();
  }
}

/** Sign-ins round-robin over the users, each at most once per TOTP step; null when every user has had this step. */
function totpRequests(secret: string, t: NonNullable<LoadChildSpec['totp']>): (identifier: number) => Uint8Array | null {
  const lastStep = new Float64Array(t.users).fill(-1);
  let next = 0;
  let codeStep = -1;
  let code = '';
  return (identifier) => {
    const now = fastTime(t, Date.now());
    const step = Math.floor(now / 1000 / TOTP_PERIOD_S);
    if (step !== codeStep) {
      codeStep = step;
      code = totpAt(t.secret, now);
    }
    for (let k = 0; k < t.users; k++) {
      const i = (next + k) % t.users;
      if (lastStep[i] === step) continue;
      lastStep[i] = step;
      next = (i + 1) % t.users;
      return encodeRequest(
        {
          code: RadiusCode.AccessRequest,
          identifier,
          attributes: [attr.text('User-Name', `${t.prefix}${i}`), attr.ip('NAS-IP-Address', '10.0.1.25'), attr.text('NAS-Identifier', 'd-9067012345')],
          userPassword: code,
          messageAuthenticator: 'first',
        },
        secret,
      );
    }
    return null;
  };
}

if (import.meta.main) {
  const spec = JSON.parse(process.argv[2] ?? '{}') as LoadChildSpec;
  const result = await runLoadChild(spec);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
