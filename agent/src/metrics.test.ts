import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AgentMetrics } from './metrics.ts';
import { type PacketEvent, PacketEvents } from './packet-events.ts';

const event = (direction: PacketEvent['direction'], reason?: string): PacketEvent => ({
  direction,
  observer: 'agent',
  at: 0,
  local: { address: '127.0.0.1', port: 1812 },
  remote: { address: '127.0.0.1', port: 5000 },
  bytes: new Uint8Array(20),
  ...(reason ? { reason } : {}),
});

const lines = (text: string, name: string): string[] => text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));

describe('AgentMetrics', () => {
  it('shows decisions, packets and drops counted as plain numbers exactly as prom-client counters would, scrape after scrape', async () => {
    const metrics = new AgentMetrics();
    const events = new PacketEvents();
    metrics.observe(events);
    assert.deepEqual(lines(await metrics.text(), 'radius_mfa_packets_total'), [], 'nothing counted yet: no label set shown');
    for (let i = 0; i < 3; i++) metrics.countDecision('ws', 'reject', 'protocol-not-supported');
    metrics.countDecision('ws', 'accept', 'passcode-accepted');
    metrics.countDecision('vpn', 'reject', 'request-timeout');
    metrics.countDecision('vpn', 'no-response', 'request-timeout');
    for (let i = 0; i < 5; i++) events.record(event('received'));
    for (let i = 0; i < 4; i++) events.record(event('sent'));
    events.record(event('dropped', 'unknown-client'));
    events.record(event('dropped', 'unknown-client'));
    events.record(event('dropped'));
    for (let scrape = 0; scrape < 2; scrape++) {
      const text = await metrics.text();
      assert.deepEqual(lines(text, 'radius_mfa_requests_total').sort(), [
        'radius_mfa_requests_total{app="vpn",result="no-response",reason="request-timeout"} 1',
        'radius_mfa_requests_total{app="vpn",result="reject",reason="request-timeout"} 1',
        'radius_mfa_requests_total{app="ws",result="accept",reason="passcode-accepted"} 1',
        'radius_mfa_requests_total{app="ws",result="reject",reason="protocol-not-supported"} 3',
      ]);
      assert.deepEqual(lines(text, 'radius_mfa_packets_total').sort(), ['radius_mfa_packets_total{direction="received"} 5', 'radius_mfa_packets_total{direction="sent"} 4']);
      assert.deepEqual(lines(text, 'radius_mfa_dropped_packets_total').sort(), [
        'radius_mfa_dropped_packets_total{reason="unknown-client"} 2',
        'radius_mfa_dropped_packets_total{reason="unspecified"} 1',
      ]);
      assert.match(text, /# TYPE radius_mfa_requests_total counter/);
    }
    metrics.detach();
    events.record(event('received'));
    assert.deepEqual(lines(await metrics.text(), 'radius_mfa_packets_total').sort(), ['radius_mfa_packets_total{direction="received"} 5', 'radius_mfa_packets_total{direction="sent"} 4'], 'detached: no longer counted');
  });
});
