/**
 * The log of a reference agent the harness started (container, process): where
 * it says which ports it bound ('listening', 'http listening'), and its last
 * lines, kept for a failed scenario's report. The agent logs no secret or
 * passcode (agent/src/logger.ts redacts them), so its lines can be shown as
 * they are.
 */
import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { parseLogLine } from './agent-config.ts';

const KEPT_LINES = 200;

export interface BoundPorts {
  port: number;
  httpPort: number;
}

export class AgentLog {
  readonly #lines: string[] = [];
  #port: number | undefined;
  #httpPort: number | undefined;
  #ended: string | undefined;
  readonly #waiters = new Set<() => void>();

  /** Keeps reading `stream`'s lines (an unread pipe would block the agent once full). */
  follow(stream: Readable): void {
    createInterface({ input: stream }).on('line', (line) => this.push(line));
  }

  /** The agent is gone (or its log stream ended): `why` explains a wait for its ports that can no longer end well. */
  end(why: string): void {
    this.#ended = why;
    this.#wake();
  }

  push(line: string): void {
    this.#lines.push(line);
    if (this.#lines.length > KEPT_LINES) this.#lines.shift();
    const entry = parseLogLine(line);
    // The first 'listening' is the first app's RADIUS port (the one the scenarios use).
    if (entry?.msg === 'listening' && typeof entry.port === 'number') this.#port ??= entry.port;
    if (entry?.msg === 'http listening' && typeof entry.port === 'number') this.#httpPort = entry.port;
    this.#wake();
  }

  /** Both ports, once the agent has said them. */
  get bound(): BoundPorts | undefined {
    return this.#port !== undefined && this.#httpPort !== undefined ? { port: this.#port, httpPort: this.#httpPort } : undefined;
  }

  /** The ports the agent says it bound, once it has said both; rejects when its log ends first or after `timeoutMs`. */
  ports(timeoutMs: number, what: string): Promise<BoundPorts> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const bound = this.bound;
        if (bound) {
          done();
          resolve(bound);
        } else if (this.#ended !== undefined) {
          done();
          reject(new Error(`${what} ${this.#ended} before it said which ports it bound: ${this.summary()}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${what} did not say which ports it bound within ${timeoutMs / 1000} s: ${this.summary()}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** The last lines (at most 200), as the agent wrote them. */
  text(): string {
    return this.#lines.length === 0 ? '' : `${this.#lines.join('\n')}\n`;
  }

  /** A few lines that explain a failed start: from the first error, else the last three. */
  summary(): string {
    const first = this.#lines.findIndex((l) => /error|fatal|invalid|EADDRINUSE/i.test(l));
    const shown = first >= 0 ? this.#lines.slice(first, first + 4) : this.#lines.slice(-3);
    return shown.map((l) => l.trim()).join(' | ').slice(0, 600) || '(no output)';
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }
}
