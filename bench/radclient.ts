/**
 * Optional: FreeRADIUS's radclient as an external load source against
 * RadiusServer (trivial handler) on loopback. radclient runs in its own
 * process, so the server has the Node thread to itself. Bounded by radclient's
 * own count and by a kill timer. Skipped when radclient is not installed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { SystemClock } from '../agent/src/clock.ts';
import { PacketEvents } from '../agent/src/packet-events.ts';
import { RadiusCode } from '../agent/src/radius/codes.ts';
import { RadiusServer } from '../agent/src/transport/radius-server.ts';
import { SECRET } from './codec.ts';
import { type BenchOptions, memoryAfterGc, type Recorder, round, toMiB } from './lib.ts';

export class BenchSkipped extends Error {}

export function radclientAvailable(): boolean {
  return spawnSync('sh', ['-c', 'command -v radclient'], { encoding: 'utf8' }).status === 0;
}

interface RadclientRun {
  exitCode: number | null;
  output: string;
  elapsedMs: number;
  killed: boolean;
}

function runRadclient(args: string[], input: string, killAfterMs: number): Promise<RadclientRun> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn('radclient', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let killed = false;
    const keep = (d: Buffer): void => {
      if (output.length < 64 * 1024) output += d.toString();
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, killAfterMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, output, elapsedMs: performance.now() - start, killed });
    });
    child.stdin.end(input);
  });
}

function summaryCount(output: string, label: string): number {
  const m = new RegExp(`${label}\\s*:\\s*(\\d+)`).exec(output);
  return m ? Number(m[1]) : Number.NaN;
}

export async function runRadclientBench(rec: Recorder, options: BenchOptions): Promise<void> {
  if (!radclientAvailable()) throw new BenchSkipped('radclient not installed (apt-get install freeradius-utils)');
  // radclient keeps one request per input packet in flight (-p), each sent -c times in turn.
  const parallel = 64;
  const perPacket = options.quick ? 10 : 500;
  const total = parallel * perPacket;
  const killAfterMs = options.quick ? 10_000 : 30_000;

  const server = new RadiusServer({
    clock: new SystemClock(),
    events: new PacketEvents(),
    host: '127.0.0.1',
    port: 0,
    duplicateTtlMs: 1_000,
    clients: [{ name: 'radclient', address: '127.0.0.1', secret: SECRET }],
    handler: async () => ({ code: RadiusCode.AccessAccept }),
  });
  const { port } = await server.listen();
  try {
    // radclient 3.2.1 signs a request only when the input has Message-Authenticator = 0x00.
    const packets = Array.from(
      { length: parallel },
      (_, i) => `User-Name = "user${i}"\nUser-Password = "123456"\nNAS-Identifier = "bench"\nMessage-Authenticator = 0x00\n`,
    ).join('\n');
    const before = await memoryAfterGc();
    const r = await runRadclient(
      ['-q', '-s', '-c', String(perPacket), '-p', String(parallel), '-r', '3', '-t', '1', `127.0.0.1:${port}`, 'auth', SECRET],
      packets,
      killAfterMs,
    );
    const after = await memoryAfterGc();
    if (r.killed) rec.note(`radclient was killed after ${killAfterMs} ms`);
    const accepted = summaryCount(r.output, 'Accepted');
    const lost = summaryCount(r.output, 'Lost');
    if (!Number.isFinite(accepted)) {
      throw new Error(`radclient printed no summary (exit ${r.exitCode}): ${r.output.slice(0, 300).replace(/\s+/g, ' ')}`);
    }
    rec.set('requests', total, 'requests');
    rec.set('accepted', accepted, 'requests');
    rec.set('lost', Number.isFinite(lost) ? lost : 0, 'requests');
    rec.set('req/s', round(accepted / (r.elapsedMs / 1000)), 'req/s');
    rec.set('handled', server.stats.handled, 'requests');
    rec.set('duplicatesAnswered', server.stats.duplicatesAnswered, 'requests');
    rec.set('rss.growth', toMiB(after.rss - before.rss), 'MiB');
    rec.goal('accepted', '>=', total);
    rec.goal('req/s', '>=', options.quick ? 100 : 7_000);
    rec.note(
      `radclient -c ${perPacket} -p ${parallel} (${parallel} input packets) against RadiusServer; rate includes radclient start-up`,
    );
  } finally {
    await server.close();
  }
}
