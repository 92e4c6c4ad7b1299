import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock } from '../../../simulators/clock/virtual-clock.ts';
import { nextPollAt, PollScheduler } from './poll-scheduler.ts';

describe('PollScheduler', () => {
  it('lets at most pollsPerSecond polls start per second, earliest due first', async () => {
    const clock = new VirtualClock();
    const s = new PollScheduler({ clock, pollsPerSecond: 10, maxInFlight: 1_000 });
    const started: number[] = [];
    const t0 = clock.now();
    for (let i = 0; i < 100; i++) {
      void s.wait(t0 + (i % 2 === 0 ? 0 : 1), undefined).then((done) => {
        started.push(i);
        done();
      });
    }
    await clock.advance(0);
    assert.equal(started.length, 10, 'a one-second bucket to start with');
    await clock.advance(1_000);
    assert.ok(started.length <= 21 && started.length >= 19, `${started.length} after 1 s`);
    await clock.advance(9_000);
    assert.equal(started.length, 100);
    assert.deepEqual(started.slice(0, 10), [0, 2, 4, 6, 8, 10, 12, 14, 16, 18], 'due at t0 before due at t0 + 1');
  });

  it('keeps at most maxInFlight polls running; done() lets the next through', async () => {
    const clock = new VirtualClock();
    const s = new PollScheduler({ clock, pollsPerSecond: 1_000, maxInFlight: 2 });
    const dones: Array<() => void> = [];
    for (let i = 0; i < 5; i++) void s.wait(clock.now()).then((d) => dones.push(d));
    await clock.advance(0);
    assert.equal(dones.length, 2);
    assert.equal(s.inFlight, 2);
    dones[0]!();
    dones[0]!(); // twice is once
    await clock.advance(0);
    assert.equal(dones.length, 3);
    assert.equal(s.inFlight, 2);
    assert.equal(s.waiting, 2);
  });

  it('an aborted wait rejects with the reason and never takes a turn', async () => {
    const clock = new VirtualClock();
    const s = new PollScheduler({ clock, pollsPerSecond: 1, maxInFlight: 1 });
    const first = await s.wait(clock.now());
    const ac = new AbortController();
    const p = s.wait(clock.now(), ac.signal);
    ac.abort(new Error('request over'));
    await assert.rejects(p, /request over/);
    let third = false;
    void s.wait(clock.now()).then(() => {
      third = true;
    });
    first();
    await clock.advance(1_000);
    assert.equal(third, true, 'the aborted one did not hold the turn');
    assert.equal(s.started, 2);
  });

  it('nextPollAt: the interval, but the last poll comes finalLead before the deadline; none after', () => {
    assert.equal(nextPollAt(0, 30_000, 1_000, 250), 1_000);
    assert.equal(nextPollAt(29_000, 30_000, 2_000, 250), 29_750);
    assert.equal(nextPollAt(29_750, 30_000, 2_000, 250), undefined);
  });
});
