/**
 * A request's deadline as the Okta client sees it. The engine aborts a request's
 * signal at its total time-out and answers per the response mode
 * (ragent.request.timeout.response.mode, Agent_install_linux-conf-properties.htm);
 * the client only sees the signal. When the engine registers the signal here, the
 * client can tell that a call waiting for the Okta call budget cannot start before
 * the deadline and end the request at once through `expire` — the same time-out,
 * answered the same way, just without holding the request (and its memory) until
 * the deadline. Requests not registered simply wait for their signal.
 *
 * A WeakMap keyed by the request's signal: nothing outlives the request.
 */
export interface RequestDeadline {
  /** When the request's time is up (the clock's ms). */
  at: number;
  /** Ends the request now as if its total time-out had fired. */
  expire: () => void;
}

const deadlines = new WeakMap<AbortSignal, RequestDeadline>();

export function registerRequestDeadline(signal: AbortSignal, at: number, expire: () => void): void {
  deadlines.set(signal, { at, expire });
}

export function requestDeadlineOf(signal: AbortSignal | undefined): RequestDeadline | undefined {
  return signal === undefined ? undefined : deadlines.get(signal);
}
