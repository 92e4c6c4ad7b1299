import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { test } from 'node:test';
import { isCodedError } from '../../agent/src/errors.ts';
import { mschapV1NtResponse, mschapV2NtResponse } from './mschap.ts';
import { type EncodedRequest, encodeAccessRequest, encodeStatusServer, verifyReply } from './radius-codec.ts';

const SECRET = 'xyzzy5461';
const AUTH = Buffer.from('0f403f9473978057bd83d5cb98f4227a', 'hex');

/** Walk attributes independently of the codec under test. */
function attrs(bytes: Buffer): Array<[number, Buffer]> {
  const out: Array<[number, Buffer]> = [];
  for (let at = 20; at < bytes.readUInt16BE(2); at += bytes[at + 1]!) out.push([bytes[at]!, bytes.subarray(at + 2, at + bytes[at + 1]!)]);
  return out;
}
const one = (bytes: Buffer, type: number): Buffer => {
  const found = attrs(bytes).filter(([t]) => t === type);
  assert.equal(found.length, 1, `exactly one attribute ${type}`);
  return found[0]![1];
};
/** Counter-based "random" so encodings are reproducible. */
function counter(): (n: number) => Buffer {
  let next = 0;
  return (n) => Buffer.from(Array.from({ length: n }, () => next++ & 0xff));
}

test('PAP: RFC 2865 §7.1 shape — User-Password hidden per §5.2 with the Request Authenticator', () => {
  const req = encodeAccessRequest({
    identifier: 0,
    secret: SECRET,
    userName: 'nemo',
    password: 'arctangent',
    protocol: 'PAP',
    nasIpAddress: '192.168.1.16',
    messageAuthenticator: false,
    authenticator: AUTH,
  });
  assert.equal(req.bytes[0], 1);
  assert.equal(req.bytes.readUInt16BE(2), req.bytes.length);
  assert.deepEqual(req.bytes.subarray(4, 20), AUTH);
  assert.equal(one(req.bytes, 1).toString(), 'nemo');
  // RFC 2865 §7.1's example hides "arctangent" under this secret and authenticator to these bytes.
  assert.equal(one(req.bytes, 2).toString('hex'), '0dbe708d93d413ce3196e43f782a0aee');
  assert.deepEqual(one(req.bytes, 4), Buffer.from([192, 168, 1, 16]));
});

test('Message-Authenticator is the first attribute and is the HMAC-MD5 of the request', () => {
  const req = encodeAccessRequest({ identifier: 7, secret: SECRET, userName: 'u', password: '123456', protocol: 'PAP', nasIdentifier: 'd-1', messageAuthenticator: true });
  assert.equal(req.bytes[20], 80, 'MA right after the header');
  assert.equal(req.bytes[21], 18);
  const copy = Buffer.from(req.bytes);
  copy.fill(0, 22, 38);
  assert.deepEqual(req.bytes.subarray(22, 38), createHmac('md5', SECRET).update(copy).digest());
  assert.equal(attrs(req.bytes).filter(([t]) => t === 80).length, 1, 'the package did not add a second MA');
});

test('CHAP: CHAP-Password = ident ‖ MD5(ident ‖ code ‖ CHAP-Challenge)', () => {
  const req = encodeAccessRequest({ identifier: 1, secret: SECRET, userName: 'u', password: '123456', protocol: 'CHAP', messageAuthenticator: false, random: counter() });
  const chap = one(req.bytes, 3);
  const challenge = one(req.bytes, 60);
  assert.equal(chap.length, 17);
  assert.equal(challenge.length, 16);
  const expected = createHash('md5').update(chap.subarray(0, 1)).update('123456').update(challenge).digest();
  assert.deepEqual(chap.subarray(1), expected);
  assert.equal(attrs(req.bytes).some(([t]) => t === 2), false, 'no User-Password with CHAP');
});

test('MS-CHAPv1 and v2: Microsoft VSAs with the RFC 2433 / RFC 2759 NT response', () => {
  const v1 = encodeAccessRequest({ identifier: 2, secret: SECRET, userName: 'User', password: 'clientPass', protocol: 'MS-CHAPv1', messageAuthenticator: false, random: counter() });
  const vsas = attrs(v1.bytes).filter(([t]) => t === 26).map(([, v]) => v);
  assert.equal(vsas.length, 2);
  for (const v of vsas) assert.equal(v.readUInt32BE(0), 311);
  const challenge = vsas.find((v) => v[4] === 11)!.subarray(6);
  const response = vsas.find((v) => v[4] === 1)!.subarray(6);
  assert.equal(challenge.length, 8);
  assert.equal(response.length, 50);
  assert.equal(response[1], 1, 'Flags: use NT response');
  assert.deepEqual(response.subarray(26), mschapV1NtResponse(challenge, 'clientPass'));

  const v2 = encodeAccessRequest({ identifier: 3, secret: SECRET, userName: 'User', password: 'clientPass', protocol: 'MS-CHAPv2', messageAuthenticator: false, random: counter() });
  const v2vsas = attrs(v2.bytes).filter(([t]) => t === 26).map(([, v]) => v);
  const authChallenge = v2vsas.find((v) => v[4] === 11)!.subarray(6);
  const r2 = v2vsas.find((v) => v[4] === 25)!.subarray(6);
  assert.equal(authChallenge.length, 16);
  assert.equal(r2.length, 50);
  assert.deepEqual(r2.subarray(26), mschapV2NtResponse(authChallenge, r2.subarray(2, 18), 'User', 'clientPass'));
  assert.deepEqual(r2.subarray(18, 26), Buffer.alloc(8), 'reserved bytes zero');
});

