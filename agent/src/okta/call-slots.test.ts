import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock } from '../../../simulators/clock/virtual-clock.ts';
import { CallSlots } from './call-slots.ts';
import { registerRequestDeadline } from './deadlines.ts';
import { RateWindow } from './rate-window.ts';

/** Starts of calls by time, to check "at most N in any one-second window". */
function maxInAnySecond(starts: number[]): number {
  const sorted = [...starts].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe('CallSlots', () => {
  it('admits up to capacity; then sign-in calls before polls, each in order', async () => {
    const slots = new CallSlots(2);
    const a = await slots.acquire('call');
    const b = await slots.acquire('poll');
    const order: string[] = [];
    const p1 = slots.acquire('poll').then((r) => {
      order.push('poll1');
      return r;
    });
    const c1 = slots.acquire('call').then((r) => {
      order.push('call1');
      return r;
    });
    const c2 = slots.acquire('call').then((r) => {
      order.push('call2');
      return r;
    });
    assert.equal(slots.waiting, 3);
    a();
    a(); // twice is once
    (await c1)();
    (await c2)();
    b();
    (await p1)();
    assert.deepEqual(order, ['call1', 'call2', 'poll1']);
    assert.equal(slots.inUse, 0);
  });

  it("among sign-in calls, the oldest request's first: a request's later calls keep its place", async () => {
    const slots = new CallSlots(1);
    const first = new AbortController().signal;
    const second = new AbortController().signal;
    const held = await slots.acquire('call', first); // request 1's first call
    const order: string[] = [];
    const r2 = slots.acquire('call', second).then((r) => {
      order.push('request 2, call 1');
      return r;
    });
    const r1 = slots.acquire('call', first).then((r) => {
      order.push('request 1, call 2');
      return r;
    });
    held();
    (await r1)();
    (await r2)();
    assert.deepEqual(order, ['request 1, call 2', 'request 2, call 1']);
  });

  it('a wait ends with the caller signal and never takes a slot', async () => {
    const slots = new CallSlots(1);
    const held = await slots.acquire('call');
    const ac = new AbortController();
    const w = slots.acquire('call', ac.signal);
    ac.abort(new Error('deadline'));
    await assert.rejects(w, /deadline/);
    held();
    assert.equal(slots.inUse, 0);
    const again = await slots.acquire('call');
    assert.equal(slots.inUse, 1);
    again();
  });

  it('a budget holds ALL calls together to callsPerSecond in any one second, sign-in calls and polls alike', async () => {
    const clock = new VirtualClock();
    const slots = new CallSlots({ capacity: 100, callsPerSecond: 10, clock });
    const starts: Array<{ at: number; cls: string }> = [];
    const all: Array<Promise<void>> = [];
    for (let i = 0; i < 30; i++) {
      for (const cls of ['call', 'poll'] as const) {
        all.push(
          slots.acquire(cls).then((release) => {
            starts.push({ at: clock.now(), cls });
            release();
          }),
        );
      }
    }
    for (let t = 0; t < 8_000; t += 100) await clock.advance(100);
    await Promise.all(all);
    assert.equal(starts.length, 60);
    assert.equal(maxInAnySecond(starts.map((s) => s.at)), 10, 'never more than 10 in a second, polls counted with sign-in calls');
    // The first second's 10 went in arrival order (nothing was waiting); from then on every
    // waiting sign-in call before any poll: polls had what was left.
    assert.deepEqual(
      starts.slice(0, 10).map((s) => s.cls),
      ['call', 'poll', 'call', 'poll', 'call', 'poll', 'call', 'poll', 'call', 'poll'],
    );
    assert.equal(starts.slice(10).findIndex((s) => s.cls === 'poll'), 25, 'the 25 waiting sign-in calls before any waiting poll');
    assert.deepEqual(slots.stats.started, { call: 30, poll: 30 });
  });

  it('under the budget a sign-in call that arrives after waiting polls still starts first', async () => {
    const clock = new VirtualClock();
    const slots = new CallSlots({ capacity: 100, callsPerSecond: 2, clock });
    const order: string[] = [];
    const take = (cls: 'call' | 'poll', name: string): Promise<void> =>
      slots.acquire(cls).then((release) => {
        order.push(name);
        release();
      });
    const ps = [take('poll', 'p1'), take('poll', 'p2'), take('poll', 'p3'), take('poll', 'p4')];
    await clock.advance(0);
    assert.deepEqual(order, ['p1', 'p2'], 'the second’s budget spent');
    const c = take('call', 'lookup');
    await clock.advance(1_000);
    await c;
    assert.deepEqual(order.slice(0, 3), ['p1', 'p2', 'lookup'], 'the lookup jumps the waiting polls');
    await clock.advance(1_000);
    await Promise.all(ps);
  });

  it("a request's first call that cannot start before its deadline ends the request at once (as its time-out); one that can, waits", async () => {
    const clock = new VirtualClock();
    const slots = new CallSlots({ capacity: 100, callsPerSecond: 10, clock });
    // 50 sign-in calls ahead: 5 s of budget.
    const ahead = Array.from({ length: 50 }, () => slots.acquire('call').then((r) => r()));
    const late = new AbortController();
    let expired = 0;
    registerRequestDeadline(late.signal, clock.now() + 3_000, () => {
      expired++;
      late.abort(new Error('request timed out'));
    });
    await assert.rejects(slots.acquire('call', late.signal), /request timed out/);
    assert.equal(expired, 1);
    assert.equal(slots.stats.shed, 1);
    const inTime = new AbortController();
    registerRequestDeadline(inTime.signal, clock.now() + 8_000, () => {
      expired++;
      inTime.abort(new Error('request timed out'));
    });
    let started = false;
    const p = slots.acquire('call', inTime.signal).then((r) => {
      started = true;
      r();
    });
    for (let t = 0; t < 6_000; t += 500) await clock.advance(500);
    await p;
    await Promise.all(ahead);
    assert.ok(started);
    assert.equal(expired, 1, 'the request that could make it was left alone');
    assert.equal(slots.waiting, 0);
  });

  it('RateWindow: n starts per window, exactly; fractions of one per second space starts out', () => {
    const w = new RateWindow(3);
    for (const t of [0, 10, 20]) {
      assert.equal(w.nextAt(t), t);
      w.take(t);
    }
    assert.equal(w.nextAt(30), 1_000);
    w.take(1_000);
    assert.equal(w.nextAt(1_000), 1_010);
    const slow = new RateWindow(0.5);
    slow.take(0);
    assert.equal(slow.nextAt(1), 2_000);
    assert.throws(() => new RateWindow(0), RangeError);
  });
});
