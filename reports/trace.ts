/**
 * Human-readable packet traces (text and HTML) from a scenario's PacketEvents:
 * who sent what to whom, code names, identifiers, every attribute decoded — with
 * User-Password and other credentials shown only as hidden, and
 * Message-Authenticator shown as present (valid / INVALID when a secret is given
 * for the check). Also the JSON form steps attach to each scenario
 * ('application/x.radius-trace+json': PacketEvent[] with bytes as hex).
 */
import type { PacketEvent } from '../agent/src/packet-events.ts';
import { type Datagram, datagrams } from './pcap.ts';
import { isRequestCode, type PacketView, viewPacket } from './radius-view.ts';

export const TRACE_MEDIA_TYPE = 'application/x.radius-trace+json';

/** A PacketEvent as JSON: the datagram's bytes as lower-case hex. */
export type SerializedPacketEvent = Omit<PacketEvent, 'bytes'> & { bytes: string };

export function serializeTrace(events: readonly PacketEvent[]): string {
  return JSON.stringify(events.map((e) => ({ ...e, bytes: Buffer.from(e.bytes).toString('hex') })));
}

function isEndpoint(v: unknown): v is { address: string; port: number } {
  return typeof v === 'object' && v !== null && typeof (v as { address?: unknown }).address === 'string' && typeof (v as { port?: unknown }).port === 'number';
}

/**
 * Reads a trace attachment: a JSON array of events, or an object with an
 * `events` array. Throws with what is wrong (the attachment is produced by our
 * own steps, so a bad one is a bug worth seeing).
 */
export function parseTrace(json: string): PacketEvent[] {
  const data: unknown = JSON.parse(json);
  const list: unknown = Array.isArray(data) ? data : (data as { events?: unknown } | null)?.events;
  if (!Array.isArray(list)) throw new Error('packet trace attachment is neither an array of events nor { events: [...] }');
  return list.map((raw: unknown, i): PacketEvent => {
    const e = raw as Partial<SerializedPacketEvent> & { bytes?: unknown };
    if (typeof e !== 'object' || e === null) throw new Error(`packet trace event ${i} is not an object`);
    if (e.direction !== 'sent' && e.direction !== 'received' && e.direction !== 'dropped') {
      throw new Error(`packet trace event ${i}: direction must be sent, received or dropped`);
    }
    if (!isEndpoint(e.local) || !isEndpoint(e.remote)) throw new Error(`packet trace event ${i}: local and remote must be { address, port }`);
    let bytes: Uint8Array;
    if (typeof e.bytes === 'string') bytes = Buffer.from(e.bytes, 'hex');
    else if (Array.isArray(e.bytes)) bytes = Uint8Array.from(e.bytes as number[]);
    else throw new Error(`packet trace event ${i}: bytes must be a hex string`);
    const event: PacketEvent = {
      direction: e.direction,
      observer: typeof e.observer === 'string' ? e.observer : 'unknown',
      at: typeof e.at === 'number' ? e.at : 0,
      local: e.local,
      remote: e.remote,
      bytes,
    };
    if (typeof e.code === 'number') event.code = e.code;
    if (typeof e.identifier === 'number') event.identifier = e.identifier;
    if (typeof e.reason === 'string') event.reason = e.reason;
    if (typeof e.detail === 'string') event.detail = e.detail;
    return event;
  });
}

export interface TraceOptions {
  title?: string;
  /**
   * Shared secret for a RADIUS client address, to check Message-Authenticator
   * and Response Authenticator. Used for the check only; never written out.
   */
  secretFor?: (clientAddress: string) => string | undefined;
  /** File name of the pcap beside the trace, linked from the HTML. */
  pcapFile?: string;
  /** The tshark command line that decodes the pcap (secret as a placeholder). */
  tsharkCommand?: string;
}

export interface TraceEntry {
  datagram: Datagram;
  view: PacketView;
  /** Milliseconds since the first datagram of the trace. */
  offsetMs: number;
  /** e.g. "ad-connector sent, agent received" or "agent dropped (bad-message-authenticator)". */
  observations: string[];
}

/** Decoded datagrams in time order, responses checked against the request they answer. */
export function traceEntries(events: readonly PacketEvent[], options: TraceOptions = {}): TraceEntry[] {
  const grams = datagrams(events);
  const start = grams[0]?.at ?? 0;
  // Request authenticators by client endpoint + identifier, as a server keys them.
  const requests = new Map<string, Uint8Array>();
  return grams.map((d) => {
    const code = d.bytes[0];
    const request = isRequestCode(code);
    const client = request ? d.src : d.dst;
    const k = `${client.address}|${client.port}|${d.bytes[1]}`;
    const secret = options.secretFor?.(client.address);
    const view = viewPacket(d.bytes, {
      ...(secret !== undefined ? { secret } : {}),
      ...(!request && requests.has(k) ? { requestAuthenticator: requests.get(k)! } : {}),
    });
    if (request && d.bytes.length >= 20) requests.set(k, d.bytes.subarray(4, 20));
    const observations = d.events.map((e) => {
      let s = `${e.observer} ${e.direction}`;
      if (e.reason) s += ` (${e.reason})`;
      if (e.detail) s += `: ${e.detail}`;
      return s;
    });
    return { datagram: d, view, offsetMs: d.at - start, observations };
  });
}

