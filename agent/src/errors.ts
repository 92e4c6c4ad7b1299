/**
 * Errors people act on: a stable machine-readable `code` (never reworded once
 * published) and a message that says what to do next.
 */
export class CodedError extends Error {
  readonly code: string;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, details: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CodedError';
    this.code = code;
    this.details = details;
  }
}

export function isCodedError(e: unknown, code?: string): e is CodedError {
  return e instanceof CodedError && (code === undefined || e.code === code);
}
