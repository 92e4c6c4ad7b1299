/** Helpers shared by this folder's tests (the lab's driver is simulators/lab/driver.ts). */
import { setTimeout as realDelay } from 'node:timers/promises';
import type { VirtualClock } from '../clock/virtual-clock.ts';
import type { DriveProbe } from '../lab/driver.ts';
import type { AdConnector } from './connector.ts';

/**
 * What the lab's driver can see of a connector talking to a server that
 * reports nothing (the test responder): a request waiting for its reply counts
 * as a datagram in flight (waited for within the driver's grace, so one to a
 * dead address or lost to a fault does not hold time up), and as busy.
 */
export function connectorProbe(clock: VirtualClock, connector: AdConnector): DriveProbe {
  const { events } = connector;
  return {
    clock,
    datagramsInFlight: () => connector.pendingRequests,
    busy: () => connector.pendingRequests,
    activity: () => events.sent + events.received + [...events.dropsByReason.values()].reduce((n, d) => n + d, 0),
  };
}

/** Wait (bounded) for a condition that depends on real I/O, e.g. a datagram arriving. */
export async function until(condition: () => boolean, what: string, tries = 300): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (condition()) return;
    await realDelay(5);
  }
  throw new Error(`timed out waiting for ${what}`);
}
