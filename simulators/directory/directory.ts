/**
 * The AD-like directory's state and operations, without any LDAP wire code:
 * resolving bind names the three ways AD accepts them, deciding binds (with
 * lockout counting on the injected clock), searching, and the runtime controls
 * scenarios use (disable, lock, expire, …). ldap-server.ts puts it on TCP.
 */
import type { Clock } from '../../agent/src/clock.ts';
import { CodedError } from '../../agent/src/errors.ts';
import {
  type AccountPolicy,
  type DirectoryEntry,
  DEFAULT_POLICY,
  type EntryInput,
  epochMsToFiletime,
  FILETIME_NEVER,
  isLockedOut,
  makeEntry,
  recordBadPassword,
  recordGoodPassword,
  redactEntry,
  UAC,
  checkBind,
} from './account.ts';
import { type AdData, adBindDiagnostic } from './ad-codes.ts';
import { dnDepth, dnParts, dnsDomainOf, isUnder, looksLikeDn, normalizeDn } from './dn.ts';
import { type Attributes, type FilterNode, matchFilter } from './filter.ts';

export interface DirectoryOptions {
  /** NetBIOS domain name, as in `CORP\alice`. */
  domain: string;
  /** Naming context, e.g. `DC=corp,DC=example,DC=com`. */
  baseDn: string;
  clock: Clock;
  entries?: EntryInput[];
  policy?: Partial<AccountPolicy>;
}

/** How a bind name was written. */
export type BindNameForm = 'anonymous' | 'dn' | 'downlevel' | 'upn' | 'unrecognised';

export type BindResult =
  | { kind: 'ok'; entry: DirectoryEntry; form: BindNameForm; identity: string }
  /** Empty password: AD accepts it as an anonymous bind. The connection stays anonymous; never a login. */
  | { kind: 'unauthenticated'; form: BindNameForm }
  | { kind: 'invalid'; form: BindNameForm; resultCode: 49; adData: AdData; diagnosticMessage: string };

/** What the directory did, for traces and assertions. Never carries a password. */
export type DirectoryEvent =
  | {
      kind: 'bind';
      at: number;
      name: string;
      form: BindNameForm;
      outcome: BindResult['kind'];
      dn?: string;
      adData?: AdData;
      /** This bad password reached the lockout threshold. */
      lockedOut?: boolean;
    }
  | { kind: 'search'; at: number; base: string; scope: SearchScope; as: string | undefined; results: number }
  | { kind: 'control'; at: number; action: string; dn: string };

export type SearchScope = 'base' | 'one' | 'sub';

export interface SearchQuery {
  base: string;
  scope: SearchScope;
  filter: FilterNode;
  /** 0 = no limit. */
  sizeLimit?: number;
}

export type SearchResult =
  | { ok: true; entries: Array<{ dn: string; attributes: Attributes }> }
  | { ok: false; reason: 'noSuchObject' };

const MAX_EVENTS = 1000;

export class Directory {
  readonly domain: string;
  readonly baseDn: string;
  readonly dnsDomain: string;
  readonly policy: AccountPolicy;
  readonly #clock: Clock;
  readonly #entries = new Map<string, DirectoryEntry>();
  readonly #events: DirectoryEvent[] = [];
  readonly #listeners = new Set<(e: DirectoryEvent) => void>();

