/**
 * A push inbox on one app install: pushes the org sends, answered by a
 * script (approve / deny / ignore, at once or after N seconds of the shared
 * clock) or by hand through approve()/deny(). Okta Verify and Duo Mobile
 * (the generic RADIUS app's Duo push, Okta_Radius_App.htm) each hold one.
 */
import type { Clock } from '../../agent/src/clock.ts';
import { CodedError } from '../../agent/src/errors.ts';
import type { PushAnswer, PushNotification } from '../okta/delivery.ts';
import type { PushBehaviour } from './push-behaviour.ts';

/**
 * - queued: sent while the phone was offline, not yet on screen
 * - pending: on screen, unanswered, not expired
 * - approved / denied: answered and the org took the answer
 * - expired: nobody answered before expiresAt, or the answer came too late
 * - refused: the org refused the answer for another reason (see `error`)
 */
export type PushState = 'queued' | 'pending' | 'approved' | 'denied' | 'expired' | 'refused';

export interface PushRecord {
  transactionId: string;
  login: string;
  factorId: string;
  deviceId: string;
  message: string;
  sentAt: number;
  expiresAt: number;
  receivedAt?: number;
  answeredAt?: number;
  state: PushState;
  /** Error code the org answered with, for `refused` (or a late `expired`). */
  error?: string;
}

/** How an answer reaches the org; the DeviceNetwork supplies it (org.answerPush). */
export type AnswerChannel = (transactionId: string, answer: PushAnswer) => unknown;

/** The bit of the phone Okta Verify needs: whether it has network. */
export interface Connectivity {
  readonly online: boolean;
}

interface Entry {
  record: PushRecord;
  channel: AnswerChannel;
  /** Settles when this push's scripted answer has been given (set once the answer is due). */
  settled?: Promise<void>;
}

export class PushInbox {
  /** Who the inbox belongs to in error messages, e.g. "Okta Verify ov-alice-phone". */
  readonly #label: string;
  readonly clock: Clock;
  readonly #phone: Connectivity;
  readonly #entries: Entry[] = [];
  #behaviour: PushBehaviour = { action: 'ignore' };
  readonly #script: PushBehaviour[] = [];

  constructor(opts: { label: string; clock: Clock; phone: Connectivity }) {
    this.#label = opts.label;
    this.clock = opts.clock;
    this.#phone = opts.phone;
  }

