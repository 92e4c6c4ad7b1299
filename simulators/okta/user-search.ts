/**
 * The subset of Okta's user `search` / `filter` expressions the harness uses
 * (GET /api/v1/users): clauses `<property> eq|sw|co "<value>"` joined by
 * `and` or `or` (no parentheses). Properties: id, status, profile.login,
 * profile.email, profile.firstName, profile.lastName. As Okta documents for
 * `search`, operators and values are case-insensitive; property names are not.
 * https://developer.okta.com/docs/api/openapi/okta-management/management/tag/User/#tag/User/operation/listUsers
 * Anything else is refused with 400 E0000001 naming what is supported,
 * rather than answered wrongly.
 */
import { OktaApiError } from './okta-errors.ts';
import type { UserRecord } from './types.ts';

type Getter = (u: UserRecord) => string;

const PROPERTIES: Record<string, Getter> = {
  id: (u) => u.id,
  status: (u) => u.status,
  'profile.login': (u) => u.profile.login,
  'profile.email': (u) => u.profile.email,
  'profile.firstName': (u) => u.profile.firstName,
  'profile.lastName': (u) => u.profile.lastName,
};

const CLAUSE = /^\s*([A-Za-z.]+)\s+(eq|sw|co)\s+"((?:[^"\\]|\\.)*)"\s*/i;

/** A predicate for `expression`; throws 400 E0000001 for what this mock does not support. */
export function userSearch(expression: string): (u: UserRecord) => boolean {
  let rest = expression;
  const clauses: Array<(u: UserRecord) => boolean> = [];
  let joiner: 'and' | 'or' | undefined;
  for (;;) {
    const m = CLAUSE.exec(rest);
    const get = m ? PROPERTIES[m[1]!] : undefined;
    if (!m || !get) {
      throw new OktaApiError('E0000001', [
        `search: this mock supports <property> eq|sw|co "<value>" joined by and/or, on ${Object.keys(PROPERTIES).join(', ')}; got ${JSON.stringify(expression)}`,
      ]);
    }
    const op = m[2]!.toLowerCase();
    const value = m[3]!.replace(/\\(.)/g, '$1').toLowerCase();
    clauses.push((u) => {
      const v = get(u).toLowerCase();
      return op === 'eq' ? v === value : op === 'sw' ? v.startsWith(value) : v.includes(value);
    });
    rest = rest.slice(m[0].length);
    if (!rest.trim()) break;
    const j = /^(and|or)\s+/i.exec(rest);
    const next = j?.[1]?.toLowerCase() as 'and' | 'or' | undefined;
    if (!j || (joiner && next !== joiner)) {
      throw new OktaApiError('E0000001', [`search: join clauses with only "and" or only "or" (no parentheses); got ${JSON.stringify(expression)}`]);
    }
    joiner = next;
    rest = rest.slice(j[0].length);
  }
  return joiner === 'or' ? (u) => clauses.some((c) => c(u)) : (u) => clauses.every((c) => c(u));
}
