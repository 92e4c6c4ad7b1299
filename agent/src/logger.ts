import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/**
 * Keys that may hold a secret. pino censors them wherever they appear at these
 * paths; the agent also never passes passwords, passcodes, secrets or the
 * token to a log call in the first place (belt and braces, tested).
 */
export const REDACT_PATHS: readonly string[] = [
  'password',
  'passCode',
  'passcode',
  'secret',
  'apiToken',
  'token',
  'stateToken',
  'authorization',
  'Authorization',
  '*.password',
  '*.passCode',
  '*.passcode',
  '*.secret',
  '*.apiToken',
  '*.token',
  '*.stateToken',
  '*.authorization',
  '*.Authorization',
  'headers.authorization',
  'config.okta.apiToken',
  'config.apps[*].clients[*].secret',
];

export interface LoggerOptions {
  level?: string;
  /** Where lines go; stdout by default. Tests pass a stream to read them. */
  destination?: DestinationStream;
}

/** JSON lines, one per event, with a stable `msg` and a `reason` code on decisions. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const opts = {
    level: options.level ?? 'info',
    base: { name: 'radius-mfa-agent' },
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
  };
  return options.destination ? pino(opts, options.destination) : pino(opts);
}

/** For embedding: logs nothing unless the host passes its own logger. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** Top-level keys redacted on the decision line (its keys are fixed; these guard against a future mistake). */
export const DECISION_REDACT_PATHS: readonly string[] = REDACT_PATHS.filter((p) => !p.includes('.') && !p.includes('['));

/**
 * The logger for the one-line-per-decision hot path: a child whose redaction
 * covers top-level keys only. pino's wildcard paths (`*.password` …) walk every
 * key of every line and cost more than the rest of the line; a decision line is
 * flat, so they can never match in it.
 */
export function decisionLogger(logger: Logger): Logger {
  return logger.child({}, { redact: { paths: [...DECISION_REDACT_PATHS], censor: '[redacted]' } });
}
