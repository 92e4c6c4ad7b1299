import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as realSleep } from 'node:timers/promises';
import { sleep } from '../../agent/src/clock.ts';
import { RealTimeClock } from './real-time-clock.ts';

describe('RealTimeClock', () => {
  it('reads the wall clock plus its offset', () => {
    let wall = 1_000_000;
    const clock = new RealTimeClock({ wallNow: () => wall, offsetMs: -60_000 });
    assert.equal(clock.kind, 'real-time');
    assert.equal(clock.now(), 940_000);
    wall += 5_000;
    assert.equal(clock.now(), 945_000, 'time passes on its own');
  });

  it('defaults to Date.now', () => {
    const clock = new RealTimeClock();
    assert.ok(Math.abs(clock.now() - Date.now()) < 50);
  });

  it('advance moves it ahead of the wall clock and fires what fell due, in due order, each once', async () => {
    const clock = new RealTimeClock();
    const seen: string[] = [];
    clock.setTimeout(() => seen.push('b'), 120_000);
    clock.setTimeout(() => seen.push('a'), 60_000);
    clock.setTimeout(() => seen.push('c'), 600_000);
    assert.equal(clock.pendingTimers, 3);
    const before = clock.now();
    await clock.advance(150_000);
    assert.deepEqual(seen, ['a', 'b']);
    assert.ok(clock.now() - before >= 150_000);
    assert.ok(clock.offsetMs === 150_000);
    assert.equal(clock.pendingTimers, 1);
    await clock.advance(0);
    assert.deepEqual(seen, ['a', 'b'], 'nothing fires twice');
    clock.dispose();
    assert.equal(clock.pendingTimers, 0);
  });

  it('fires timers as real time passes, and not when cleared', async () => {
    const clock = new RealTimeClock();
    const fired: number[] = [];
    const start = clock.now();
    clock.setTimeout(() => fired.push(clock.now() - start), 30);
    const cleared = clock.setTimeout(() => fired.push(-1), 40);
    clock.clearTimeout(cleared);
    await sleep(clock, 60);
    assert.equal(fired.length, 1);
    assert.ok(fired[0]! >= 30, `fired after ${fired[0]} ms, not before its due time`);
    await realSleep(30);
    assert.deepEqual(fired.length, 1, 'the cleared timer never fires');
  });

  it('a timer set by a firing callback within an advance also fires', async () => {
    const clock = new RealTimeClock();
    const seen: string[] = [];
    clock.setTimeout(() => {
      seen.push('first');
      clock.setTimeout(() => seen.push('second'), 1_000);
    }, 1_000);
    await clock.advance(10_000);
    assert.deepEqual(seen, ['first', 'second']);
  });

  it('refuses to go backwards', async () => {
    const clock = new RealTimeClock();
    await assert.rejects(clock.advance(-1), RangeError);
    await clock.advanceTo(clock.now() - 10_000);
    assert.equal(clock.offsetMs, 0);
  });

  it('reports onTick when moved and when a timer fires', async () => {
    const clock = new RealTimeClock();
    const ticks: number[] = [];
    const off = clock.onTick((t) => ticks.push(t));
    await clock.advance(1_000);
    assert.ok(ticks.length >= 1);
    off();
  });
});
