/**
 * The transport against a real, independent peer: FreeRADIUS's radclient
 * (Debian package freeradius-utils). radclient verifies our Response
 * Authenticator and Message-Authenticator itself, so "Received Access-Accept"
 * means the reply was accepted by a production implementation.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { VirtualClock } from '../../../simulators/clock/virtual-clock.ts';
import { type PacketEvent, PacketEvents } from '../packet-events.ts';
import { RadiusCode } from '../radius/codes.ts';
import { decodePacket } from '../radius/codec.ts';
import { attr } from '../radius/packet.ts';
import { RadiusServer } from './radius-server.ts';
import { nextPacketEvent, UdpTestClient } from './udp-test-client.ts';

const SECRET = 'radclient-secret-1';
const available = spawnSync('sh', ['-c', 'command -v radclient'], { encoding: 'utf8' }).status === 0;
const skip = available
  ? false
  : 'radclient not installed (apt-get install freeradius-utils); .ci/run installs it';

if (!available && process.env.CI === 'true') {
  describe('radclient interop', () => {
    it('needs radclient in CI', () => {
      assert.fail('radclient is missing in CI: .ci/run must install freeradius-utils');
    });
  });
}

interface RadclientResult {
  exitCode: number | null;
  output: string;
}

/** Runs one radclient exchange; -r 1 -t 1 bounds it to about a second when nothing answers. */
function radclient(port: number, secret: string, attributes: string): Promise<RadclientResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('radclient', ['-x', '-r', '1', '-t', '1', `127.0.0.1:${port}`, 'auth', secret]);
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    // Safety bound only: radclient gives up on its own well before this.
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, output });
    });
    child.stdin.end(attributes);
  });
}

describe('radclient against the transport', { skip }, () => {
  const events = new PacketEvents();
  const log: PacketEvent[] = [];
  events.on('packet', (e) => log.push(e));
  let calls = 0;
  const server = new RadiusServer({
    clock: new VirtualClock(),
    events,
    port: 0,
    clients: [{ name: 'radclient', address: '127.0.0.1', secret: SECRET }],
    handler: async (req) => {
      calls++;
      return req.userPassword()?.toString() === 'ok'
        ? { code: RadiusCode.AccessAccept, attributes: [attr.text('Reply-Message', 'hello')] }
        : { code: RadiusCode.AccessReject };
    },
  });
  let port = 0;
  before(async () => {
    port = (await server.listen()).port;
  });
  after(() => server.close());

  // "Message-Authenticator = 0x00" makes radclient add (and compute) one; our server requires it.
  const request = (password: string) => `User-Name = "alice"\nUser-Password = "${password}"\nMessage-Authenticator = 0x00\n`;

  it('gets Access-Accept for the right password', async () => {
    const r = await radclient(port, SECRET, request('ok'));
    assert.match(r.output, /Received Access-Accept/);
    assert.match(r.output, /Reply-Message = "hello"/);
    assert.equal(r.exitCode, 0);
  });

  it('gets Access-Reject for a wrong password', async () => {
    const r = await radclient(port, SECRET, request('wrong'));
    assert.match(r.output, /Received Access-Reject/);
  });

  it('gets no answer with a wrong secret (dropped as a bad Message-Authenticator)', async () => {
    const before = events.dropped('bad-message-authenticator');
    const r = await radclient(port, 'not-the-secret', request('ok'));
    assert.match(r.output, /No reply from server/);
    assert.notEqual(r.exitCode, 0);
    assert.ok(events.dropped('bad-message-authenticator') > before);
  });

  it("answers a retransmission of radclient's exact bytes with the same bytes, processing it once", async () => {
    // Capture a request exactly as radclient encoded it…
    const seen = nextPacketEvent(events, (e) => e.direction === 'received');
    await radclient(port, SECRET, request('ok'));
    const radclientBytes = (await seen).bytes;
    // …and retransmit it twice from one socket (a new source port, so a new cache key).
    const client = await UdpTestClient.open();
    try {
      const before = calls;
      const first = await client.exchange(radclientBytes, { address: '127.0.0.1', port });
      const second = await client.exchange(radclientBytes, { address: '127.0.0.1', port });
      assert.deepEqual(second, first);
      assert.equal(calls - before, 1);
      const decoded = decodePacket(first);
      assert.ok(decoded.ok && decoded.packet.code === RadiusCode.AccessAccept);
    } finally {
      await client.close();
    }
  });
});
