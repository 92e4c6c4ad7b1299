import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sleep } from '../../agent/src/clock.ts';
import { VirtualClock } from './virtual-clock.ts';

describe('VirtualClock', () => {
  it('stands still until advanced', () => {
    const clock = new VirtualClock(1_000);
    assert.equal(clock.now(), 1_000);
    assert.equal(clock.now(), 1_000);
  });

  it('fires timers in due order, each at its own instant', async () => {
    const clock = new VirtualClock(0);
    const seen: Array<[string, number]> = [];
    clock.setTimeout(() => seen.push(['b', clock.now()]), 200);
    clock.setTimeout(() => seen.push(['a', clock.now()]), 100);
    clock.setTimeout(() => seen.push(['c', clock.now()]), 300);
    await clock.advance(250);
    assert.deepEqual(seen, [
      ['a', 100],
      ['b', 200],
    ]);
    assert.equal(clock.now(), 250);
    await clock.advance(50);
    assert.deepEqual(seen.at(-1), ['c', 300]);
  });

  it('fires a timer set by a callback within the same advance', async () => {
    const clock = new VirtualClock(0);
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.now());
      clock.setTimeout(() => fired.push(clock.now()), 10);
    }, 10);
    await clock.advance(30);
    assert.deepEqual(fired, [10, 20]);
  });

  it('runs async continuations between timers (sleep chains)', async () => {
    const clock = new VirtualClock(0);
    const order: number[] = [];
    const chain = (async () => {
      await sleep(clock, 5);
      order.push(clock.now());
      await sleep(clock, 5);
      order.push(clock.now());
    })();
    await clock.advance(10);
    await chain;
    assert.deepEqual(order, [5, 10]);
  });

  it('cleared timers never fire; sleep honours abort', async () => {
    const clock = new VirtualClock(0);
    let fired = false;
    const h = clock.setTimeout(() => {
      fired = true;
    }, 5);
    clock.clearTimeout(h);
    const ac = new AbortController();
    const p = sleep(clock, 100, ac.signal);
    ac.abort(new Error('stop'));
    await assert.rejects(p, /stop/);
    await clock.advance(200);
    assert.equal(fired, false);
    assert.equal(clock.pendingTimers, 0);
  });

  it('tells when the next timer falls due', async () => {
    const clock = new VirtualClock(0);
    assert.equal(clock.nextDue(), undefined);
    clock.setTimeout(() => {}, 300);
    const h = clock.setTimeout(() => {}, 100);
    assert.equal(clock.nextDue(), 100);
    clock.clearTimeout(h);
    assert.equal(clock.nextDue(), 300);
    await clock.advance(300);
    assert.equal(clock.nextDue(), undefined);
  });

  it('refuses to go backwards', async () => {
    const clock = new VirtualClock(0);
    await assert.rejects(clock.advance(-1), RangeError);
  });
});
