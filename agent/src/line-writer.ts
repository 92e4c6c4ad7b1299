import { writeSync } from 'node:fs';

/**
 * The agent's log lines to a file descriptor (stdout), in batches: every line goes
 * straight into a byte buffer, and the lines of the next 10 ms (or a full buffer) are
 * written with one write(2), on the event loop (writeSync), not on the thread pool: a
 * write left under way in another thread when the process exits could be lost or land
 * after the lines flushSync writes (a test caught exactly that under CI load). A
 * non-blocking descriptor that is full (EAGAIN) keeps the rest for a retry 100 ms later
 * (only flushSync at exit waits for it); a blocking one whose reader stalls holds the
 * event loop, as pino's synchronous destination would. pino's
 * asynchronous destination (sonic-boom)
 * does the same batching but keeps the pending lines as one growing string and measures
 * its UTF-8 length on every line: ~4 µs a line, a fifth of the hygiene path's cost
 * (bench/README.md). Lines are never reordered or split across writes by this writer;
 * a line logged before process.exit is written (synchronously) at exit.
 *
 * As pino's destination: no bound on what waits in memory for a slow reader; a reader
 * that has gone (EPIPE) silences the writer; any other write error is thrown.
 */
/** For Atomics.wait: a short sleep in flushSync without spinning. */
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

export class LineWriter {
  readonly #fd: number;
  /** Filled by write(); `#used` octets of it are pending. */
  #current: Buffer;
  #used = 0;
  /** Full buffers waiting, oldest first (only when more than a buffer's worth piles up). */
  readonly #queued: Buffer[] = [];
  /** A buffer to fill next, recycled from the last finished write. */
  #spare: Buffer | undefined;
  /** Bytes a full descriptor (EAGAIN) left unwritten, from `#writingOff`; undefined otherwise. */
  #writing: Buffer | undefined;
  #writingOff = 0;
  #retry: NodeJS.Timeout | undefined;
  #scheduled = false;
  #broken = false;
  readonly #flushed: Array<(err?: Error) => void> = [];
  readonly #size: number;
  readonly #delayMs: number;

  /** `delayMs`: how long a line may wait for others to join its write. */
  constructor(fd: number, bufferSize = 64 * 1024, delayMs = 10) {
    this.#fd = fd;
    this.#size = bufferSize;
    this.#delayMs = delayMs;
    this.#current = Buffer.allocUnsafe(bufferSize);
  }

  /** pino's DestinationStream: one log line (with its newline). */
  write(line: string): boolean {
    if (this.#broken) return true;
    // A UTF-16 unit is at most 3 UTF-8 octets: with that much room, no need to measure the line.
    if (this.#size - this.#used < line.length * 3) {
      const bytes = Buffer.byteLength(line);
      if (this.#size - this.#used < bytes) {
        this.#retire();
        // A full buffer goes now rather than at the timer.
        if (!this.#writing) this.#next();
        if (bytes > this.#size) {
          this.#queued.push(Buffer.from(line));
          this.#schedule();
          return true;
        }
      }
    }
    this.#used += this.#current.write(line, this.#used);
    this.#schedule();
    return true;
  }

  /**
   * Writes everything pending now, synchronously and in order (at exit): the rest of a
   * write a full descriptor held back, then the queue. A full non-blocking pipe is
   * retried every 10 ms for at most 5 s.
   */
  flushSync(): void {
    if (this.#broken) return;
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = undefined;
    this.#retire();
    const held = this.#writing;
    if (held) this.#queued.unshift(held.subarray(this.#writingOff));
    this.#writing = undefined;
    let waits = 0;
    for (const chunk of this.#queued.splice(0)) {
      let off = 0;
      while (off < chunk.length) {
        try {
          off += writeSync(this.#fd, chunk, off, chunk.length - off);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'EAGAIN' && waits++ < 500) {
            Atomics.wait(SLEEPER, 0, 0, 10);
            continue;
          }
          if (code === 'EPIPE' || code === 'EAGAIN') {
            this.#broken = true;
            return;
          }
          throw e;
        }
      }
    }
    for (const cb of this.#flushed.splice(0)) cb();
  }

  /** pino's flush(cb): calls back once every line logged so far is written. */
  flush(cb?: (err?: Error) => void): void {
    if (cb) this.#flushed.push(cb);
    if (!this.#writing) this.#next();
  }

  /** Octets waiting to be written (tests). */
  get pending(): number {
    return this.#used + this.#queued.reduce((n, b) => n + b.length, 0) + (this.#writing ? this.#writing.length - this.#writingOff : 0);
  }

  /** The current buffer's lines join the queue; a fresh buffer takes its place. */
  #retire(): void {
    if (this.#used === 0) return;
    this.#queued.push(this.#current.subarray(0, this.#used));
    this.#current = this.#spare ?? Buffer.allocUnsafe(this.#size);
    this.#spare = undefined;
    this.#used = 0;
  }

  #schedule(): void {
    if (this.#scheduled || this.#writing) return;
    this.#scheduled = true;
    // Every line logged in the next few milliseconds goes in the same write: under load a write
    // (a thread-pool round trip) per event-loop turn was ~5 % of the hygiene path's CPU.
    const timer = setTimeout(() => {
      this.#scheduled = false;
      this.#next();
    }, this.#delayMs);
    // The process may end meanwhile: the exit flush writes what is left.
    timer.unref();
  }

  #next(): void {
    for (;;) {
      if (this.#writing) return;
      this.#retire();
      const chunk = this.#broken ? undefined : this.#queued.shift();
      if (!chunk) {
        for (const cb of this.#flushed.splice(0)) cb();
        return;
      }
      if (!this.#writeFrom(chunk, 0)) return;
    }
  }

  /** Writes `chunk` from `off`; false when the descriptor is full and the rest waits for a retry (or the reader is gone). */
  #writeFrom(chunk: Buffer, off: number): boolean {
    while (off < chunk.length) {
      try {
        off += writeSync(this.#fd, chunk, off, chunk.length - off);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          // The reader is slow and the descriptor non-blocking: the rest goes shortly (as sonic-boom does).
          this.#writing = chunk;
          this.#writingOff = off;
          this.#retry = setTimeout(() => {
            this.#retry = undefined;
            this.#writing = undefined;
            if (this.#writeFrom(chunk, this.#writingOff)) this.#afterWrite();
          }, 100);
          this.#retry.unref();
          return false;
        }
        if (code === 'EPIPE') {
          // Nobody reads the log any more (as pino's destination): stop writing, keep serving.
          this.#broken = true;
          this.#queued.length = 0;
          this.#used = 0;
          for (const cb of this.#flushed.splice(0)) cb();
          return false;
        }
        throw e;
      }
    }
    // A whole buffer's storage is kept for the next lines (the queue's own slices are not).
    if (chunk.byteOffset === 0 && chunk.buffer.byteLength === this.#size && this.#spare === undefined) {
      this.#spare = Buffer.from(chunk.buffer, 0, this.#size);
    }
    return true;
  }

  /** After a held-back write finished: full buffers or a flush waiting go on at once, a partly filled buffer after its delay. */
  #afterWrite(): void {
    if (this.#queued.length > 0 || this.#flushed.length > 0) this.#next();
    else if (this.#used > 0) this.#schedule();
  }
}
