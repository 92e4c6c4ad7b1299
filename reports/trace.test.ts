import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildRequest, buildResponse, exchange } from './testing/radius-fixtures.ts';
import { parseTrace, renderTraceHtml, renderTraceText, serializeTrace } from './trace.ts';

const SECRET = 'trace-secret-xyz';
const PASSCODE = '135799';

test('the text trace names codes and attributes, hides the password and checks Message-Authenticator', () => {
  const text = renderTraceText(exchange(SECRET, PASSCODE), { title: 'Push approved', secretFor: () => SECRET });
  assert.match(text, /127\.0\.0\.2:40000 -> 127\.0\.0\.1:18120 {2}Access-Request id=42 len=63/);
  assert.match(text, /ad-connector sent; agent received/);
  assert.match(text, /User-Name = "alice"/);
  assert.match(text, /User-Password = \(hidden, 16 octets\)/);
  assert.match(text, /Message-Authenticator = present, valid/);
  assert.match(text, /Access-Accept id=42 len=47/);
  assert.match(text, /Reply-Message = "Welcome"/);
  assert.doesNotMatch(text, /INVALID/);
  assert.equal(text.includes(PASSCODE), false);
  assert.equal(text.includes(SECRET), false);
});

test('without a secret Message-Authenticator is shown as present; with a wrong one as INVALID', () => {
  const events = exchange(SECRET, PASSCODE);
  assert.match(renderTraceText(events), /Message-Authenticator = present\n/);
  const wrong = renderTraceText(events, { secretFor: () => 'another-secret' });
  assert.match(wrong, /Message-Authenticator = present, INVALID/);
  assert.match(wrong, /Response Authenticator INVALID/);
});

test('drops, malformed datagrams and a Message-Authenticator that is not first are called out', () => {
  const request = buildRequest({ identifier: 7, secret: SECRET, userName: 'bob', messageAuthenticator: false, extra: [{ type: 80, value: Buffer.alloc(16) }] });
  const reply = buildResponse({ code: 3, request, secret: SECRET, messageAuthenticator: false });
  const a = { address: '127.0.0.1', port: 1812 };
  const c = { address: '127.0.0.9', port: 5555 };
  const text = renderTraceText([
    { direction: 'dropped', observer: 'agent', at: 10, local: a, remote: c, bytes: request, reason: 'unknown-client' },
    { direction: 'dropped', observer: 'agent', at: 11, local: a, remote: c, bytes: Uint8Array.from([1, 2, 3]), reason: 'malformed' },
    { direction: 'sent', observer: 'agent', at: 12, local: a, remote: c, bytes: reply },
  ]);
  assert.match(text, /agent dropped \(unknown-client\)/);
  assert.match(text, /Message-Authenticator is attribute #2, not first/);
  assert.match(text, /only 3 octets; a RADIUS header needs 20/);
  assert.match(text, /Access-Reject id=7/);
});

test('the JSON attachment round-trips and the HTML trace escapes and links the pcap', () => {
  const events = exchange(SECRET, PASSCODE);
  const back = parseTrace(serializeTrace(events));
  assert.deepEqual(
    back.map((e) => Buffer.from(e.bytes).toString('hex')),
    events.map((e) => Buffer.from(e.bytes).toString('hex')),
  );
  assert.deepEqual(parseTrace(JSON.stringify({ events: JSON.parse(serializeTrace(events)) })).length, 4);
  assert.throws(() => parseTrace('{"x":1}'), /neither an array/);
  const html = renderTraceHtml(events, { title: '<alice & bob>', pcapFile: 'x.pcap', tsharkCommand: 'tshark -r x.pcap' });
  assert.match(html, /&lt;alice &amp; bob&gt;/);
  assert.match(html, /<a href="x\.pcap">/);
  assert.equal(html.includes(PASSCODE), false);
});
