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

/**
 * The log keeps each event as a few slots in columns (time, type, and
 * references to its outcome, actor, targets and details, which callers may
 * share between events) and builds OrgEvent objects only when they are read or
 * a listener is subscribed: a sign-in's event costs ~30 bytes instead of ~10
 * objects the garbage collector copies, promotes and marks (issue 13: the
 * mock's CPU per sign-in, flat as the org grows). What a reader gets is as
 * before: fresh objects, uuid `evt` + the sequence number.
 */
export class EventLog {
  readonly #published: number[] = [];
  readonly #type: OrgEventType[] = [];
  readonly #outcome: OrgEvent['outcome'][] = [];
  readonly #actor: OrgEvent['actor'][] = [];
  readonly #target: readonly OrgEventTarget[][] = [];
  readonly #debug: Readonly<OrgEvent['debugContext']>[] = [];
  readonly #listeners = new Set<(e: OrgEvent) => void>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /**
   * Records an event at the clock's time. The input's objects are kept by
   * reference (so callers can share one outcome or target list between many
   * events) and must not be changed afterwards; readers get copies.
   */
  append(input: OrgEventInput): void {
    this.#published.push(this.#now());
    this.#type.push(input.eventType);
    this.#outcome.push(input.outcome);
    this.#actor.push(input.actor ?? SYSTEM_ACTOR);
    (this.#target as OrgEventTarget[][]).push((input.target ?? NO_TARGETS) as OrgEventTarget[]);
    this.#debug.push(input.debugContext ?? NO_DETAILS);
    if (this.#listeners.size === 0) return;
    const event = this.#event(this.#type.length - 1);
    for (const l of this.#listeners) l(event);
  }

  /** How many events the log holds. */
  get size(): number {
    return this.#type.length;
  }

  /** All events, oldest first (new objects). */
  all(): OrgEvent[] {
    const out: OrgEvent[] = [];
    for (let i = 0; i < this.#type.length; i++) out.push(this.#event(i));
    return out;
  }

  /** Events of one type (or a type prefix ending in '.'), oldest first. */
  ofType(typeOrPrefix: string): OrgEvent[] {
    const prefix = typeOrPrefix.endsWith('.');
    const out: OrgEvent[] = [];
    for (let i = 0; i < this.#type.length; i++) {
      const t = this.#type[i]!;
      if (prefix ? t.startsWith(typeOrPrefix) : t === typeOrPrefix) out.push(this.#event(i));
    }
    return out;
  }

  subscribe(listener: (e: OrgEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Event `i` as an OrgEvent of its own (copies of the shared parts). */
  #event(i: number): OrgEvent {
    return {
      uuid: `evt${String(i + 1).padStart(17, '0')}`,
      published: this.#published[i]!,
      eventType: this.#type[i]!,
      outcome: { ...this.#outcome[i]! },
      actor: { ...this.#actor[i]! },
      target: this.#target[i]!.map((t) => ({ ...t })),
      debugContext: { ...this.#debug[i]! },
    };
  }
}

const NO_TARGETS: readonly OrgEventTarget[] = Object.freeze([]);
const NO_DETAILS: Readonly<OrgEvent['debugContext']> = Object.freeze({});