  /** The standing reaction to every push (default: ignore, i.e. a person who looks later). */
  get behaviour(): PushBehaviour {
    return { ...this.#behaviour };
  }

  setPushBehaviour(b: PushBehaviour): void {
    this.#behaviour = { ...b };
  }

  /** One-off reactions for the next pushes, in order, before the standing behaviour applies again. */
  queuePushBehaviours(...bs: PushBehaviour[]): void {
    this.#script.push(...bs.map((b) => ({ ...b })));
  }

  /** Every push this install was sent, oldest first (copies; states current as of now). */
  pushes(): PushRecord[] {
    return this.#entries.map((e) => ({ ...this.#refresh(e).record }));
  }

  /** Pushes on screen waiting for the user. */
  pendingPushes(): PushRecord[] {
    return this.pushes().filter((p) => p.state === 'pending');
  }

  /** Called by the network when the org sends a push to this deviceId. */
  deliver(notification: PushNotification, channel: AnswerChannel): PushRecord {
    const entry: Entry = {
      channel,
      record: {
        transactionId: notification.transactionId,
        login: notification.login,
        factorId: notification.factorId,
        deviceId: notification.deviceId,
        message: notification.message,
        sentAt: notification.sentAt,
        expiresAt: notification.expiresAt,
        state: 'queued',
      },
    };
    this.#entries.push(entry);
    if (this.#phone.online) this.#show(entry);
    return { ...entry.record };
  }

  /** The phone came back online: pushes still valid appear now (their scripts start now), stale ones expire. */
  flushQueued(): void {
    for (const e of this.#entries) if (e.record.state === 'queued') this.#show(e);
  }

  /** The user taps Approve. */
  approve(transactionId: string): Promise<PushRecord> {
    return this.#answerByHand(transactionId, 'APPROVE');
  }

  /** The user taps "No, it's not me". */
  deny(transactionId: string): Promise<PushRecord> {
    return this.#answerByHand(transactionId, 'REJECT');
  }

  /** Resolves when every scripted answer already scheduled for delivered pushes has been given. */
  async idle(): Promise<void> {
    await Promise.all(this.#entries.map((e) => e.settled));
  }

  #show(entry: Entry): void {
    const now = this.clock.now();
    if (now >= entry.record.expiresAt) {
      entry.record.state = 'expired';
      return;
    }
    entry.record.state = 'pending';
    entry.record.receivedAt = now;
    const b = this.#script.shift() ?? this.#behaviour;
    if (b.action === 'ignore') return;
    const answer: PushAnswer = b.action === 'approve' ? 'APPROVE' : 'REJECT';
    const act = (): Promise<void> => {
      // A person who already answered by hand, or whose phone lost its
      // network, does not answer again; the push just runs out.
      if (entry.record.state !== 'pending' || !this.#phone.online) return Promise.resolve();
      return this.#answer(entry, answer);
    };
    const ms = (b.afterSeconds ?? 0) * 1000;
    if (ms > 0) {
      // Only counts for idle() once due: waiting on a timer of the virtual clock would never end.
      this.clock.setTimeout(() => {
        entry.settled = act();
      }, ms);
    } else {
      // "At once" still waits for the org's push call to return, so the org
      // has recorded the transaction before the answer arrives.
      entry.settled = new Promise<void>((resolve) => setImmediate(() => void act().then(resolve)));
    }
  }

  async #answerByHand(transactionId: string, answer: PushAnswer): Promise<PushRecord> {
    const entry = this.#entries.find((e) => e.record.transactionId === transactionId);
    if (!entry) {
      throw new CodedError('DEVICE_UNKNOWN_PUSH', `${this.#label} never received push ${transactionId}.`, {
        transactionId,
      });
    }
    if (!this.#phone.online) {
      throw new CodedError('DEVICE_OFFLINE', `The phone with ${this.#label} is offline; bring it online first.`);
    }
    const state = this.#refresh(entry).record.state;
    if (state !== 'pending') {
      throw new CodedError('DEVICE_PUSH_NOT_PENDING', `Push ${transactionId} is ${state}, not waiting for an answer.`, {
        transactionId,
        state,
      });
    }
    await this.#answer(entry, answer);
    return { ...entry.record };
  }

  async #answer(entry: Entry, answer: PushAnswer): Promise<void> {
    const r = entry.record;
    r.answeredAt = this.clock.now();
    try {
      const status = await entry.channel(r.transactionId, answer);
      // The org answers with the transaction's status afterwards: TIMEOUT means
      // the answer came too late, the other answer means someone answered first.
      const wanted = answer === 'APPROVE' ? 'SUCCESS' : 'REJECTED';
      if (status === 'TIMEOUT') {
        r.state = 'expired';
        r.error = 'TIMEOUT';
      } else if ((status === 'SUCCESS' || status === 'REJECTED') && status !== wanted) {
        r.state = 'refused';
        r.error = `ALREADY_${status}`;
      } else {
        r.state = answer === 'APPROVE' ? 'approved' : 'denied';
      }
    } catch (e) {
      r.error = errorCode(e);
      r.state = r.answeredAt >= r.expiresAt ? 'expired' : 'refused';
    }
  }

  #refresh(entry: Entry): Entry {
    const r = entry.record;
    if ((r.state === 'pending' || r.state === 'queued') && this.clock.now() >= r.expiresAt) r.state = 'expired';
    return entry;
  }
}

/** The stable code of whatever the org threw (CodedError, an Okta-style error with errorCode, …). */
function errorCode(e: unknown): string {
  if (typeof e === 'object' && e !== null) {
    const o = e as { code?: unknown; errorCode?: unknown; name?: unknown };
    if (typeof o.code === 'string') return o.code;
    if (typeof o.errorCode === 'string') return o.errorCode;
    if (typeof o.name === 'string') return o.name;
  }
  return 'UNKNOWN';
}
