import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock } from '../../../simulators/clock/virtual-clock.ts';
import { CallSlots } from './call-slots.ts';
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
        done!();
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
    for (let i = 0; i < 5; i++) void s.wait(clock.now()).then((d) => dones.push(d!));
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
    first!();
    await clock.advance(1_000);
    assert.equal(third, true, 'the aborted one did not hold the turn');
    assert.equal(s.started, 2);
  });

  it('a wait with no turn before lastAt ends then with undefined (the push makes its last poll); a turn in time gives done', async () => {
    const clock = new VirtualClock();
    const s = new PollScheduler({ clock, pollsPerSecond: 1, maxInFlight: 10 });
    const t0 = clock.now();
    const results: Array<{ i: number; at: number; turn: boolean }> = [];
    for (let i = 0; i < 5; i++) {
      void s.wait(t0, undefined, t0 + 2_500).then((done) => {
        results.push({ i, at: clock.now() - t0, turn: done !== undefined });
        done?.();
      });
    }
    for (let t = 0; t < 3_000; t += 250) await clock.advance(250);
    assert.deepEqual(
      results.map((r) => [r.i, r.turn]),
      [
        [0, true],
        [1, true],
        [2, true],
        [3, false],
        [4, false],
      ],
    );
    assert.deepEqual(
      results.filter((r) => !r.turn).map((r) => r.at),
      [2_500, 2_500],
      'ended at lastAt, not later',
    );
    assert.equal(s.waiting, 0);
  });

  it("with the agent's admission: polls start only when no sign-in call waits and the budget has room, taking a slot until done", async () => {
    const clock = new VirtualClock();
    const slots = new CallSlots({ capacity: 10, callsPerSecond: 4, clock });
    const s = new PollScheduler({ clock, pollsPerSecond: 1_000, maxInFlight: 10, slots });
    const order: string[] = [];
    const held: number[] = [];
    // Six sign-in calls: four now (the budget), two waiting for the next second.
    const calls = Array.from({ length: 6 }, (_, i) =>
      slots.acquire('call').then((release) => {
        order.push(`call${i}`);
        release();
      }),
    );
    const polls = Array.from({ length: 3 }, (_, i) =>
      s.wait(clock.now()).then((done) => {
        order.push(`poll${i}`);
        held.push(slots.inUse);
        done!();
      }),
    );
    await clock.advance(0);
    assert.deepEqual(order, ['call0', 'call1', 'call2', 'call3'], 'no poll while sign-in calls wait or the budget is spent');
    for (let t = 0; t < 2_000; t += 100) await clock.advance(100);
    await Promise.all([...calls, ...polls]);
    assert.deepEqual(order, ['call0', 'call1', 'call2', 'call3', 'call4', 'call5', 'poll0', 'poll1', 'poll2']);
    assert.deepEqual(slots.stats.started, { call: 6, poll: 3 });
    assert.ok(held.every((n) => n >= 1), 'each poll held a slot while it ran');
    assert.equal(slots.inUse, 0, 'and gave it back');
  });

  it('nextPollAt: the interval, but the last poll comes finalLead before the deadline; none after', () => {
    assert.equal(nextPollAt(0, 30_000, 1_000, 250), 1_000);
    assert.equal(nextPollAt(29_000, 30_000, 2_000, 250), 29_750);
    assert.equal(nextPollAt(29_750, 30_000, 2_000, 250), undefined);
  });
});
