import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CallSlots } from './call-slots.ts';

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
});
