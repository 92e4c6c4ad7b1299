/**
 * Okta Verify on one phone: TOTP accounts (from TotpAuthenticator) plus a push
 * inbox (push-inbox.ts). Each install has a deviceId, the identity the org
 * addresses pushes to.
 */
import type { Clock } from '../../agent/src/clock.ts';
import type { PushNotification } from '../okta/delivery.ts';
import type { PushBehaviour } from './push-behaviour.ts';
import { type AnswerChannel, type Connectivity, PushInbox, type PushRecord } from './push-inbox.ts';
import { TotpAuthenticator } from './totp-app.ts';

export type { AnswerChannel, Connectivity, PushRecord, PushState } from './push-inbox.ts';

export class OktaVerify extends TotpAuthenticator {
  readonly deviceId: string;
  readonly #inbox: PushInbox;

  constructor(opts: { deviceId: string; clock: Clock; phone: Connectivity }) {
    super('okta-verify', opts.clock);
    this.deviceId = opts.deviceId;
    this.#inbox = new PushInbox({ label: `Okta Verify ${opts.deviceId}`, clock: opts.clock, phone: opts.phone });
  }

  /** The standing reaction to every push (default: ignore, i.e. a person who looks later). */
  get behaviour(): PushBehaviour {
    return this.#inbox.behaviour;
  }

  setPushBehaviour(b: PushBehaviour): void {
    this.#inbox.setPushBehaviour(b);
  }

  /** One-off reactions for the next pushes, in order, before the standing behaviour applies again. */
  queuePushBehaviours(...bs: PushBehaviour[]): void {
    this.#inbox.queuePushBehaviours(...bs);
  }

  /** Every push this install was sent, oldest first (copies; states current as of now). */
  pushes(): PushRecord[] {
    return this.#inbox.pushes();
  }

  /** Pushes on screen waiting for the user. */
  pendingPushes(): PushRecord[] {
    return this.#inbox.pendingPushes();
  }

  /** Called by the network when the org sends a push to this deviceId. */
  deliver(notification: PushNotification, channel: AnswerChannel): PushRecord {
    return this.#inbox.deliver(notification, channel);
  }

  /** The phone came back online: pushes still valid appear now (their scripts start now), stale ones expire. */
  flushQueued(): void {
    this.#inbox.flushQueued();
  }

  /** The user taps Approve. */
  approve(transactionId: string): Promise<PushRecord> {
    return this.#inbox.approve(transactionId);
  }

  /** The user taps "No, it's not me". */
  deny(transactionId: string): Promise<PushRecord> {
    return this.#inbox.deny(transactionId);
  }

  /** Resolves when every scripted answer already scheduled for delivered pushes has been given. */
  idle(): Promise<void> {
    return this.#inbox.idle();
  }
}
