/**
 * A System-Log-like event log. Shapes follow Okta's LogEvent loosely (eventType,
 * outcome, actor, target) so assertions read like an admin reading the System Log.
 * Entries carry ids and outcomes only: never passcodes, codes, secrets or tokens.
 */

export type OrgEventType =
  | 'user.lifecycle.create'
  | 'user.lifecycle.activate'
  | 'user.lifecycle.suspend'
  | 'user.lifecycle.unsuspend'
  | 'user.lifecycle.deactivate'
  | 'user.lifecycle.delete.initiated'
  | 'user.account.unlock'
  | 'user.account.lock'
  | 'user.account.update_password'
  | 'group.lifecycle.create'
  | 'group.user_membership.add'
  | 'application.lifecycle.create'
  | 'application.user_membership.add'
  | 'system.api_token.create'
  | 'system.api_token.revoke'
  | 'user.mfa.factor.activate'
  | 'user.mfa.factor.deactivate'
  | 'user.mfa.factor.challenge'
  | 'system.push.send_factor_verify_push'
  | 'user.mfa.okta_verify.deny_push'
  | 'user.mfa.okta_verify.push_timeout'
  | 'system.sms.send_factor_verify_message'
  | 'system.voice.send_phone_verification_call'
  | 'system.email.mfa_challenge.sent'
  | 'user.authentication.auth_via_mfa'
  | 'user.authentication.authenticate'
  | 'user.session.start'
  | 'system.org.rate_limit.violation'
  | 'api.request.fault';

export type OrgEventResult = 'SUCCESS' | 'FAILURE' | 'CHALLENGE' | 'DENY' | 'ALLOW' | 'UNKNOWN';

export interface OrgEventTarget {
  id: string;
  type: 'User' | 'Group' | 'AppInstance' | 'Factor' | 'PushTransaction' | 'Token';
  alternateId?: string;
}

export interface OrgEvent {
  uuid: string;
  /** Epoch ms on the org's clock. */
  published: number;
  eventType: OrgEventType;
  outcome: { result: OrgEventResult; reason?: string };
  actor: { id: string; type: 'User' | 'SystemPrincipal' | 'PublicClientApp'; alternateId?: string };
  target: OrgEventTarget[];
  /** Non-secret details: factorType, provider, http path, status… */
  debugContext: Record<string, string | number | boolean>;
}

export type OrgEventInput = Omit<OrgEvent, 'uuid' | 'published' | 'target' | 'debugContext' | 'actor'> & {
  actor?: OrgEvent['actor'];
  target?: OrgEventTarget[];
  debugContext?: Record<string, string | number | boolean>;
};

export const SYSTEM_ACTOR: OrgEvent['actor'] = { id: '0oa_system', type: 'SystemPrincipal', alternateId: 'system@okta.com' };

export class EventLog {
  readonly #events: OrgEvent[] = [];
  readonly #listeners = new Set<(e: OrgEvent) => void>();
  #seq = 0;
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  append(input: OrgEventInput): OrgEvent {
    const event: OrgEvent = {
      uuid: `evt${String(++this.#seq).padStart(17, '0')}`,
      published: this.#now(),
      eventType: input.eventType,
      outcome: input.outcome,
      actor: input.actor ?? SYSTEM_ACTOR,
      target: input.target ?? [],
      debugContext: input.debugContext ?? {},
    };
    this.#events.push(event);
    for (const l of this.#listeners) l(event);
    return event;
  }

  /** All events, oldest first (a copy). */
  all(): OrgEvent[] {
    return [...this.#events];
  }

  /** Events of one type (or a type prefix ending in '.'), oldest first. */
  ofType(typeOrPrefix: string): OrgEvent[] {
    return this.#events.filter((e) =>
      typeOrPrefix.endsWith('.') ? e.eventType.startsWith(typeOrPrefix) : e.eventType === typeOrPrefix,
    );
  }

  subscribe(listener: (e: OrgEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
