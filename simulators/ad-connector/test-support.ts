/** Helpers shared by this folder's tests: drive a virtual clock while real loopback I/O happens. */
import { setTimeout as realDelay } from 'node:timers/promises';
import type { VirtualClock } from '../clock/virtual-clock.ts';

/**
 * Await `promise`, moving the virtual clock `stepMs` at a time whenever the
 * world has had a moment for loopback I/O (a few real ms) and is still waiting.
 * Bounded: gives up after `maxSteps` steps.
 */
export async function drive<T>(clock: VirtualClock, promise: Promise<T>, stepMs = 1000, maxSteps = 400): Promise<T> {
  let done = false;
  promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  for (let i = 0; i < maxSteps && !done; i++) {
    await realDelay(10); // let datagrams cross loopback; no logic waits on this
    if (!done) await clock.advance(stepMs);
  }
  if (!done) throw new Error(`drive: still waiting after ${maxSteps} steps of ${stepMs} ms`);
  return promise;
}

/** Wait (bounded) for a condition that depends on real I/O, e.g. a datagram arriving. */
export async function until(condition: () => boolean, what: string, tries = 300): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (condition()) return;
    await realDelay(5);
  }
  throw new Error(`timed out waiting for ${what}`);
}
