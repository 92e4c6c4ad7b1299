import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NetworkFaults } from '../ad-connector/faults.ts';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { OktaOrg } from '../okta/org.ts';
import { LabFaults, mirrorConnectorLoss, parseFaultPatch } from './lab-faults.ts';

const datagram = { bytes: new Uint8Array([1, 2, 3]), local: { address: '127.0.0.2', port: 5000 }, remote: { address: '127.0.0.1', port: 1812 } };

function run(net: NetworkFaults, direction: 'outbound' | 'inbound', n: number): string[] {
  const seen: string[] = [];
  for (let i = 0; i < n; i++) {
    net.apply(direction, datagram, { deliver: () => seen.push('delivered'), drop: (_d, reason) => seen.push(`dropped:${reason}`) });
  }
  return seen;
}

test("the connector's NetworkFaults follow the lab's UDP-loss knob: count, direction, change and removal", async () => {
  const faults = new LabFaults(new OktaOrg({ clock: new VirtualClock() }));
  const net = new NetworkFaults(new VirtualClock());
  const stop = mirrorConnectorLoss(faults, net);
  assert.deepEqual(run(net, 'outbound', 2), ['delivered', 'delivered'], 'no loss set');

  await faults.apply(parseFaultPatch({ connector: { udpLoss: { direction: 'outbound', count: 2 } } }));
  assert.equal(faults.state().connector.consumers, 1);
  assert.deepEqual(run(net, 'inbound', 1), ['delivered'], 'only the direction asked for');
  assert.deepEqual(run(net, 'outbound', 3), ['dropped:lab-udp-loss', 'dropped:lab-udp-loss', 'delivered'], 'only as many as asked for');

  await faults.apply(parseFaultPatch({ connector: { udpLoss: { direction: 'both' } } }));
  assert.deepEqual([...run(net, 'outbound', 2), ...run(net, 'inbound', 1)], ['dropped:lab-udp-loss', 'dropped:lab-udp-loss', 'dropped:lab-udp-loss']);

  await faults.apply(parseFaultPatch({ connector: { udpLoss: null } }));
  assert.deepEqual(run(net, 'outbound', 1), ['delivered'], 'null removes the loss');

  await faults.apply(parseFaultPatch({ connector: { udpLoss: { direction: 'inbound' } } }));
  stop();
  assert.deepEqual(run(net, 'inbound', 1), ['delivered'], 'stopping the mirror removes its rule');
  assert.equal(faults.state().connector.consumers, 0);
});

test('Okta knobs act on the org, and reset() restores the seed rate limit', async () => {
  const org = new OktaOrg({ clock: new VirtualClock() });
  org.setRateLimit({ limit: 50, windowMs: 10_000 });
  const faults = new LabFaults(org);
  const s = await faults.apply(parseFaultPatch({ okta: { latencyMs: 250, errors: { count: 2 }, networkErrors: { count: 1 }, rateLimit: { limit: 5, windowSeconds: 1.5 } } }));
  assert.deepEqual(s.okta, { latencyMs: 250, errors: { pending: 2, status: 500 }, networkErrors: { pending: 1 }, rateLimit: { limit: 5, windowSeconds: 1.5 } });
  assert.deepEqual(org.rateLimiter.setting, { limit: 5, windowMs: 1_500 });
  await assert.rejects(faults.apply(parseFaultPatch({ directory: { down: true } })), { code: 'LAB_NOT_SERVED' });
  const r = await faults.reset();
  assert.deepEqual(r.okta, { latencyMs: 0, errors: { pending: 0, status: 500 }, networkErrors: { pending: 0 }, rateLimit: { limit: 50, windowSeconds: 10 } });
  assert.throws(() => parseFaultPatch({ okta: { rateLimit: { limit: -1, windowSeconds: 1 } } }), { code: 'LAB_BAD_FAULT', message: /okta\.rateLimit\.limit/ });
});
