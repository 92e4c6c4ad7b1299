/**
 * Seed users → AD-like directory entries: accounts with their state expressed
 * the way AD stores it (userAccountControl bits, accountExpires, pwdLastSet),
 * and group objects whose `member` lists give the users their memberOf.
 */
import type { EntryInput } from '../directory/account.ts';
import { type LabSeed, type SeedUser, samOf } from './seed.ts';

const UAC_NORMAL = 0x200;
const UAC_DISABLED = 0x2;
/** The LOCKOUT bit: locked until an administrator unlocks (a lockoutTime would lapse after lockoutDuration). */
const UAC_LOCKOUT = 0x10;
const UAC_PASSWORD_EXPIRED = 0x800000;

export function dnsDomainOf(baseDn: string): string {
  return baseDn
    .split(',')
    .map((p) => p.trim().replace(/^dc=/i, ''))
    .join('.')
    .toLowerCase();
}

/** Escapes a value for a DN's RDN (RFC 4514). */
function rdnValue(v: string): string {
  return v.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`).replace(/^([ #])/, '\\$1').replace(/ $/, '\\ ');
}

export function displayNameOf(user: SeedUser): string {
  const name = [user.firstName, user.lastName].filter(Boolean).join(' ');
  return name || samOf(user);
}

/** The DN of each AD user, by index in seed.users (undefined for adState none). */
export function userDns(seed: LabSeed): Array<string | undefined> {
  const used = new Set<string>();
  return seed.users.map((u) => {
    if (u.adState === 'none') return undefined;
    // AD names user objects by full name; two people with one name get their logon name added.
    let cn = displayNameOf(u);
    if (used.has(cn.toLowerCase())) cn = `${cn} (${samOf(u)})`;
    used.add(cn.toLowerCase());
    return `CN=${rdnValue(cn)},CN=Users,${seed.directory.baseDn}`;
  });
}

export function directoryEntries(seed: LabSeed, now: number): EntryInput[] {
  const dns = userDns(seed);
  const dnsDomain = dnsDomainOf(seed.directory.baseDn);
  const entries: EntryInput[] = [];
  const members = new Map<string, string[]>();
  seed.users.forEach((u, i) => {
    const dn = dns[i];
    if (!dn) return;
    const sam = samOf(u);
    let uac = UAC_NORMAL;
    if (u.adState === 'disabled') uac |= UAC_DISABLED;
    if (u.adState === 'locked') uac |= UAC_LOCKOUT;
    if (u.adState === 'password-expired') uac |= UAC_PASSWORD_EXPIRED;
    const entry: EntryInput = {
      dn,
      sAMAccountName: sam,
      userPrincipalName: u.userPrincipalName ?? `${sam}@${dnsDomain}`,
      displayName: displayNameOf(u),
      userAccountControl: uac,
      password: u.password,
      extra: { cn: [displayNameOf(u)] },
    };
    const mail = u.email ?? (u.login.includes('@') ? u.login : undefined);
    if (mail) entry.mail = mail;
    if (u.firstName) entry.extra!['givenName'] = [u.firstName];
    if (u.lastName) entry.extra!['sn'] = [u.lastName];
    // Expired a day before the lab's clock starts, so it is expired from the first sign-in.
    if (u.adState === 'expired') entry.accountExpires = now - 86_400_000;
    if (u.adState === 'must-change') entry.pwdLastSet = 0;
    entries.push(entry);
    for (const g of u.groups) members.set(g, [...(members.get(g) ?? []), dn]);
  });
  for (const [group, member] of members) {
    entries.push({
      dn: `CN=${rdnValue(group)},CN=Users,${seed.directory.baseDn}`,
      objectClass: ['top', 'group'],
      extra: { cn: [group], member },
    });
  }
  return entries;
}
