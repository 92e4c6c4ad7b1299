import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { datagrams, internetChecksum, ipUdpDatagram, LINKTYPE_RAW, pcapFromEvents, tsharkCommand } from './pcap.ts';
import { buildRequest, exchange } from './testing/radius-fixtures.ts';

const SECRET = 'testing123-shared';
const PASSCODE = '246810';

function tsharkAvailable(): boolean {
  return spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;
}

test('each datagram appears once although both ends observed it', () => {
  const events = exchange(SECRET, PASSCODE);
  const grams = datagrams(events);
  assert.equal(grams.length, 2);
  assert.deepEqual(
    grams.map((g) => g.events.map((e) => `${e.observer} ${e.direction}`)),
    [
      ['ad-connector sent', 'agent received'],
      ['agent sent', 'ad-connector received'],
    ],
  );
});

test('a retransmission is a second datagram; an agent-only trace still shows every datagram', () => {
  const [sent, received, reply] = exchange(SECRET, PASSCODE);
  const again = { ...sent!, at: sent!.at + 3000 };
  const againReceived = { ...received!, at: received!.at + 3000 };
  assert.equal(datagrams([sent!, received!, again, againReceived]).length, 2);
  assert.equal(datagrams([received!, reply!]).length, 2);
});

test('datagrams at the same clock reading keep the order they were observed in', () => {
  const [sent, , , replyReceived] = exchange(SECRET, PASSCODE);
  const [sent2, , , replyReceived2] = exchange(SECRET, '999999');
  const at = sent!.at;
  const other = { address: '127.0.0.2', port: 40001 };
  // Only the connector's view, on a coarse clock: two exchanges at one clock reading.
  const grams = datagrams([
    { ...sent!, at },
    { ...replyReceived!, at },
    { ...sent2!, at, local: other },
    { ...replyReceived2!, at, local: other },
  ]);
  assert.deepEqual(
    grams.map((g) => `${g.bytes[0]}:${g.src.port}`),
    ['1:40000', '2:18120', '1:40001', '2:18120'],
  );
});

test('the pcap has a classic header, record lengths and valid IPv4/UDP checksums', () => {
  const events = exchange(SECRET, PASSCODE);
  const pcap = Buffer.from(pcapFromEvents(events));
  assert.equal(pcap.readUInt32LE(0), 0xa1b2c3d4);
  assert.equal(pcap.readUInt16LE(4), 2);
  assert.equal(pcap.readUInt16LE(6), 4);
  assert.equal(pcap.readUInt32LE(20), LINKTYPE_RAW);
  let offset = 24;
  const records: Buffer[] = [];
  while (offset < pcap.length) {
    const incl = pcap.readUInt32LE(offset + 8);
    assert.equal(pcap.readUInt32LE(offset + 12), incl);
    records.push(pcap.subarray(offset + 16, offset + 16 + incl));
    offset += 16 + incl;
  }
  assert.equal(offset, pcap.length);
  assert.equal(records.length, 2);
  const first = records[0]!;
  const radius = events[0]!.bytes;
  assert.equal(first[0], 0x45);
  assert.equal(first.readUInt16BE(2), 20 + 8 + radius.length);
  assert.equal(first[9], 17);
  assert.deepEqual([...first.subarray(12, 16)], [127, 0, 0, 2]);
  assert.equal(internetChecksum([first.subarray(0, 20)]), 0, 'IPv4 header checksum verifies');
  assert.equal(first.readUInt16BE(20), 40000);
  assert.equal(first.readUInt16BE(22), 18120);
  assert.equal(first.readUInt16BE(24), 8 + radius.length);
  const pseudo = Buffer.concat([first.subarray(12, 20), Buffer.from([0, 17]), first.subarray(24, 26)]);
  assert.equal(internetChecksum([pseudo, first.subarray(20)]), 0, 'UDP checksum verifies');
  assert.deepEqual(first.subarray(28), Buffer.from(radius));
  // Timestamps come from the observers' clock.
  assert.equal(pcap.readUInt32LE(24), 1_700_000_000);
});

test('IPv6 endpoints give an IPv6 datagram with a verifying UDP checksum', () => {
  const payload = buildRequest({ identifier: 1, secret: SECRET, userName: 'bob' });
  const d = Buffer.from(ipUdpDatagram({ address: '::1', port: 5000 }, { address: '::1', port: 1812 }, payload));
  assert.equal(d[0]! >> 4, 6);
  assert.equal(d.readUInt16BE(4), 8 + payload.length);
  const pseudo = Buffer.concat([d.subarray(8, 40), Buffer.from([0, 0]), d.subarray(44, 46), Buffer.from([0, 0, 0, 17])]);
  assert.equal(internetChecksum([pseudo, d.subarray(40)]), 0);
});

test('the pcap holds neither the secret nor the clear passcode', () => {
  const pcap = Buffer.from(pcapFromEvents(exchange(SECRET, PASSCODE)));
  assert.equal(pcap.includes(Buffer.from(SECRET)), false);
  assert.equal(pcap.includes(Buffer.from(PASSCODE)), false);
});

test('tshark decodes the RADIUS packets with the shared secret', (t) => {
  if (!tsharkAvailable()) {
    if (process.env.CI === 'true') assert.fail('tshark is not installed but CI=true: install the Debian package tshark');
    t.skip('tshark not installed (apt-get install tshark); CI installs it and runs this check');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'rmh-pcap-'));
  try {
    const events = exchange(SECRET, PASSCODE);
    const file = join(dir, 'x.pcap');
    writeFileSync(file, pcapFromEvents(events));
    assert.match(tsharkCommand(file, events), /-d udp\.port==18120,radius/);
    const args = ['-r', file, '-o', `radius.shared_secret:${SECRET}`, '-d', 'udp.port==18120,radius'];
    const fields = spawnSync('tshark', [...args, '-T', 'fields', '-E', 'separator=|', '-e', 'radius.code', '-e', 'radius.id', '-e', 'radius.User_Name', '-e', 'udp.checksum.status', '-o', 'udp.check_checksum:TRUE'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(fields.status, 0, fields.stderr);
    assert.deepEqual(fields.stdout.trim().split('\n'), ['1|42|alice|1', '2|42||1']);
    // With the secret, tshark un-hides the password and checks the authenticators:
    // proof the capture is byte-exact.
    const verbose = spawnSync('tshark', [...args, '-o', 'radius.validate_authenticator:TRUE', '-V'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(verbose.status, 0, verbose.stderr);
    assert.match(verbose.stdout, new RegExp(`User-Password: ${PASSCODE}`));
    assert.match(verbose.stdout, /Message-Authenticator: [0-9a-f]{32}/);
    assert.match(verbose.stdout, /\n {4}Authenticator: [0-9a-f]{32} \[correct\]/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
