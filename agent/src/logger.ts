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