  constructor(options: DirectoryOptions) {
    if (!looksLikeDn(options.baseDn)) {
      throw new CodedError('DIRECTORY_CONFIG_INVALID', `baseDn ${JSON.stringify(options.baseDn)} is not a DN; use e.g. DC=corp,DC=example,DC=com`);
    }
    if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,14}$/.test(options.domain)) {
      throw new CodedError('DIRECTORY_CONFIG_INVALID', `domain ${JSON.stringify(options.domain)} must be a NetBIOS name (1–15 letters, digits, "-"), e.g. CORP`);
    }
    this.domain = options.domain;
    this.baseDn = options.baseDn;
    this.dnsDomain = dnsDomainOf(options.baseDn);
    this.policy = { ...DEFAULT_POLICY, ...options.policy };
    this.#clock = options.clock;
    for (const e of options.entries ?? []) this.add(e);
    if (!this.#entries.has(normalizeDn(this.baseDn))) {
      // AD always has the domain object; a search based on it must find it.
      const first = dnParts(this.baseDn)![0]!;
      this.add({
        dn: this.baseDn,
        objectClass: ['top', 'domain', 'domainDNS'],
        extra: { dc: [first.slice(first.indexOf('=') + 1)], name: [this.domain] },
      });
    }
  }

  /** Adds (or replaces) an entry. Entries must sit under the base DN. */
  add(input: EntryInput): Readonly<DirectoryEntry> {
    if (!looksLikeDn(input.dn) || !isUnder(input.dn, this.baseDn)) {
      throw new CodedError(
        'DIRECTORY_ENTRY_INVALID',
        `entry ${JSON.stringify(input.dn)} is not a DN under ${this.baseDn}; give its full DN ending in the base DN`,
      );
    }
    const entry = makeEntry(input, this.#clock.now());
    this.#entries.set(normalizeDn(entry.dn), entry);
    return entry;
  }

  /** All entries, passwords redacted. */
  list(): Array<ReturnType<typeof redactEntry>> {
    return [...this.#entries.values()].map(redactEntry);
  }

  /** One entry by DN, `DOMAIN\user`, UPN or bare sAMAccountName, password redacted. */
  get(user: string): ReturnType<typeof redactEntry> | undefined {
    const e = this.#lookup(user);
    return e ? redactEntry(e) : undefined;
  }

  /** Everything the directory did so far (last 1000), oldest first. */
  get events(): readonly DirectoryEvent[] {
    return this.#events;
  }

  onEvent(listener: (e: DirectoryEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** `CORP\alice`: the identity WhoAmI reports for a bound entry. */
  identityOf(entry: Pick<DirectoryEntry, 'sAMAccountName' | 'dn'>): string {
    return `${this.domain}\\${entry.sAMAccountName ?? entry.dn}`;
  }

  /** Which entry a bind name means, the ways AD accepts: full DN, `DOMAIN\user`, UPN. Case-insensitive. */
  resolveBindName(name: string): { form: BindNameForm; entry: DirectoryEntry | undefined } {
    const trimmed = name.trim();
    if (trimmed === '') return { form: 'anonymous', entry: undefined };
    if (looksLikeDn(trimmed)) return { form: 'dn', entry: this.#entries.get(normalizeDn(trimmed)) };
    const slash = trimmed.indexOf('\\');
    if (slash > 0) {
      const domain = trimmed.slice(0, slash).toLowerCase();
      const sam = trimmed.slice(slash + 1).toLowerCase();
      // AD also takes the DNS domain in front of the backslash.
      const ours = domain === this.domain.toLowerCase() || domain === this.dnsDomain.toLowerCase();
      return { form: 'downlevel', entry: ours ? this.#bySam(sam) : undefined };
    }
    const at = trimmed.lastIndexOf('@');
    if (at > 0) {
      const upn = trimmed.toLowerCase();
      const explicit = [...this.#entries.values()].find((e) => e.userPrincipalName?.toLowerCase() === upn);
      if (explicit) return { form: 'upn', entry: explicit };
      // Implicit UPN: sAMAccountName@dns.domain works in AD even without userPrincipalName.
      const suffix = upn.slice(at + 1);
      return { form: 'upn', entry: suffix === this.dnsDomain.toLowerCase() ? this.#bySam(upn.slice(0, at)) : undefined };
    }
    return { form: 'unrecognised', entry: undefined };
  }

  /** Decides a simple bind as AD would, counting bad passwords toward lockout. */
  bind(name: string, password: string): BindResult {
    const now = this.#clock.now();
    const { form, entry } = this.resolveBindName(name);
    const decision = checkBind(entry, password, now, { policy: this.policy });
    let result: BindResult;
    let lockedOut = false;
    if (decision.kind === 'ok' && entry) {
      recordGoodPassword(entry);
      result = { kind: 'ok', entry, form, identity: this.identityOf(entry) };
    } else if (decision.kind === 'invalid') {
      if (decision.adData === '52e' && entry) lockedOut = recordBadPassword(entry, now, this.policy);
      else if (entry) recordGoodPassword(entry); // right password, account state refused it
      result = { kind: 'invalid', form, resultCode: 49, adData: decision.adData, diagnosticMessage: adBindDiagnostic(decision.adData) };
    } else {
      result = { kind: 'unauthenticated', form };
    }
    this.#emit({
      kind: 'bind',
      at: now,
      name,
      form,
      outcome: result.kind,
      dn: entry?.dn,
      adData: result.kind === 'invalid' ? result.adData : undefined,
      lockedOut: lockedOut || undefined,
    });
    return result;
  }

  /** Entries matching the query, attributes as AD returns them (never a password). */
  search(query: SearchQuery, as?: string): SearchResult {
    const base = query.base.trim() === '' ? this.baseDn : query.base;
    if (!isUnder(base, this.baseDn)) return { ok: false, reason: 'noSuchObject' };
    if (query.scope === 'base' && !this.#entries.has(normalizeDn(base))) return { ok: false, reason: 'noSuchObject' };
    const depth = dnDepth(base);
    const out: Array<{ dn: string; attributes: Attributes }> = [];
    for (const e of this.#entries.values()) {
      const inScope =
        query.scope === 'base'
          ? normalizeDn(e.dn) === normalizeDn(base)
          : query.scope === 'one'
            ? dnDepth(e.dn) === depth + 1 && isUnder(e.dn, base)
            : isUnder(e.dn, base);
      if (!inScope) continue;
      const attributes = this.attributesOf(e);
      if (!matchFilter(query.filter, attributes)) continue;
      out.push({ dn: e.dn, attributes });
      if (query.sizeLimit && out.length >= query.sizeLimit) break;
    }
    this.#emit({ kind: 'search', at: this.#clock.now(), base, scope: query.scope, as, results: out.length });
    return { ok: true, entries: out };
  }

  /** The attributes a search returns for an entry, in AD's wire formats. */
  attributesOf(e: DirectoryEntry): Attributes {
    const now = this.#clock.now();
    const attrs: Attributes = { objectClass: [...e.objectClass], distinguishedName: [e.dn] };
    const firstRdn = e.dn.split(',')[0] ?? '';
    if (/^cn=/i.test(firstRdn) && !Object.keys(e.extra).some((k) => k.toLowerCase() === 'cn')) {
      attrs['cn'] = [firstRdn.slice(3).replace(/\\(.)/g, '$1')];
    }
    for (const [k, v] of Object.entries(e.extra)) attrs[k] = [...v];
    if (e.sAMAccountName !== undefined) attrs['sAMAccountName'] = [e.sAMAccountName];
    if (e.userPrincipalName !== undefined) attrs['userPrincipalName'] = [e.userPrincipalName];
    if (e.displayName !== undefined) attrs['displayName'] = [e.displayName];
    if (e.mail !== undefined) attrs['mail'] = [e.mail];
    const memberOf = this.#memberOf(e);
    if (memberOf.length > 0) attrs['memberOf'] = memberOf;
    if (e.sAMAccountName !== undefined && e.objectClass.some((c) => /^(user|computer)$/i.test(c))) {
      attrs['userAccountControl'] = [String(e.userAccountControl)];
      // AD computes lockout and password expiry into this attribute, not into userAccountControl.
      let computed = 0;
      if (isLockedOut(e, now, this.policy)) computed |= UAC.LOCKOUT;
      if ((e.userAccountControl & UAC.PASSWORD_EXPIRED) !== 0) computed |= UAC.PASSWORD_EXPIRED;
      attrs['msDS-User-Account-Control-Computed'] = [String(computed)];
      attrs['accountExpires'] = [e.accountExpires === undefined ? FILETIME_NEVER : epochMsToFiletime(e.accountExpires)];
      attrs['pwdLastSet'] = [e.pwdLastSet === 0 ? '0' : epochMsToFiletime(e.pwdLastSet)];
      attrs['lockoutTime'] = [e.lockoutTime ? epochMsToFiletime(e.lockoutTime) : '0'];
      attrs['badPwdCount'] = [String(e.badPwdCount)];
      if (e.userWorkstations) attrs['userWorkstations'] = [e.userWorkstations.join(',')];
    }
    return attrs;
  }

  // --- runtime control (scenarios: "alice's account is disabled", …) -------

  disable(user: string): void {
    this.#control('disable', user, (e) => {
      e.userAccountControl |= UAC.ACCOUNTDISABLE;
    });
  }

  enable(user: string): void {
    this.#control('enable', user, (e) => {
      e.userAccountControl &= ~UAC.ACCOUNTDISABLE;
    });
  }

  /** Locks the account now, as if the bad-password threshold had been reached. */
  lock(user: string): void {
    this.#control('lock', user, (e) => {
      e.lockoutTime = this.#clock.now();
    });
  }

  /** Clears a lockout and the bad-password count (an administrator's "unlock"). */
  unlock(user: string): void {
    this.#control('unlock', user, (e) => {
      e.lockoutTime = undefined;
      e.userAccountControl &= ~UAC.LOCKOUT;
      e.badPwdCount = 0;
    });
  }

  /** Sets accountExpires (default: now, i.e. expired); `undefined` after `at: 'never'`. */
  expire(user: string, at: number | 'never' = this.#clock.now()): void {
    this.#control('expire', user, (e) => {
      e.accountExpires = at === 'never' ? undefined : at;
    });
  }

  /** "User must change password at next logon" (pwdLastSet = 0). */
  mustChange(user: string): void {
    this.#control('mustChange', user, (e) => {
      e.pwdLastSet = 0;
    });
  }

  /** Marks the password expired (532). */
  expirePassword(user: string): void {
    this.#control('expirePassword', user, (e) => {
      e.userAccountControl |= UAC.PASSWORD_EXPIRED;
    });
  }

  /** Sets a new password: clears must-change and expiry, as a password reset does. */
  setPassword(user: string, password: string): void {
    this.#control('setPassword', user, (e) => {
      e.password = password;
      e.pwdLastSet = this.#clock.now();
      e.userAccountControl &= ~UAC.PASSWORD_EXPIRED;
    });
  }

  /** Allowed logon hours (AD bitmap, see account.ts); undefined = any time. */
  restrictLogonHours(user: string, hours: Uint8Array | undefined): void {
    this.#control('restrictLogonHours', user, (e) => {
      e.logonHours = hours;
    });
  }

  /** Allowed workstations; an LDAP bind comes from no workstation, so any list gives 531. */
  restrictWorkstations(user: string, workstations: string[] | undefined): void {
    this.#control('restrictWorkstations', user, (e) => {
      e.userWorkstations = workstations;
    });
  }

  #control(action: string, user: string, change: (e: DirectoryEntry) => void): void {
    const e = this.#lookup(user);
    if (!e) {
      throw new CodedError(
        'DIRECTORY_NO_SUCH_USER',
        `no user ${JSON.stringify(user)} in ${this.domain}; name it by sAMAccountName, ${this.domain}\\name, UPN or DN`,
      );
    }
    change(e);
    this.#emit({ kind: 'control', at: this.#clock.now(), action, dn: e.dn });
  }

  #lookup(user: string): DirectoryEntry | undefined {
    return this.resolveBindName(user).entry ?? this.#bySam(user.trim().toLowerCase());
  }

  #bySam(samLower: string): DirectoryEntry | undefined {
    return [...this.#entries.values()].find((e) => e.sAMAccountName?.toLowerCase() === samLower);
  }

  /** memberOf as stored plus groups that list the entry in `member` (AD keeps both sides in step). */
  #memberOf(e: DirectoryEntry): string[] {
    const seen = new Set(e.memberOf.map(normalizeDn));
    const out = [...e.memberOf];
    const me = normalizeDn(e.dn);
    for (const g of this.#entries.values()) {
      const members = Object.entries(g.extra).find(([k]) => k.toLowerCase() === 'member')?.[1] ?? [];
      if (members.some((m) => normalizeDn(m) === me) && !seen.has(normalizeDn(g.dn))) {
        seen.add(normalizeDn(g.dn));
        out.push(g.dn);
      }
    }
    return out;
  }

  #emit(e: DirectoryEvent): void {
    this.#events.push(e);
    if (this.#events.length > MAX_EVENTS) this.#events.shift();
    for (const l of this.#listeners) l(e);
  }
}
