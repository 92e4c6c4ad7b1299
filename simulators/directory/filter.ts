/**
 * LDAP search filters evaluated the AD way, pure (the server turns ldapjs's
 * parsed filter into a FilterNode). AD compares attribute names and most
 * string values case-insensitively, and DN-valued attributes (memberOf,
 * member, distinguishedName) as DNs; ldapjs's own matcher is case-sensitive
 * on values, so we don't use it.
 */
import { normalizeDn } from './dn.ts';

export type FilterNode =
  | { type: 'and'; filters: FilterNode[] }
  | { type: 'or'; filters: FilterNode[] }
  | { type: 'not'; filter: FilterNode }
  | { type: 'present'; attribute: string }
  | { type: 'equal'; attribute: string; value: string }
  | { type: 'substring'; attribute: string; initial?: string; any: string[]; final?: string }
  | { type: 'ge' | 'le'; attribute: string; value: string }
  /** Only the bitwise rules AD offers (1.2.840.113556.1.4.803 AND, .804 OR); others match nothing. */
  | { type: 'extensible'; attribute: string; rule: string; value: string };

/** Attribute values by name (any case). */
export type Attributes = Record<string, string[]>;

const DN_VALUED = new Set(['memberof', 'member', 'distinguishedname', 'manager']);
const BIT_AND = '1.2.840.113556.1.4.803';
const BIT_OR = '1.2.840.113556.1.4.804';

function valuesOf(attrs: Attributes, name: string): string[] {
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(attrs)) if (k.toLowerCase() === want) return v;
  return [];
}

function canon(attribute: string, value: string): string {
  return DN_VALUED.has(attribute.toLowerCase()) ? normalizeDn(value) : value.toLowerCase();
}

function compareOrdered(a: string, b: string): number {
  if (/^-?\d+$/.test(a) && /^-?\d+$/.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0;
}

function substringMatch(value: string, f: { initial?: string; any: string[]; final?: string }): boolean {
  const v = value.toLowerCase();
  let pos = 0;
  if (f.initial) {
    if (!v.startsWith(f.initial.toLowerCase())) return false;
    pos = f.initial.length;
  }
  for (const part of f.any) {
    const at = v.indexOf(part.toLowerCase(), pos);
    if (at < 0) return false;
    pos = at + part.length;
  }
  if (f.final) {
    const fin = f.final.toLowerCase();
    return v.length - fin.length >= pos && v.endsWith(fin);
  }
  return true;
}

export function matchFilter(node: FilterNode, attrs: Attributes): boolean {
  switch (node.type) {
    case 'and':
      return node.filters.every((f) => matchFilter(f, attrs));
    case 'or':
      return node.filters.some((f) => matchFilter(f, attrs));
    case 'not':
      return !matchFilter(node.filter, attrs);
    case 'present':
      // (objectClass=*) is the conventional "everything" filter.
      return node.attribute.toLowerCase() === 'objectclass' || valuesOf(attrs, node.attribute).length > 0;
    case 'equal': {
      const want = canon(node.attribute, node.value);
      return valuesOf(attrs, node.attribute).some((v) => canon(node.attribute, v) === want);
    }
    case 'substring':
      return valuesOf(attrs, node.attribute).some((v) => substringMatch(v, node));
    case 'ge':
      return valuesOf(attrs, node.attribute).some((v) => compareOrdered(v, node.value) >= 0);
    case 'le':
      return valuesOf(attrs, node.attribute).some((v) => compareOrdered(v, node.value) <= 0);
    case 'extensible': {
      if (node.rule !== BIT_AND && node.rule !== BIT_OR) return false;
      if (!/^\d+$/.test(node.value)) return false;
      const mask = BigInt(node.value);
      return valuesOf(attrs, node.attribute).some((v) => {
        if (!/^-?\d+$/.test(v)) return false;
        const bits = BigInt(v) & mask;
        return node.rule === BIT_AND ? bits === mask : bits !== 0n;
      });
    }
  }
}
