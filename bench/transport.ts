/**
 * Transport benchmark: RadiusServer (real UDP on loopback, the real clock)
 * with a trivial handler, driven by the in-process load generator over several
 * source ports with a bounded number in flight. Load generator and server
 * share one Node thread, so requests/s is a lower bound of the server alone.
 */
import { performance } from 'node:perf_hooks';
import { SystemClock } from '../agent/src/clock.ts';
import { PacketEvents } from '../agent/src/packet-events.ts';
import { RadiusCode } from '../agent/src/radius/codes.ts';
import { RadiusServer } from '../agent/src/transport/radius-server.ts';
import { SECRET, typicalRequestFactory } from './codec.ts';
import { type BenchOptions, type MemorySnapshot, memoryAfterGc, pause, percentile, type Recorder, round, toMiB } from './lib.ts';
import { LoadGenerator, type LoadResult, mergeLoads } from './load.ts';


export function recordLoad(rec: Recorder, prefix: string, r: LoadResult): void {
  const rate = r.elapsedMs > 0 ? r.answered / (r.elapsedMs / 1000) : 0;
  rec.set(`${prefix}requests`, r.sent, 'requests');
  rec.set(`${prefix}req/s`, round(rate), 'req/s');
  rec.set(`${prefix}p50`, round(percentile(r.latenciesMs, 50), 3), 'ms');
  rec.set(`${prefix}p95`, round(percentile(r.latenciesMs, 95), 3), 'ms');
  rec.set(`${prefix}p99`, round(percentile(r.latenciesMs, 99), 3), 'ms');
  rec.set(`${prefix}max`, round(percentile(r.latenciesMs, 100), 3), 'ms');
  rec.set(`${prefix}lost`, r.lost, 'requests');
  rec.set(`${prefix}loss`, r.sent > 0 ? round((100 * r.lost) / r.sent, 3) : 0, '%');
}

export async function runTransportBench(rec: Recorder, options: BenchOptions): Promise<void> {
  const maxRequests = options.quick ? 2_000 : 50_000;
  const maxDurationMs = options.quick ? 2_000 : 15_000;
  const sockets = 8;
  const inFlight = 64;
  // Duplicate-cache lifetime for the run: short, so the bench can watch entries expire on the real clock.
  const DUPLICATE_TTL_MS = options.quick ? 300 : 1_000;

  const events = new PacketEvents();
  const clock = new SystemClock();
  const server = new RadiusServer({
    clock,
    events,
    host: '127.0.0.1',
    port: 0,
    duplicateTtlMs: DUPLICATE_TTL_MS,
    clients: [{ name: 'bench', address: '127.0.0.1', secret: SECRET }],
    handler: async () => ({ code: RadiusCode.AccessAccept }),
  });
  const endpoint = await server.listen();
  const load = await LoadGenerator.open(endpoint, sockets);
  try {
    const build = typicalRequestFactory();
    // Warm-up (JIT, socket buffers, V8 sizing its heap under this allocation rate), then let its cache entries expire.
    await load.run({ maxRequests: options.quick ? 200 : 20_000, maxDurationMs: options.quick ? 1_000 : 4_000, inFlight, timeoutMs: 1_000, build });
    await waitForCache(server, 0, DUPLICATE_TTL_MS * 3);

    // Two halves, so steady-state growth (the second half) shows apart from V8 sizing its heap.
    const before = await memoryAfterGc();
    const handledBefore = server.stats.handled;
    const half = Math.ceil(maxRequests / 2);
    const first = await load.run({ maxRequests: half, maxDurationMs: maxDurationMs / 2, inFlight, timeoutMs: 1_000, build });
    const middle = await memoryAfterGc();
    const second = await load.run({ maxRequests: maxRequests - half, maxDurationMs: maxDurationMs / 2, inFlight, timeoutMs: 1_000, build });
    const r = mergeLoads([first, second]);
    const cacheAtEnd = server.stats.cacheSize;
    const peakRss = process.memoryUsage().rss;
    const after = await memoryAfterGc();

    recordLoad(rec, '', r);
    rec.set('handled', server.stats.handled - handledBefore, 'requests');
    rec.set('serverDropped', Object.values(server.stats.dropped).reduce((a, b) => a + b, 0), 'datagrams');
    rec.set('duplicatesAnswered', server.stats.duplicatesAnswered, 'requests');
    recordMemory(rec, before, middle, after, peakRss);
    rec.set('cache.atEnd', cacheAtEnd, 'entries');
    const expired = await waitForCache(server, 0, DUPLICATE_TTL_MS * 3);
    rec.set('cache.afterTtl', server.stats.cacheSize, 'entries');
    rec.set('cache.expiredWithin', expired, 'ms');

    rec.goal('req/s', '>=', options.quick ? 500 : 6_000);
    rec.goal('loss', '<=', 0);
    rec.goal('p99', '<=', 50);
    // One entry per (source port, identifier) at most: 8 sockets × 256.
    rec.goal('cache.atEnd', '<=', sockets * 256);
    rec.goal('cache.afterTtl', '<=', 0);
    rec.goal('rss.growth', '<=', 200);
    rec.goal('rss.growth.2ndHalf', '<=', 30);
    rec.goal('heap.growth', '<=', 10);
    rec.note(
      `${sockets} source sockets, ${inFlight} in flight, bounded by ${maxRequests} requests / ${maxDurationMs} ms (stopped by ${r.stoppedBy}); ` +
        `duplicate TTL ${DUPLICATE_TTL_MS} ms on the real clock; trivial handler (Access-Accept)`,
    );
    if (r.unmatched > 0) rec.note(`${r.unmatched} answers arrived after their request timed out`);
  } finally {
    await load.close();
    await server.close();
  }
}

/** RSS and heap (after a full GC) before, half-way and after a load; growth over the whole and over the second half. */
export function recordMemory(rec: Recorder, before: MemorySnapshot, middle: MemorySnapshot, after: MemorySnapshot, peakRss: number): void {
  rec.set('rss.before', toMiB(before.rss), 'MiB');
  rec.set('rss.peak', toMiB(peakRss), 'MiB');
  rec.set('rss.after', toMiB(after.rss), 'MiB');
  rec.set('rss.growth', toMiB(after.rss - before.rss), 'MiB');
  rec.set('rss.growth.2ndHalf', toMiB(after.rss - middle.rss), 'MiB');
  rec.set('heap.before', toMiB(before.heapUsed), 'MiB');
  rec.set('heap.after', toMiB(after.heapUsed), 'MiB');
  rec.set('heap.growth', toMiB(after.heapUsed - before.heapUsed), 'MiB');
  rec.set('heap.growth.2ndHalf', toMiB(after.heapUsed - middle.heapUsed), 'MiB');
  rec.set('heapTotal.after', toMiB(after.heapTotal), 'MiB');
}

/** Wait (bounded, wall clock) until the duplicate cache holds at most `size` entries; returns the ms waited. */
async function waitForCache(server: RadiusServer, size: number, maxMs: number): Promise<number> {
  const start = performance.now();
  while (server.stats.cacheSize > size && performance.now() - start < maxMs) await pause(50);
  return round(performance.now() - start);
}
