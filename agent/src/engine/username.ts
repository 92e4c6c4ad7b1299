/**
 * How a RADIUS User-Name becomes an Okta login, per app:
 * - `DOMAIN\user` loses its `DOMAIN\` (AD Connector and some NAS send it);
 * - with a `suffix` (e.g. '@corp.example.com') a name without '@' gets it
 *   appended (sAMAccountName → Okta login);
 * - otherwise the name is the Okta login as it is.
 */
export interface UsernameFormat {
  /** Appended to names that have no '@'. Must start with '@'. */
  suffix?: string;
  /** Drop a leading `DOMAIN\` (default true). */
  stripDomain?: boolean;
}

export function toOktaLogin(userName: string, format: UsernameFormat): string {
  let name = userName.trim();
  if (format.stripDomain !== false) {
    const slash = name.lastIndexOf('\\');
    if (slash >= 0) name = name.slice(slash + 1);
  }
  if (name.length === 0) return '';
  if (format.suffix && !name.includes('@')) name += format.suffix;
  return name;
}
