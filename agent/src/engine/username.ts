/**
 * How a RADIUS User-Name becomes an Okta login, per app (documented in the
 * agent's README, "Users"). In order:
 * 1. Surrounding whitespace and trailing NULs (some NAS pad User-Name) are dropped.
 * 2. Down-level `DOMAIN\user` (AD Connector and some NAS send it): with
 *    `stripDomain` (default) the `DOMAIN\` goes and `user` continues to step 3;
 *    without it the name is used exactly as sent (no suffix is added to it).
 * 3. A name with '@' (a UPN or an email: `alice@corp.example.com`) is the Okta
 *    login as it is, whatever its domain.
 * 4. A bare name (`alice`, a sAMAccountName) gets `suffix` appended when one is
 *    configured (`alice@corp.example.com`); without a suffix it is sent as is
 *    (Okta also finds a user by the short form of its login).
 * An empty result means no user name.
 */
export interface UsernameFormat {
  /** Appended to names that have no '@'. Must start with '@'. */
  suffix?: string;
  /** Drop a leading `DOMAIN\` (default true). */
  stripDomain?: boolean;
}

export function toOktaLogin(userName: string, format: UsernameFormat): string {
  let name = userName.replace(/\0+$/, '').trim();
  const slash = name.lastIndexOf('\\');
  if (slash >= 0) {
    if (format.stripDomain === false) return name;
    name = name.slice(slash + 1).trim();
  }
  if (name.length === 0) return '';
  if (format.suffix && !name.includes('@')) name += format.suffix;
  return name;
}
