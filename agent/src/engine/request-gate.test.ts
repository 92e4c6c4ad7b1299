import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RequestGate } from './request-gate.ts';

describe('RequestGate (ragent.num_request_threads)', () => {
  it('lets `limit` requests in, refuses the next, and frees a thread on release (once)', () => {
    const gate = new RequestGate(2);
    const a = gate.tryEnter();
    const b = gate.tryEnter();
    assert.ok(a && b);
    assert.equal(gate.tryEnter(), undefined);
    assert.equal(gate.refused, 1);
    a();
    a(); // a second release of the same thread changes nothing
    assert.equal(gate.busy, 1);
    const c = gate.tryEnter();
    assert.ok(c);
    assert.equal(gate.tryEnter(), undefined);
    assert.equal(gate.refused, 2);
  });

  it('refuses a limit that is not a positive integer', () => {
    assert.throws(() => new RequestGate(0), RangeError);
    assert.throws(() => new RequestGate(1.5), RangeError);
  });
});
