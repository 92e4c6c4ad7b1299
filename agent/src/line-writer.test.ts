import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LineWriter } from './line-writer.ts';

const dir = mkdtempSync(join(tmpdir(), 'line-writer-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(): { fd: number; read: () => string; close: () => void } {
  const path = join(dir, `log-${n++}`);
  const fd = openSync(path, 'w');
  return { fd, read: () => readFileSync(path, 'utf8'), close: () => closeSync(fd) };
}
const flushed = (w: LineWriter): Promise<void> => new Promise((resolve) => w.flush(() => resolve()));

describe('LineWriter', () => {
  it('writes every line in order, once, across buffer boundaries, lines longer than a buffer and multi-byte text', async () => {
    const f = file();
    const w = new LineWriter(f.fd, 256);
    const lines: string[] = [];
    for (let i = 0; i < 500; i++) {
      const line = i % 97 === 0 ? `{"i":${i},"big":"${'x'.repeat(600)}"}\n` : i % 13 === 0 ? `{"i":${i},"name":"Zoë 北京 🙂"}\n` : `{"i":${i}}\n`;
      lines.push(line);
      w.write(line);
      if (i % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    await flushed(w);
    assert.equal(f.read(), lines.join(''));
    assert.equal(w.pending, 0);
    f.close();
  });

  it('gathers the lines logged within its delay into one write', (t) => {
    // The clock is mocked: on a loaded machine real time can pass the 10-ms delay between two lines.
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const f = file();
    const w = new LineWriter(f.fd);
    for (let i = 0; i < 100; i++) w.write(`line ${i}\n`);
    t.mock.timers.tick(9);
    assert.equal(f.read(), '', 'nothing written within the delay');
    assert.ok(w.pending > 0);
    t.mock.timers.tick(1);
    assert.equal(f.read().split('\n').length, 101, 'written when the delay ends, without being asked');
    assert.equal(w.pending, 0);
    f.close();
  });

  it('flushSync writes what is pending at once (as at process exit)', () => {
    const f = file();
    const w = new LineWriter(f.fd, 64);
    const text = Array.from({ length: 20 }, (_, i) => `line ${i} ${'y'.repeat(i * 5)}\n`).join('');
    for (const line of text.split(/(?<=\n)/)) w.write(line);
    w.flushSync();
    assert.equal(f.read(), text);
    f.close();
  });

  it('a full pipe (EAGAIN) holds the rest back; flushSync at exit writes it first, then the queue: every line once, in order', async () => {
    const fifo = join(dir, 'full-fifo');
    const out = join(dir, 'full-fifo.out');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    // Our own reader lets the non-blocking writer open; nobody reads yet, so the pipe fills (64 KiB).
    const ownReader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    const w = new LineWriter(writer, 16 * 1024);
    const lines = Array.from({ length: 3000 }, (_, i) => `{"i":${i},"pad":"${'p'.repeat(80)}"}\n`);
    for (const line of lines) w.write(line);
    assert.ok(w.pending > 200_000, `most of ~290 KB waits behind the full pipe (pending ${w.pending})`);
    // A reader in another process drains it while flushSync retries.
    const cat = spawn('sh', ['-c', `cat "${fifo}" > "${out}"`]);
    const exited = new Promise<number | null>((resolve) => cat.once('exit', resolve));
    await new Promise((r) => setTimeout(r, 200));
    closeSync(ownReader);
    w.flushSync();
    assert.equal(w.pending, 0);
    closeSync(writer);
    assert.equal(await exited, 0);
    assert.equal(readFileSync(out, 'utf8'), lines.join(''));
  });

  it('a reader that has gone (EPIPE) silences it instead of failing', async () => {
    const fifo = join(dir, 'fifo');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = openSync(fifo, constants.O_WRONLY);
    closeSync(reader);
    const w = new LineWriter(writer);
    w.write('nobody reads this\n');
    await flushed(w);
    w.write('nor this\n');
    w.flushSync();
    await flushed(w);
    assert.equal(w.pending, 0);
    closeSync(writer);
  });
});
