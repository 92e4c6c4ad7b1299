import { type DestinationStream, type Logger, pino } from 'pino';
import { LineWriter } from './line-writer.ts';

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
  /**
   * For the default stdout destination: true writes each line with its own
   * write(2) before the log call returns (pino's synchronous destination).
   * Default false: lines are written in order by a LineWriter (line-writer.ts),
   * which gathers the lines logged within 10 ms, or while a full pipe holds a
   * write back, into one write (one system call per batch instead of one per
   * decision: a third of the hygiene path's cost on a pipe, bench/README.md),
   * and flushes synchronously when the process exits.
   */
  sync?: boolean;
}

/** JSON lines, one per event, with a stable `msg` and a `reason` code on decisions. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const opts = {
    level: options.level ?? 'info',
    base: { name: 'radius-mfa-agent' },
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
  };
  const stream = options.destination ?? (options.sync ? pino.destination({ dest: 1, sync: true }) : stdoutLineWriter());
  const logger = pino(opts, stream);
  // A stream that wants pino's per-line metadata (pino.multistream) only gets lines through pino.
  if (!(stream as { [pino.symbols.needsMetadataGsym]?: boolean })[pino.symbols.needsMetadataGsym]) {
    direct.set(logger, { stream, bindings: `,"name":${JSON.stringify(opts.base.name)}` });
  }
  return logger;
}

/** The one LineWriter on stdout, flushed when the process exits (lines logged before process.exit are written). */
let stdoutWriter: LineWriter | undefined;

function stdoutLineWriter(): LineWriter {
  if (!stdoutWriter) {
    const writer = new LineWriter(1);
    stdoutWriter = writer;
    process.once('exit', () => writer.flushSync());
  }
  return stdoutWriter;
}

/** Loggers made by createLogger: their stream and the bindings pino writes after `time` (for the decision line). */
const direct = new WeakMap<Logger, { stream: DestinationStream; bindings: string }>();

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

/** The fields of the decision line, in the order they are written. None may hold a secret: add one only with that in mind. */
export interface DecisionFields {
  app: string;
  client: string;
  /** address:port of the datagram's source. */
  remote: string;
  id: number;
  /** As the client sent it. */
  userName: string | undefined;
  login: string | undefined;
  result: string;
  reason: string;
  factor: string | undefined;
  ms: number;
}

/** pino's info level. */
const INFO = 30;

function jsonString(s: string): string {
  return JSON.stringify(s);
}

/** JSON of the decision line's values from small sets (app, client, result, reason, factor): made once each. */
const jsonOfKnown = new Map<string, string>();

function jsonKnown(s: string): string {
  let j = jsonOfKnown.get(s);
  if (j === undefined) {
    j = JSON.stringify(s);
    if (jsonOfKnown.size < 4096) jsonOfKnown.set(s, j);
  }
  return j;
}

function jsonNumber(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}

/**
 * The writer of the one-line-per-decision hot path. For a logger made by
 * createLogger it builds the line itself from the fixed fields above and
 * writes it to the logger's stream — the same JSON pino writes for
 * `info({...fields}, 'decision')` (absent fields left out), without pino's
 * generic serialisation and redaction (over half the cost of a line): the
 * fields are typed and none holds a secret, so there is nothing to redact.
 * Any other logger (a host's own, with its own formatters) gets the line
 * through decisionLogger(logger).info as before.
 */
export function decisionWriter(logger: Logger): (fields: DecisionFields) => void {
  const target = direct.get(logger);
  if (!target) {
    const child = decisionLogger(logger);
    return (fields) => child.info(fields, 'decision');
  }
  const { stream, bindings } = target;
  return (d) => {
    if (logger.levelVal > INFO) return;
    let line = `{"level":${INFO},"time":${Date.now()}${bindings},"app":${jsonKnown(d.app)},"client":${jsonKnown(d.client)},"remote":${jsonString(d.remote)},"id":${jsonNumber(d.id)}`;
    if (d.userName !== undefined) line += `,"userName":${jsonString(d.userName)}`;
    if (d.login !== undefined) line += `,"login":${jsonString(d.login)}`;
    line += `,"result":${jsonKnown(d.result)},"reason":${jsonKnown(d.reason)}`;
    if (d.factor !== undefined) line += `,"factor":${jsonKnown(d.factor)}`;
    stream.write(`${line},"ms":${jsonNumber(d.ms)},"msg":"decision"}\n`);
  };
}
