/**
 * What the scenario suite attaches for the runner (cli/run.ts, reports/) to read
 * from Cucumber's message stream. These media types are the contract between the
 * steps and the reports: change them only together.
 */

/**
 * Attached (as text) by the capability Before hook when the current target lacks
 * a capability a scenario needs (`@needs:<capability>`); the scenario is then
 * skipped. Body: `not applicable: target <name> lacks <capability>[, <capability>…]`
 * (or `not applicable: target <name> is unavailable: <reason>`). The runner turns
 * a skipped scenario carrying this attachment into a "not applicable" verdict
 * with the body as its reason.
 */
export const NOT_APPLICABLE_MEDIA_TYPE = 'text/x.not-applicable';

/** Prefix of every not-applicable body. */
export const NOT_APPLICABLE_PREFIX = 'not applicable: ';

/**
 * Attached (as text) when the run's target can't be used inside a worker (it
 * passed the runner's start-up check, or there was none: plain `cucumber-js`).
 * Body: the reason in one line. The scenario then FAILS (the run must not be
 * green when nothing was checked) — unless RMH_ALLOW_UNAVAILABLE=1
 * (`--allow-unavailable`), when it is not applicable instead.
 */
export const TARGET_UNAVAILABLE_MEDIA_TYPE = 'text/x.target-unavailable';

/**
 * Attached (as JSON, {@link ExpectedDeviationBody}) when a step failed exactly
 * as the target's ledger expects (that step, a matching message): the step is
 * then reported skipped, so Cucumber's own status and exit code agree with the
 * verdict "expected deviation".
 */
export const EXPECTED_DEVIATION_MEDIA_TYPE = 'text/x.expected-deviation+json';

export interface ExpectedDeviationBody {
  /** The ledger entry's key (scenario id, plus example values for an outline row). */
  entry: string;
  step: string;
  /** The error message the step failed with (first lines). */
  message: string;
}

/**
 * Attached (as text) by the After hook when a scenario the ledger lists as a
 * deviation passed: the hook then fails the scenario ("unexpected pass"), so the
 * ledger can't go stale quietly. Body: the ledger entry's key.
 */
export const UNEXPECTED_PASS_MEDIA_TYPE = 'text/x.unexpected-pass';

/**
 * Attached (as JSON) after every scenario that sent or received RADIUS traffic:
 * a {@link RadiusTrace}, `{ version, target, virtualClock, events }` where each
 * event is a PacketEvent with its bytes as lower-case hex (the shape
 * reports/trace.ts `parseTrace` reads). Bytes are the datagrams exactly as on
 * the wire (User-Password is hidden by RADIUS itself and never unhidden); no
 * shared secret, passcode or API token is ever part of it. The runner writes a
 * pcap from it; tshark needs the secret, which the runner knows from the lab.
 */
export const RADIUS_TRACE_MEDIA_TYPE = 'application/x.radius-trace+json';

export interface RadiusTraceEvent {
  /** Who observed the datagram: 'ad-connector', 'agent' or 'radius-client' (raw protocol steps). */
  observer: string;
  direction: 'sent' | 'received' | 'dropped';
  /** Epoch ms on the observer's clock (the lab's virtual clock for embedded). */
  at: number;
  local: { address: string; port: number };
  remote: { address: string; port: number };
  /** RADIUS code and identifier, when the header could be read. */
  code?: number;
  identifier?: number;
  /** For 'dropped': the stable reason code. */
  reason?: string;
  detail?: string;
  /** The datagram as on the wire, lower-case hex. */
  bytes: string;
}

export interface RadiusTrace {
  /** Always 1 for this shape. */
  version: 1;
  /** The target the scenario ran against, e.g. 'embedded'. */
  target: string;
  /** Whether `at` values come from the lab's virtual clock. */
  virtualClock: boolean;
  /** In the order observed. */
  events: RadiusTraceEvent[];
}
