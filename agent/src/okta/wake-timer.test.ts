import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock } from '../../../simulators/clock/virtual-clock.ts';
import { WakeTimer } from './wake-timer.ts';

describe('WakeTimer', () => {
  it('wakes once at the earliest moment asked for; a later one does not push it back', async () => {
    const clock = new VirtualClock(0);
    const woke: number[] = [];
    const t = new WakeTimer(clock, () => woke.push(clock.now()));
    t.at(100);
    t.at(300);
    t.at(50);
    await clock.advance(49);
    assert.deepEqual(woke, []);
    await clock.advance(1);
    assert.deepEqual(woke, [50], 'the earliest, once');
    await clock.advance(500);
    assert.deepEqual(woke, [50], 'the later moments were folded into the first: the schedule re-arms when it wakes');
  });

  it('after waking it can be armed again; cancel stops a pending wake-up', async () => {
    const clock = new VirtualClock(0);
    let woke = 0;
    const t = new WakeTimer(clock, () => woke++);
    t.at(10);
    await clock.advance(10);
    t.at(30);
    await clock.advance(20);
    assert.equal(woke, 2);
    t.at(40);
    t.cancel();
    await clock.advance(100);
    assert.equal(woke, 2);
    t.at(clock.now() - 5);
    await clock.advance(0);
    assert.equal(woke, 3, 'a moment already past wakes at once');
  });
});
