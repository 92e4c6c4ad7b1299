/**
 * Secrets in reports: scans every file a run wrote for every secret the run
 * used, so "no secret, token, TOTP seed or live passcode in reports or logs"
 * stays true.
 *
 * Which secrets a run used comes from a ledger: when RMH_SECRET_LEDGER names a
 * file, the scenarios append one JSON line per secret they used
 * (`{"kind":"shared-secret","value":"…","source":"…"}`, see `recordSecret`),
 * from every Cucumber worker. The ledger holds secrets: it lives outside the
 * report folder, mode 0600, and the test deletes it. Beside the ledger, the
 * scan looks for shapes no report should contain whatever the run was
 * (`LEAK_PATTERNS`: an SSWS token, an otpauth:// URI, the lab's password shape).
 *
 * A secret is looked for as written and as the reports could encode it: JSON
 * and HTML escaping, URL encoding, hex (packet traces print datagrams as hex)
 * and base64 (Cucumber attachments and embedded messages). Passcodes are short
 * digit strings, so they are matched only as whole numbers, as written.
 */
import { appendFileSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export type SecretKind = 'shared-secret' | 'api-token' | 'totp-seed' | 'password' | 'passcode';
export const SECRET_KINDS: readonly SecretKind[] = ['shared-secret', 'api-token', 'totp-seed', 'password', 'passcode'];

export interface KnownSecret {
  kind: SecretKind;
  value: string;
  /** Where it came from (a scenario, a seed); never printed with the value. */
  source?: string;
}

export interface LeakPattern {
  kind: string;
  pattern: RegExp;
}

/** Shapes that are a leak wherever they appear in a report. */
export const LEAK_PATTERNS: readonly LeakPattern[] = [
  // Okta SSWS tokens as the mock org makes them ("00" + 40 base64url characters), or any SSWS header value.
  { kind: 'api-token', pattern: /(?<![A-Za-z0-9_-])00[A-Za-z0-9_-]{40}(?![A-Za-z0-9_-])/ },
  { kind: 'api-token', pattern: /SSWS\s+[A-Za-z0-9_-]{20,}/ },
  { kind: 'totp-seed', pattern: /otpauth:\/\/[a-z]+\/[^\s"'<]*secret=/i },
  // The World's passwords: `Correct-Horse-<Person>-<n>!`.
  { kind: 'password', pattern: /Correct-Horse-[A-Za-z]+-\d+!/ },
];

export interface Leak {
  file: string;
  kind: string;
  /** How it was written: raw, json, html, url, hex, base64, or pattern. */
  encoding: string;
  offset: number;
  /** Where it came from (the ledger's source), never the value. */
  source?: string;
}

export interface ScanResult {
  files: number;
  bytes: number;
  leaks: Leak[];
}

// ─── the ledger ───────────────────────────────────────────────────────────

/** Appends one secret to the ledger named by RMH_SECRET_LEDGER (nothing when unset or empty). */
export function recordSecret(kind: SecretKind, value: string | undefined, source?: string, ledger = process.env.RMH_SECRET_LEDGER): void {
  if (!ledger || !value) return;
  // One write per line with O_APPEND: lines from parallel workers do not interleave.
  appendFileSync(ledger, `${JSON.stringify({ kind, value, ...(source ? { source } : {}) })}\n`, { mode: 0o600 });
}

/** Reads a ledger; duplicate values are kept once. Throws on a malformed line (a broken ledger must not pass a scan). */
export function readLedger(file: string): KnownSecret[] {
  const seen = new Map<string, KnownSecret>();
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .forEach((line, i) => {
      const e = JSON.parse(line) as Partial<KnownSecret>;
      if (typeof e.value !== 'string' || !SECRET_KINDS.includes(e.kind as SecretKind)) {
        throw new Error(`secret ledger ${file} line ${i + 1}: expected {"kind": one of ${SECRET_KINDS.join(', ')}, "value": string}`);
      }
      if (!seen.has(`${e.kind}\0${e.value}`)) seen.set(`${e.kind}\0${e.value}`, e as KnownSecret);
    });
  return [...seen.values()];
}

// ─── the scan ─────────────────────────────────────────────────────────────

interface Needle {
  encoding: string;
  bytes: Buffer;
  /** Digits only: must not touch another digit. */
  wholeNumber: boolean;
}

const htmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/**
 * Base64 of a value at each of the three alignments it can start at inside a
 * longer encoded text, without the characters that depend on its neighbours.
 */
function base64Variants(value: Buffer): string[] {
  const out: string[] = [];
  for (let pad = 0; pad < 3; pad++) {
    const b64 = Buffer.concat([Buffer.alloc(pad), value]).toString('base64').replace(/=+$/, '');
    const skip = pad === 0 ? 0 : pad === 1 ? 2 : 3;
    const tail = (pad + value.length) % 3; // the last group's characters also depend on what follows
    const end = b64.length - (tail === 0 ? 0 : 1);
    const core = b64.slice(skip, end);
    if (core.length >= 8) out.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return out;
}

export function needlesOf(secret: KnownSecret): Needle[] {
  const value = secret.value;
  if (secret.kind === 'passcode' || /^\d+$/.test(value)) {
    return [{ encoding: 'raw', bytes: Buffer.from(value), wholeNumber: true }];
  }
  const forms = new Map<string, string>([
    ['raw', value],
    ['json', JSON.stringify(value).slice(1, -1)],
    ['html', htmlEscape(value)],
    ['url', encodeURIComponent(value)],
    ['hex', Buffer.from(value).toString('hex')],
    ['HEX', Buffer.from(value).toString('hex').toUpperCase()],
  ]);
  for (const [i, v] of base64Variants(Buffer.from(value)).entries()) forms.set(`base64#${i}`, v);
  const needles: Needle[] = [];
  const seen = new Set<string>();
  for (const [encoding, text] of forms) {
    if (seen.has(text)) continue;
    seen.add(text);
    needles.push({ encoding: encoding.replace(/#\d+$/, ''), bytes: Buffer.from(text), wholeNumber: false });
  }
  return needles;
}

const isAlnum = (b: number | undefined) => b !== undefined && ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a));
const NANOS = Buffer.from('"nanos":');

/**
 * A short digit string counts as a passcode only where one could stand: not
 * inside a longer word or number (UUIDs, hex, timestamps), and not as the
 * `nanos` of a Cucumber timestamp or duration (sub-millisecond durations are
 * six-digit numbers). Otherwise 18 six-digit codes would meet thousands of
 * six-digit runs in a run's reports by chance.
 */
function standsAlone(buf: Buffer, at: number, length: number): boolean {
  if (isAlnum(buf[at - 1]) || isAlnum(buf[at + length])) return false;
  return !(at >= NANOS.length && buf.subarray(at - NANOS.length, at).equals(NANOS));
}

/** Every leak in one file's bytes (latin1 view for patterns, so binary files such as pcaps scan too). */
export function scanBuffer(file: string, buf: Buffer, secrets: readonly KnownSecret[], patterns: readonly LeakPattern[] = LEAK_PATTERNS): Leak[] {
  const leaks: Leak[] = [];
  for (const secret of secrets) {
    for (const n of needlesOf(secret)) {
      for (let at = buf.indexOf(n.bytes); at !== -1; at = buf.indexOf(n.bytes, at + 1)) {
        if (n.wholeNumber && !standsAlone(buf, at, n.bytes.length)) continue;
        leaks.push({ file, kind: secret.kind, encoding: n.encoding, offset: at, ...(secret.source ? { source: secret.source } : {}) });
        break; // one hit per needle and file is enough to report
      }
    }
  }
  const text = buf.toString('latin1');
  for (const p of patterns) {
    const m = p.pattern.exec(text);
    if (m) leaks.push({ file, kind: p.kind, encoding: 'pattern', offset: m.index });
  }
  // Cucumber's message stream carries attachments as base64: scan them decoded too.
  if (file.endsWith('.ndjson')) {
    for (const line of text.split('\n')) {
      if (!line.includes('"BASE64"')) continue;
      try {
        const msg = JSON.parse(line) as { attachment?: { body?: string; contentEncoding?: string } };
        const a = msg.attachment;
        if (a?.contentEncoding === 'BASE64' && typeof a.body === 'string') {
          for (const l of scanBuffer(`${file} (attachment)`, Buffer.from(a.body, 'base64'), secrets, patterns)) leaks.push(l);
        }
      } catch {
        // Not a JSON line: the raw scan above already covered it.
      }
    }
  }
  return leaks;
}

/** Every regular file under `dir`, recursively. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(p));
    else if (entry.isFile()) out.push(p);
  }
  return out.sort();
}

export function scanTree(dir: string, secrets: readonly KnownSecret[], patterns: readonly LeakPattern[] = LEAK_PATTERNS): ScanResult {
  const files = listFiles(dir);
  let bytes = 0;
  const leaks: Leak[] = [];
  for (const f of files) {
    bytes += statSync(f).size;
    leaks.push(...scanBuffer(relative(dir, f), readFileSync(f), secrets, patterns));
  }
  return { files: files.length, bytes, leaks };
}

/** One line per leak, without the secret: file, kind, encoding, offset, source. */
export function describeLeaks(leaks: readonly Leak[]): string {
  return leaks.map((l) => `${l.file}@${l.offset}: ${l.kind} (${l.encoding})${l.source ? ` from ${l.source}` : ''}`).join('\n');
}