test('lengths the package would mangle are refused up front', () => {
  const base = { identifier: 1, secret: SECRET, userName: 'u', protocol: 'PAP' as const, messageAuthenticator: true };
  assert.throws(() => encodeAccessRequest({ ...base, password: '' }), (e: unknown) => isCodedError(e, 'RADIUS_PASSWORD_LENGTH'));
  assert.throws(() => encodeAccessRequest({ ...base, password: 'x'.repeat(129) }), (e: unknown) => isCodedError(e, 'RADIUS_PASSWORD_LENGTH'));
  assert.doesNotThrow(() => encodeAccessRequest({ ...base, password: 'x'.repeat(128) }));
  assert.throws(() => encodeAccessRequest({ ...base, password: '1', userName: '' }), (e: unknown) => isCodedError(e, 'RADIUS_ATTRIBUTE_LENGTH'));
  assert.throws(() => encodeAccessRequest({ ...base, password: '1', userName: 'u'.repeat(254) }), (e: unknown) => isCodedError(e, 'RADIUS_ATTRIBUTE_LENGTH'));
});

/** Build a reply by hand (independently of both the package and the codec). */
function reply(req: EncodedRequest, code: number, opts: { secret?: string; ma?: 'first' | 'last' | 'none' | 'bad'; replyMessage?: string; identifier?: number } = {}): Buffer {
  const secret = opts.secret ?? SECRET;
  const parts: Buffer[] = [];
  const ma = opts.ma ?? 'first';
  const maAttr = Buffer.concat([Buffer.from([80, 18]), Buffer.alloc(16)]);
  if (ma === 'first' || ma === 'bad') parts.push(maAttr);
  if (opts.replyMessage) parts.push(Buffer.concat([Buffer.from([18, 2 + Buffer.byteLength(opts.replyMessage)]), Buffer.from(opts.replyMessage)]));
  if (ma === 'last') parts.push(maAttr);
  const body = Buffer.concat(parts);
  const packet = Buffer.concat([Buffer.from([code, opts.identifier ?? req.identifier, 0, 0]), req.authenticator, body]);
  packet.writeUInt16BE(packet.length, 2);
  if (ma !== 'none') {
    const at = packet.indexOf(maAttr, 20) + 2;
    createHmac('md5', secret).update(packet).digest().copy(packet, at);
    if (ma === 'bad') packet[at] = packet[at]! ^ 0x80;
  }
  createHash('md5').update(packet).update(secret).digest().copy(packet, 4);
  return packet;
}

test('replies: authenticator and MA verified wherever MA sits; Reply-Message decoded', () => {
  const req = encodeAccessRequest({ identifier: 9, secret: SECRET, userName: 'u', password: '1', protocol: 'PAP', messageAuthenticator: true });
  for (const ma of ['first', 'last', 'none'] as const) {
    const r = verifyReply(req, reply(req, 3, { ma, replyMessage: 'Wrong code' }), SECRET);
    assert.ok(r.ok, ma);
    assert.equal(r.reply.codeName, 'Access-Reject');
    assert.deepEqual(r.reply.replyMessages, ['Wrong code']);
  }
  const wrong = verifyReply(req, reply(req, 2, { secret: 'another-secret' }), SECRET);
  assert.deepEqual(wrong.ok ? null : wrong.reason, 'bad-response-authenticator');
  const badMa = verifyReply(req, reply(req, 2, { ma: 'bad' }), SECRET);
  assert.deepEqual(badMa.ok ? null : badMa.reason, 'bad-message-authenticator');
  const missing = verifyReply(req, reply(req, 2, { ma: 'none' }), SECRET, { requireMessageAuthenticator: true });
  assert.deepEqual(missing.ok ? null : missing.reason, 'missing-message-authenticator');
  const otherId = verifyReply(req, reply(req, 2, { identifier: 10 }), SECRET);
  assert.deepEqual(otherId.ok ? null : otherId.reason, 'identifier-mismatch');
});

test('malformed replies are problems, never throws', () => {
  const req = encodeAccessRequest({ identifier: 9, secret: SECRET, userName: 'u', password: '1', protocol: 'PAP', messageAuthenticator: false });
  const good = reply(req, 2, { ma: 'none', replyMessage: 'hi' });
  const shortLen = Buffer.from(good);
  shortLen.writeUInt16BE(19, 2);
  const overflow = Buffer.from(good);
  overflow[21] = 200;
  const zeroLen = Buffer.from(good);
  zeroLen[21] = 0;
  for (const [name, bytes] of [['tiny', good.subarray(0, 10)], ['Length<20', shortLen], ['attr overflow', overflow], ['attr len 0', zeroLen]] as const) {
    const r = verifyReply(req, bytes, SECRET);
    assert.equal(r.ok, false, name);
  }
  const statusServer = encodeStatusServer({ identifier: 1, secret: SECRET });
  assert.equal(statusServer.bytes[0], 12);
  assert.equal(statusServer.bytes[20], 80);
});
