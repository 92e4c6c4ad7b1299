/**
 * LDIF seed files (RFC 2849 content records) → directory entries. Pure.
 *
 * Supported: `dn:`, `attr: value`, base64 `attr:: …`, continuation lines
 * (a line starting with one space continues the previous one), `#` comments,
 * records separated by blank lines, an optional `version: 1` first line.
 * Not supported (refused with the line number): change records (`changetype:`)
 * and URL values (`attr:< file://…`).
 *
 * The simulation's cleartext password comes from `userPassword` (or AD's
 * `unicodePwd::`, base64 of the UTF-16LE password in double quotes). It is held
 * in memory only and never returned by a search.
 */
import { CodedError } from '../../agent/src/errors.ts';
import { type EntryInput, filetimeToEpochMs } from './account.ts';

export interface LdifRecord {
  dn: string;
  /** Attribute values in file order; names as written (options like `;binary` dropped). */
  attributes: Map<string, string[]>;
  /** Line where the record starts, for messages. */
  line: number;
  /** Raw bytes of base64 values, for binary attributes such as logonHours. */
  binary: Map<string, Buffer[]>;
}

function ldifError(line: number, what: string, source?: string): CodedError {
  const where = source ? `${source}:${line}` : `line ${line}`;
  return new CodedError('DIRECTORY_LDIF_INVALID', `LDIF ${where}: ${what}`, { line, source });
}

/** Joins continuation lines, keeping the number of each logical line's first physical line. */
function logicalLines(text: string): Array<{ text: string; line: number }> {
  const out: Array<{ text: string; line: number }> = [];
  const physical = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let inComment = false;
  physical.forEach((raw, i) => {
    if (raw.startsWith(' ') && out.length > 0 && !inComment) {
      const last = out[out.length - 1]!;
      if (last.text !== '') {
        last.text += raw.slice(1);
        return;
      }
    }
    if (raw.startsWith(' ') && inComment) return; // a folded comment stays a comment
    inComment = raw.startsWith('#');
    if (inComment) return;
    out.push({ text: raw, line: i + 1 });
  });
  return out;
}

/** Parses LDIF text into records; throws CodedError DIRECTORY_LDIF_INVALID with the line on bad input. */
export function parseLdif(text: string, source?: string): LdifRecord[] {
  const records: LdifRecord[] = [];
  let current: LdifRecord | undefined;
  let first = true;
  for (const { text: lineText, line } of logicalLines(text)) {
    if (lineText.trim() === '') {
      current = undefined;
      continue;
    }
    const colon = lineText.indexOf(':');
    if (colon <= 0) throw ldifError(line, `expected "attribute: value", got ${JSON.stringify(lineText)}`, source);
    const name = lineText.slice(0, colon).split(';')[0]!.trim();
    let rest = lineText.slice(colon + 1);
    let value: string;
    let bytes: Buffer | undefined;
    if (rest.startsWith(':')) {
      rest = rest.slice(1).trim();
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(rest)) throw ldifError(line, `invalid base64 value for ${name}`, source);
      bytes = Buffer.from(rest, 'base64');
      value = bytes.toString('utf8');
    } else if (rest.startsWith('<')) {
      throw ldifError(line, `URL values (${name}:<) are not supported; put the value inline`, source);
    } else {
      value = rest.replace(/^ +/, '');
    }
    if (first && !current && name.toLowerCase() === 'version') {
      first = false;
      if (value.trim() !== '1') throw ldifError(line, `unsupported LDIF version ${value}`, source);
      continue;
    }
    first = false;
    if (!current) {
      if (name.toLowerCase() !== 'dn') throw ldifError(line, `a record must start with "dn:", got "${name}:"`, source);
      current = { dn: value.trim(), attributes: new Map(), binary: new Map(), line };
      records.push(current);
      continue;
    }
    if (name.toLowerCase() === 'dn') throw ldifError(line, 'a second "dn:" in one record; separate records with a blank line', source);
    if (name.toLowerCase() === 'changetype') {
      throw ldifError(line, 'change records are not supported; give entries as plain content records', source);
    }
    const key = [...current.attributes.keys()].find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
    current.attributes.set(key, [...(current.attributes.get(key) ?? []), value]);
    if (bytes) current.binary.set(key.toLowerCase(), [...(current.binary.get(key.toLowerCase()) ?? []), bytes]);
  }
  return records;
}

