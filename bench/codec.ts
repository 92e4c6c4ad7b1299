/**
 * Codec micro-benchmarks: the per-request CPU work of the agent's hot path,
 * measured without sockets. Each op is bounded by count and time, after a
 * warm-up; the retained heap after N ops (after a full GC) shows leaks.
 */
import { RadiusCode } from '../agent/src/radius/codes.ts';
import { decodePacket, encodeRequest, encodeResponse, verifyMessageAuthenticator } from '../agent/src/radius/codec.ts';
import { hmacMd5 } from '../agent/src/radius/crypto.ts';
import { attr, getOctets } from '../agent/src/radius/packet.ts';
import { unhideUserPassword } from '../agent/src/radius/user-password.ts';
import { type BenchOptions, measureOps, memoryAfterGc, type Recorder, round } from './lib.ts';
import { accessRequestFactory, hmacMd5Factory, type RequestFactory } from './requests.ts';

export const SECRET = 'bench-shared-secret-0123';

const TYPICAL_ATTRIBUTES = [
  attr.text('User-Name', 'alice'),
  attr.ip('NAS-IP-Address', '10.0.1.25'),
  attr.text('NAS-Identifier', 'd-9067012345'),
  attr.integer('NAS-Port-Type', 5),
  attr.text('Calling-Station-Id', '10.0.1.25'),
];

/** An Access-Request as AD Connector sends one: Message-Authenticator first, PAP, NAS attributes. */
export function typicalAccessRequest(identifier: number, password = '123456'): Buffer {
  return encodeRequest(
    {
      code: RadiusCode.AccessRequest,
      identifier,
      attributes: TYPICAL_ATTRIBUTES,
      userPassword: password,
      messageAuthenticator: 'first',
    },
    SECRET,
  );
}

/** The same request, stamped cheaply for the load generator. */
export function typicalRequestFactory(): RequestFactory {
  return accessRequestFactory(SECRET, TYPICAL_ATTRIBUTES, '123456');
}

interface CodecOp {
  key: string;
  label: string;
  fn: (i: number) => unknown;
  /** Goal in ops/s (set from measurements on a 2-core machine, with headroom); none for reference rows. */
  goalOpsPerSec?: number;
}

export async function runCodecBench(rec: Recorder, options: BenchOptions): Promise<void> {
  const maxOps = options.quick ? 2_000 : 300_000;
  const maxMs = options.quick ? 100 : 1_000;
  const warmupOps = options.quick ? 500 : 10_000;

  const raw = typicalAccessRequest(42);
  const decoded = decodePacket(raw);
  if (!decoded.ok) throw new Error(`the bench request does not decode: ${decoded.error.code}`);
  const request = decoded.packet;
  const hidden = getOctets(request, 'User-Password');
  if (!hidden) throw new Error('the bench request has no User-Password');
  const replyAttributes = [attr.text('Reply-Message', 'Welcome')];
  const secretBuf = Buffer.from(SECRET, 'utf8');
  const fastHmac = hmacMd5Factory(secretBuf);
  const factory = typicalRequestFactory();
  rec.set('request.size', raw.length, 'octets');

  const ops: CodecOp[] = [
    {
      key: 'decode',
      label: 'decodePacket',
      fn: () => decodePacket(raw).ok,
      goalOpsPerSec: 250_000,
    },
    {
      key: 'decode+verifyMA',
      label: 'decodePacket + verifyMessageAuthenticator',
      fn: () => {
        const r = decodePacket(raw);
        return r.ok && verifyMessageAuthenticator(r.raw, SECRET) === 'valid';
      },
      goalOpsPerSec: 25_000,
    },
    {
      key: 'encodeResponse+MA',
      label: 'encodeResponse (Access-Accept, Message-Authenticator first)',
      fn: () => encodeResponse({ code: RadiusCode.AccessAccept, attributes: replyAttributes }, request, SECRET).length,
      goalOpsPerSec: 25_000,
    },
    {
      key: 'unhidePassword',
      label: 'unhideUserPassword (RFC 2865 §5.2)',
      fn: () => unhideUserPassword(hidden, SECRET, request.authenticator).length,
      goalOpsPerSec: 150_000,
    },
    {
      key: 'encodeRequest',
      label: 'encodeRequest (client side: hide password, sign MA)',
      fn: (i) => typicalAccessRequest(i & 0xff).length,
      goalOpsPerSec: 15_000,
    },
    {
      key: 'ref.hmacMd5.createHmac',
      label: 'reference: HMAC-MD5 of the request with node createHmac (what the codec uses)',
      fn: () => hmacMd5(secretBuf, raw).length,
    },
    {
      key: 'ref.hmacMd5.rfc2104',
      label: 'reference: the same HMAC-MD5 as two MD5s with precomputed pads (RFC 2104)',
      fn: () => fastHmac(raw).length,
    },
    {
      key: 'ref.benchRequestFactory',
      label: "reference: the load generator's Access-Request stamping (bench/requests.ts)",
      fn: (i) => factory(i & 0xff).length,
    },
  ];

  for (const op of ops) {
    measureOps(op.fn, warmupOps, maxMs);
    const before = await memoryAfterGc();
    const m = measureOps(op.fn, maxOps, maxMs);
    const after = await memoryAfterGc();
    rec.set(`${op.key}.ops/s`, round(m.opsPerSec), 'ops/s');
    rec.set(`${op.key}.ns/op`, round(m.nsPerOp), 'ns/op');
    rec.set(`${op.key}.heapRetained`, round((after.heapUsed - before.heapUsed) / 1024, 1), 'KiB');
    if (op.goalOpsPerSec !== undefined) {
      rec.goal(`${op.key}.ops/s`, '>=', op.goalOpsPerSec);
      // Retained heap after a full GC: the codec keeps nothing between calls.
      rec.goal(`${op.key}.heapRetained`, '<=', 1024);
    }
  }
  rec.note(`ops: ${ops.map((o) => `${o.key} = ${o.label}`).join('; ')}`);
}
