/**
 * How many requests the agent decides at once, as Okta's agent sizes it:
 * `ragent.num_request_threads` (default 15; Agent_install_linux-conf-properties.htm).
 * When every "thread" is busy the request is not queued behind slow Okta calls
 * or pending pushes: it is rejected at once, and the agent logs "Request queue
 * is full" — Okta help, radius-best-pract-ts.htm: "This message appears in your
 * logs when the RADIUS Server Agent rejects logins because it's reached the
 * maximum number of request threads and connections it can process."
 */
export class RequestGate {
  readonly #limit: number;
  #busy = 0;
  #refused = 0;

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`request threads must be a positive integer, got ${limit}`);
    this.#limit = limit;
  }

  /** Take a thread: a release function, or undefined when all are busy (reject the request). */
  tryEnter(): (() => void) | undefined {
    if (this.#busy >= this.#limit) {
      this.#refused++;
      return undefined;
    }
    this.#busy++;
    let released = false;
    return () => {
      if (released) return; // idempotent: a double release must not free someone else's thread
      released = true;
      this.#busy--;
    };
  }

  get busy(): number {
    return this.#busy;
  }

  get limit(): number {
    return this.#limit;
  }

  /** Requests turned away since start. */
  get refused(): number {
    return this.#refused;
  }
}
