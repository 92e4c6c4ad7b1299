/**
 * Okta's error catalogue, the part the mock speaks. The org's methods throw
 * OktaApiError so the HTTP layer answers with exactly Okta's status, errorCode
 * and errorSummary, and admin callers in tests get a CodedError with the same code.
 */
import { CodedError } from '../../agent/src/errors.ts';

export interface OktaErrorDef {
  status: number;
  errorCode: string;
  errorSummary: string;
}

export const OKTA_ERRORS = {
  E0000001: { status: 400, errorCode: 'E0000001', errorSummary: 'Api validation failed' },
  E0000003: { status: 400, errorCode: 'E0000003', errorSummary: 'The request body was not well-formed.' },
  E0000004: { status: 401, errorCode: 'E0000004', errorSummary: 'Authentication failed' },
  E0000007: { status: 404, errorCode: 'E0000007', errorSummary: 'Not found: Resource not found' },
  E0000011: { status: 401, errorCode: 'E0000011', errorSummary: 'Invalid token provided' },
  E0000016: { status: 403, errorCode: 'E0000016', errorSummary: 'Activation failed because the user is already active' },
  E0000022: { status: 405, errorCode: 'E0000022', errorSummary: 'The endpoint does not support the provided HTTP method' },
  E0000047: {
    status: 429,
    errorCode: 'E0000047',
    errorSummary: 'API call exceeded rate limit due to too many requests.',
  },
  E0000068: { status: 403, errorCode: 'E0000068', errorSummary: 'Invalid Passcode/Answer' },
  E0000069: { status: 403, errorCode: 'E0000069', errorSummary: 'User Locked' },
  E0000082: { status: 403, errorCode: 'E0000082', errorSummary: 'Each code can only be used once. Please wait for a new code and try again.' },
  E0000079: { status: 403, errorCode: 'E0000079', errorSummary: 'This operation is not allowed in the current authentication state.' },
  E0000009: { status: 500, errorCode: 'E0000009', errorSummary: 'Internal Server Error' },
  E0000010: { status: 503, errorCode: 'E0000010', errorSummary: 'Service is in read only mode' },
  E0000038: { status: 403, errorCode: 'E0000038', errorSummary: 'This operation is not allowed in the user\'s current status.' },
  E0000109: { status: 429, errorCode: 'E0000109', errorSummary: 'An SMS message was recently sent. Please wait 30 seconds before trying again.' },
} as const satisfies Record<string, OktaErrorDef>;

export type OktaErrorName = keyof typeof OKTA_ERRORS;

export interface OktaErrorCause {
  errorSummary: string;
}

export class OktaApiError extends CodedError {
  readonly status: number;
  readonly errorCode: string;
  readonly errorSummary: string;
  readonly errorCauses: OktaErrorCause[];

  constructor(name: OktaErrorName, causes: string[] = [], summaryOverride?: string) {
    const def: OktaErrorDef = OKTA_ERRORS[name];
    const summary = summaryOverride ?? def.errorSummary;
    super(`OKTA_${def.errorCode}`, `${def.status} ${def.errorCode}: ${summary}${causes.length ? ` (${causes.join('; ')})` : ''}`);
    this.status = def.status;
    this.errorCode = def.errorCode;
    this.errorSummary = summary;
    this.errorCauses = causes.map((errorSummary) => ({ errorSummary }));
  }
}

export function isOktaApiError(e: unknown): e is OktaApiError {
  return e instanceof OktaApiError;
}
