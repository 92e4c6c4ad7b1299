/**
 * Stable reason codes: one per decision, logged, counted in metrics, and
 * asserted by scenarios. Never reword a published code; add a new one instead.
 */
export const REASONS = [
  // accepts
  'passcode-accepted',
  'push-approved',
  'status-server',
  // password modes: Okta's sign-on policy asked for no second factor (Authn SUCCESS after the password)
  'password-accepted',
  // inline enrolment (password-first): the new factor activated with its code, Okta answered SUCCESS
  'factor-enrolled',
  // challenges (password-first mode)
  'factor-choice',
  'code-requested',
  // inline enrolment challenges: which factor to enrol, then its phone number
  'enrol-choice',
  'phone-requested',
  // rejects
  'otp-sent',
  // SMS / call asked for again within 30 s: Okta refused to send another (429 E0000109)
  'otp-recently-sent',
  'user-not-found',
  'user-not-active',
  'user-not-assigned',
  'no-usable-factor',
  'factor-not-enrolled',
  'passcode-invalid',
  'answer-not-understood',
  'push-rejected',
  'push-timeout',
  'duo-keyword-refused',
  // inline enrolment: Okta refused to enrol a factor in the transaction (403; its inline enrolment is off)
  'enrol-refused',
  'password-invalid',
  'password-missing',
  'user-locked-out',
  'password-expired',
  'challenge-expired',
  'protocol-not-supported',
  'okta-unavailable',
  'request-timeout',
  'agent-stopping',
  // every request thread busy (ragent.num_request_threads): rejected at once, "Request queue is full" logged
  'request-queue-full',
  'internal-error',
] as const;

export type ReasonCode = (typeof REASONS)[number];

export type DecisionResult = 'accept' | 'reject' | 'challenge' | 'no-response';

/** What the engine decided for one Access-Request; the server turns it into a RADIUS reply. */
export interface Decision {
  result: DecisionResult;
  reason: ReasonCode;
  /** Reply-Message for the user (never contains a passcode or secret). */
  replyMessage?: string;
  /** State attribute for an Access-Challenge. */
  state?: Uint8Array;
  /** Okta login the request was resolved to, for logs. */
  login?: string;
  /** Factor kind used, for logs (e.g. 'okta-verify-push'). */
  factor?: string;
  /** Accept only: the user's Okta groups the app includes in the response (app `groups.include`). */
  groups?: string[];
}

export function accept(reason: ReasonCode, extra: Partial<Decision> = {}): Decision {
  return { ...extra, result: 'accept', reason };
}

export function reject(reason: ReasonCode, replyMessage: string, extra: Partial<Decision> = {}): Decision {
  return { ...extra, result: 'reject', reason, replyMessage };
}
