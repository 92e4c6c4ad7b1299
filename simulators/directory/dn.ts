/**
 * Just enough DN handling for look-ups (pure, no ldapjs): AD compares DNs
 * case-insensitively and ignores spaces around separators, so we compare a
 * normalised form rather than the text.
 */

/** Splits on separators that are not escaped with a backslash. */
function splitUnescaped(text: string, sep: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      current += ch + text[i + 1];
      i++;
    } else if (ch === sep) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

/** `\2C` and `\,` both mean ","; normalise both to the character itself. */
function unescapeValue(value: string): string {
  return value.replace(/\\([0-9a-fA-F]{2}|.)/g, (_m, esc: string) =>
    esc.length === 2 ? String.fromCharCode(Number.parseInt(esc, 16)) : esc,
  );
}

/** The RDNs of a DN as lower-case `type=value` strings, leftmost first; undefined if not a DN. */
export function dnParts(dn: string): string[] | undefined {
  const trimmed = dn.trim();
  if (trimmed === '') return [];
  const parts: string[] = [];
  for (const rdn of splitUnescaped(trimmed, ',')) {
    const eq = rdn.indexOf('=');
    if (eq <= 0) return undefined;
    const type = rdn.slice(0, eq).trim().toLowerCase();
    if (!/^[a-z][a-z0-9-]*$|^[0-9]+(\.[0-9]+)*$/.test(type)) return undefined;
    parts.push(`${type}=${unescapeValue(rdn.slice(eq + 1).trim()).toLowerCase()}`);
  }
  return parts;
}

/** Whether the text parses as a DN (non-empty). */
export function looksLikeDn(text: string): boolean {
  const parts = dnParts(text);
  return parts !== undefined && parts.length > 0;
}

/** Canonical key for comparing DNs; falls back to the lower-cased text for non-DNs. */
export function normalizeDn(dn: string): string {
  return dnParts(dn)?.join(',') ?? dn.trim().toLowerCase();
}

/** Whether `dn` is `base` itself or below it. */
export function isUnder(dn: string, base: string): boolean {
  const d = dnParts(dn);
  const b = dnParts(base);
  if (!d || !b || b.length > d.length) return false;
  const offset = d.length - b.length;
  return b.every((p, i) => d[offset + i] === p);
}

/** Number of RDNs, for one-level scope. */
export function dnDepth(dn: string): number {
  return dnParts(dn)?.length ?? 0;
}

/** `DC=corp,DC=example,DC=com` → `corp.example.com` (the DNS domain, for implicit UPNs). */
export function dnsDomainOf(baseDn: string): string {
  return (dnParts(baseDn) ?? [])
    .filter((p) => p.startsWith('dc='))
    .map((p) => p.slice(3))
    .join('.');
}