function endpoint(e: { address: string; port: number }): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

function headline(t: TraceEntry): string {
  const v = t.view;
  const id = v.identifier === undefined ? '' : ` id=${v.identifier}`;
  const len = v.length === undefined ? ` (${t.datagram.bytes.length} octets)` : ` len=${v.length}`;
  return `${v.codeName}${id}${len}`;
}

function summaryLine(t: TraceEntry): string | undefined {
  const parts: string[] = [];
  if (t.view.responseAuthenticator) parts.push(`Response Authenticator ${t.view.responseAuthenticator === 'valid' ? 'valid' : 'INVALID'}`);
  if (t.view.messageAuthenticatorPosition !== undefined && t.view.messageAuthenticatorPosition !== 1) {
    parts.push(`Message-Authenticator is attribute #${t.view.messageAuthenticatorPosition}, not first`);
  }
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/** Plain-text trace, one block per datagram. */
export function renderTraceText(events: readonly PacketEvent[], options: TraceOptions = {}): string {
  const lines: string[] = [];
  if (options.title) lines.push(options.title, '='.repeat(Math.min(options.title.length, 100)), '');
  const entries = traceEntries(events, options);
  if (entries.length === 0) lines.push('(no RADIUS packets)');
  for (const t of entries) {
    const d = t.datagram;
    lines.push(`+${(t.offsetMs / 1000).toFixed(3)}s  ${endpoint(d.src)} -> ${endpoint(d.dst)}  ${headline(t)}`);
    lines.push(`    ${t.observations.join('; ')}`);
    for (const p of t.view.problems) lines.push(`    ! ${p}`);
    const s = summaryLine(t);
    if (s) lines.push(`    ! ${s}`);
    for (const a of t.view.attributes) lines.push(`    ${a.name} = ${a.value}`);
    lines.push('');
  }
  if (options.pcapFile) lines.push(`pcap: ${options.pcapFile}`);
  if (options.tsharkCommand) lines.push(`decode: ${options.tsharkCommand}`);
  return `${lines.join('\n').trimEnd()}\n`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const TRACE_CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3}.attrs{font-family:ui-monospace,monospace;font-size:12px;white-space:pre-wrap}
.drop{background:#fff1f0}.req{color:#0b5394}.resp{color:#38761d}.warn{color:#b00;font-weight:600}code{background:#f3f3f3;padding:0 .2em}`;

/** Stand-alone HTML trace (no scripts, no external resources). */
export function renderTraceHtml(events: readonly PacketEvent[], options: TraceOptions = {}): string {
  const title = options.title ?? 'RADIUS packet trace';
  const rows = traceEntries(events, options).map((t) => {
    const d = t.datagram;
    const dropped = d.events.some((e) => e.direction === 'dropped');
    const cls = isRequestCode(t.view.code) ? 'req' : 'resp';
    const warnings = [...t.view.problems, ...(summaryLine(t) ? [summaryLine(t)!] : [])]
      .map((w) => `<div class="warn">${escapeHtml(w)}</div>`)
      .join('');
    const attrs = t.view.attributes.map((a) => `${escapeHtml(a.name)} = ${escapeHtml(a.value)}`).join('\n');
    return `<tr${dropped ? ' class="drop"' : ''}><td>+${(t.offsetMs / 1000).toFixed(3)}s</td><td>${escapeHtml(endpoint(d.src))} → ${escapeHtml(endpoint(d.dst))}</td><td class="${cls}">${escapeHtml(headline(t))}</td><td>${escapeHtml(t.observations.join('; '))}</td><td class="attrs">${warnings}${attrs}</td></tr>`;
  });
  const pcap = options.pcapFile
    ? `<p>Capture: <a href="${escapeHtml(options.pcapFile)}">${escapeHtml(options.pcapFile)}</a>${options.tsharkCommand ? ` — decode with <code>${escapeHtml(options.tsharkCommand)}</code>` : ''}</p>`
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${TRACE_CSS}</style></head><body>
<h1>${escapeHtml(title)}</h1>${pcap}
<table><thead><tr><th>time</th><th>from → to</th><th>packet</th><th>seen by</th><th>attributes</th></tr></thead><tbody>
${rows.length > 0 ? rows.join('\n') : '<tr><td colspan="5">(no RADIUS packets)</td></tr>'}
</tbody></table></body></html>
`;
}