function single(record: LdifRecord, name: string, source?: string): string | undefined {
  const values = get(record, name);
  if (values.length > 1) throw ldifError(record.line, `${record.dn}: ${name} must have one value, has ${values.length}`, source);
  return values[0];
}

function get(record: LdifRecord, name: string): string[] {
  for (const [k, v] of record.attributes) if (k.toLowerCase() === name.toLowerCase()) return v;
  return [];
}

const MODELLED = new Set([
  'dn',
  'objectclass',
  'samaccountname',
  'userprincipalname',
  'displayname',
  'mail',
  'memberof',
  'useraccountcontrol',
  'accountexpires',
  'pwdlastset',
  'lockouttime',
  'logonhours',
  'userworkstations',
  'userpassword',
  'unicodepwd',
]);

/** Decodes AD's unicodePwd: UTF-16LE of the password in double quotes. */
function decodeUnicodePwd(bytes: Buffer): string {
  const text = bytes.toString('utf16le');
  return text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text;
}

function time(record: LdifRecord, name: string, source?: string): number | undefined {
  const v = single(record, name, source);
  if (v === undefined) return undefined;
  try {
    return filetimeToEpochMs(v);
  } catch {
    throw ldifError(record.line, `${record.dn}: ${name} must be an AD FILETIME number, got ${JSON.stringify(v)}`, source);
  }
}

/** One LDIF record → the fields of an entry. `pwdLastSet: 0` means must change; `-1` or absent means "now". */
export function entryFromRecord(record: LdifRecord, source?: string): EntryInput {
  const uacText = single(record, 'userAccountControl', source);
  if (uacText !== undefined && !/^\d+$/.test(uacText.trim())) {
    throw ldifError(record.line, `${record.dn}: userAccountControl must be a decimal number, got ${JSON.stringify(uacText)}`, source);
  }
  const pwdText = single(record, 'pwdLastSet', source)?.trim();
  const logonHours = record.binary.get('logonhours')?.[0];
  if (logonHours && logonHours.length !== 21) {
    throw ldifError(record.line, `${record.dn}: logonHours must be 21 bytes (base64), got ${logonHours.length}`, source);
  }
  const unicodePwd = record.binary.get('unicodepwd')?.[0];
  const workstations = single(record, 'userWorkstations', source);
  const extra: Record<string, string[]> = {};
  for (const [k, v] of record.attributes) if (!MODELLED.has(k.toLowerCase())) extra[k] = v;
  const objectClass = get(record, 'objectClass');
  return {
    dn: record.dn,
    objectClass: objectClass.length > 0 ? objectClass : undefined,
    sAMAccountName: single(record, 'sAMAccountName', source),
    userPrincipalName: single(record, 'userPrincipalName', source),
    displayName: single(record, 'displayName', source),
    mail: single(record, 'mail', source),
    memberOf: get(record, 'memberOf'),
    userAccountControl: uacText === undefined ? undefined : Number(uacText),
    accountExpires: time(record, 'accountExpires', source),
    pwdLastSet: pwdText === '0' ? 0 : pwdText === '-1' ? undefined : time(record, 'pwdLastSet', source),
    lockoutTime: time(record, 'lockoutTime', source),
    logonHours: logonHours ? new Uint8Array(logonHours) : undefined,
    userWorkstations: workstations
      ?.split(',')
      .map((w) => w.trim())
      .filter(Boolean),
    password: unicodePwd ? decodeUnicodePwd(unicodePwd) : single(record, 'userPassword', source),
    extra,
  };
}

/** LDIF text → entry inputs, ready for the directory. */
export function entriesFromLdif(text: string, source?: string): EntryInput[] {
  return parseLdif(text, source).map((r) => entryFromRecord(r, source));
}
