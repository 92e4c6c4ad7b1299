import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PacketEvent } from '../../agent/src/packet-events.ts';
import { RealTimeClock } from '../clock/real-time-clock.ts';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { DatagramLedger, drive, driveBounds } from './driver.ts';

const lab = (ms: number, clock: VirtualClock): Promise<number> =>
  new Promise((resolve) => {
    clock.setTimeout(() => resolve(clock.now()), ms);
  });

describe('drive', () => {
  test('with a real-time lab clock and an agent on real time: waits, never advances the clock itself', async () => {
    const clock = new RealTimeClock();
    const fired = new Promise<number>((resolve) => {
      clock.setTimeout(() => resolve(clock.now()), 60);
    });
    const started = Date.now();
    await drive(fired, { clock, agentOnVirtualClock: () => false });
    assert.ok(Date.now() - started >= 55, 'it took the real 60 ms');
    assert.equal(clock.offsetMs, 0, 'no real time counted twice');
  });

  test('moves the lab clock to each due timer, not further', async () => {
    const clock = new VirtualClock();
    const start = clock.now();
    const chain = (async () => {
      await lab(5_000, clock);
      return lab(30_000, clock);
    })();
    assert.equal(await drive(chain, { clock }), start + 35_000);
    assert.equal(clock.now(), start + 35_000);
  });

  test('waits for real I/O before moving time', async () => {
    const clock = new VirtualClock();
    let io = 1;
    setTimeout(() => {
      io = 0;
    }, 20);
    const seen: number[] = [];
    const p = lab(1_000, clock).then(() => seen.push(io));
    await drive(p, { clock, realIoInFlight: () => io });
    assert.deepEqual(seen, [0], 'the timer fired only after the I/O ended');
  });

  test('time stands still while the test holds something', async () => {
    const clock = new VirtualClock();
    let held = 1;
    const start = clock.now();
    clock.setTimeout(() => {}, 1_000);
    const answered = new Promise<number>((resolve) => {
      setTimeout(() => {
        held = 0;
        resolve(clock.now());
      }, 30);
    });
    assert.equal(await drive(answered, { clock, held: () => held }), start, 'no lab time passed while held');
  });

  test('a rejected promise rejects', async () => {
    const clock = new VirtualClock();
    const p = lab(10, clock).then(() => {
      throw new Error('boom');
    });
    await assert.rejects(drive(p, { clock }), /boom/);
  });

  test('names the bound it crossed and what was pending', async () => {
    const clock = new VirtualClock();
    const forever = (): void => {
      clock.setTimeout(forever, 60_000);
    };
    forever();
    await assert.rejects(
      drive(new Promise(() => {}), { clock }, { maxVirtualMs: 120_000, what: 'the sign-in' }),
      /drive: the sign-in did not finish within 120 s of lab time \(1 timer\(s\) pending, next due in \d+ ms, 0 datagram\(s\) in flight/,
    );
    await assert.rejects(drive(new Promise(() => {}), { clock }, { maxSteps: 3 }), /did not finish within 3 driver steps/);
    const idle = new VirtualClock();
    await assert.rejects(drive(new Promise(() => {}), { clock: idle }, { what: 'nothing' }), /drive: nothing is stuck: no timer is pending/);
  });

  test('an agent on real time: the step bound never ends a drive before its real-time bound', () => {
    // Each real-time step sleeps at most 25 ms and at least 1 ms: 2,000 steps used to end a
    // 10-minute real-time drive after ~50 s, blaming "driver steps" for a silent agent.
    const real = driveBounds(false);
    assert.equal(real.maxRealMs, 10 * 60_000 + 5_000);
    assert.ok(real.maxSteps * 25 >= real.maxRealMs, 'steps at the longest slice outlast the real-time bound');
    assert.ok(real.maxSteps <= real.maxRealMs, 'still bounded: at most one step per real millisecond');
    assert.equal(driveBounds(false, { maxRealMs: 90_000 }).maxSteps, 90_000);
    assert.equal(driveBounds(false, { maxSteps: 7 }).maxSteps, 7, 'an explicit bound is kept');
    assert.deepEqual(driveBounds(true), { maxSteps: 2_000, maxVirtualMs: 600_000, maxRealMs: 20_000, what: 'the promise' });
  });

  test('an agent on real time: the lab clock follows the wall clock', async () => {
    const clock = new VirtualClock();
    const start = clock.now();
    const p = lab(60, clock);
    const realStart = performance.now();
    await drive(p, { clock, agentOnVirtualClock: () => false });
    assert.ok(performance.now() - realStart >= 50, 'took real time');
    assert.ok(clock.now() - start >= 60);
  });
});

describe('DatagramLedger', () => {
  const server = { address: '127.0.0.1', port: 1812 };
  const client = { address: '127.0.0.2', port: 40000 };
  const ev = (observer: string, direction: PacketEvent['direction'], code: number, extra: Partial<PacketEvent> = {}): PacketEvent => ({
    observer,
    direction,
    code,
    at: 0,
    local: observer === 'agent' ? server : client,
    remote: observer === 'agent' ? client : server,
    bytes: new Uint8Array(),
    ...extra,
  });

  test('a request is in flight until the server sees it; a reply until the client does', () => {
    const ledger = new DatagramLedger();
    const atServer = ledger.server(server);
    ledger.client(ev('ad-connector', 'sent', 1));
    assert.equal(ledger.inFlight, 1);
    atServer(ev('agent', 'received', 1));
    assert.equal(ledger.inFlight, 0);
    atServer(ev('agent', 'sent', 2));
    assert.equal(ledger.inFlight, 1);
    ledger.client(ev('ad-connector', 'received', 2));
    assert.equal(ledger.inFlight, 0);
  });

  test('a fault drop never left; a dead address is not counted; duplicates hide nothing', () => {
    const ledger = new DatagramLedger();
    const atServer = ledger.server(server);
    ledger.client(ev('ad-connector', 'sent', 1));
    ledger.client(ev('ad-connector', 'dropped', 1, { reason: 'fault-drop' }));
    assert.equal(ledger.inFlight, 0);
    ledger.client(ev('ad-connector', 'sent', 1, { remote: { address: '127.0.0.99', port: 1812 } }));
    assert.equal(ledger.inFlight, 0);
    atServer(ev('agent', 'received', 1)); // a duplicate delivery
    ledger.client(ev('ad-connector', 'sent', 1));
    assert.equal(ledger.inFlight, 1, 'the extra arrival did not cancel the next request');
    atServer(ev('agent', 'dropped', 1, { reason: 'duplicate-in-progress' }));
    atServer(ev('agent', 'dropped', 1, { reason: 'handler-no-reply' }));
    assert.equal(ledger.inFlight, 0);
  });
});
