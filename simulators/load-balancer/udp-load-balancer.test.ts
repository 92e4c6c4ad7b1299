import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { describe, it } from 'node:test';
import { startUdpLoadBalancer } from './udp-load-balancer.ts';

/** A backend that answers every datagram with its own name. */
async function echo(host: string, name: string) {
  const s = createSocket('udp4');
  s.on('message', (_m, r) => s.send(Buffer.from(name), r.port, r.address));
  await new Promise<void>((resolve) => s.bind(0, host, () => resolve()));
  return { endpoint: { address: host, port: s.address().port }, close: () => new Promise<void>((r) => s.close(() => r())) };
}

async function exchange(to: { address: string; port: number }, n: number): Promise<string[]> {
  const c = createSocket('udp4');
  const got: string[] = [];
  await new Promise<void>((resolve) => c.bind(0, '127.0.0.1', () => resolve()));
  const done = new Promise<void>((resolve) => {
    c.on('message', (m) => {
      got.push(m.toString());
      if (got.length === n) resolve();
    });
  });
  for (let i = 0; i < n; i++) {
    c.send(Buffer.from('x'), to.port, to.address);
    await new Promise((r) => setTimeout(r, 5)); // one at a time, as retransmissions are
  }
  await done;
  c.close();
  return got;
}

describe('UDP load balancer (radius-best-pract-sess-per.htm)', () => {
  it('without stickiness each datagram goes to the next backend; with client-address stickiness all go to one', async () => {
    const a = await echo('127.0.0.21', 'A');
    const b = await echo('127.0.0.22', 'B');
    try {
      const rr = await startUdpLoadBalancer({ host: '127.0.0.20', port: 0, backends: [a.endpoint, b.endpoint], stickiness: 'none' });
      assert.deepEqual(await exchange(rr.endpoint, 4), ['A', 'B', 'A', 'B']);
      assert.deepEqual([...rr.forwarded], [2, 2]);
      await rr.close();
      const st = await startUdpLoadBalancer({ host: '127.0.0.20', port: 0, backends: [a.endpoint, b.endpoint], stickiness: 'client-address' });
      assert.deepEqual(new Set(await exchange(st.endpoint, 4)).size, 1);
      await st.close();
    } finally {
      await a.close();
      await b.close();
    }
  });
});
