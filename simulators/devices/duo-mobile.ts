/**
 * Duo Mobile passcodes and the matching server-side check.
 *
 * Duo Mobile shows HOTP (RFC 4226) passcodes: 6 digits from a per-activation
 * secret and a counter that moves on each time the user taps for a new one.
 * Duo's service accepts a passcode a little ahead of the last one it saw
 * (the user may have tapped without using the code) and never the same one
 * twice. `DuoPasscodeVerifier` is that service-side rule; its `checker()` is the
 * function the mock org's Duo extension (factorType `web`, provider `DUO`)
 * calls on verify; the app and the
 * checker share only the secret, as real activation does.
 */
import type { Clock } from '../../agent/src/clock.ts';
import { CodedError } from '../../agent/src/errors.ts';
import type { PushNotification } from '../okta/delivery.ts';
import type { PushBehaviour } from './push-behaviour.ts';
import { type AnswerChannel, type Connectivity, PushInbox, type PushRecord } from './push-inbox.ts';
import { hotpCode, normaliseSecret } from './totp.ts';

/** What activation hands the app (the Duo activation QR carries the equivalent). */
export interface DuoActivation {
  /** Base32 HOTP secret. */
  secret: string;
  /** First counter value (default 0). */
  counter?: number;
  /** Account name shown in the app. */
  label?: string;
}

export class DuoMobile {
  readonly kind = 'duo-mobile' as const;
  #secret: string | undefined;
  #counter = 0;
  #label = '';
  /**
   * Duo Push (the generic RADIUS app: Okta_Radius_App.htm, "Duo (Push, SMS, and Passcode only)");
   * only an install on a phone (clock and network) can receive pushes.
   */
  readonly #inbox: PushInbox | undefined;

  constructor(opts?: { clock: Clock; phone: Connectivity }) {
    this.#inbox = opts ? new PushInbox({ label: 'Duo Mobile', clock: opts.clock, phone: opts.phone }) : undefined;
  }

  /** The standing reaction to every Duo push (default: ignore). */
  setPushBehaviour(b: PushBehaviour): void {
    this.#requireInbox().setPushBehaviour(b);
  }

  /** Every Duo push this install was sent, oldest first. */
  pushes(): PushRecord[] {
    return this.#inbox?.pushes() ?? [];
  }

  /** Called by the network when the org sends this user a Duo push. */
  deliver(notification: PushNotification, channel: AnswerChannel): PushRecord {
    return this.#requireInbox().deliver(notification, channel);
  }

  /** The phone came back online: Duo pushes still valid appear now. */
  flushQueued(): void {
    this.#inbox?.flushQueued();
  }

  /** The user taps Approve on a Duo push. */
  approve(transactionId: string): Promise<PushRecord> {
    return this.#requireInbox().approve(transactionId);
  }

  /** The user taps Deny on a Duo push. */
  deny(transactionId: string): Promise<PushRecord> {
    return this.#requireInbox().deny(transactionId);
  }

  /** Resolves when every scripted answer already due has been given. */
  idle(): Promise<void> {
    return this.#inbox?.idle() ?? Promise.resolve();
  }

  #requireInbox(): PushInbox {
    if (!this.#inbox) throw new CodedError('DEVICE_NO_PUSH', 'This Duo Mobile is not on a phone, so it cannot receive pushes; install it with Phone.installDuoMobile().');
    return this.#inbox;
  }

  /** Activates the app for an account (one Duo account per install, as in practice for one org). */
  activate(activation: DuoActivation): void {
    this.#secret = normaliseSecret(activation.secret);
    this.#counter = activation.counter ?? 0;
    this.#label = activation.label ?? '';
  }

  get activated(): boolean {
    return this.#secret !== undefined;
  }

  get label(): string {
    return this.#label;
  }

  /** The passcode on screen (stays the same until the user taps for a new one). */
  currentPasscode(): string {
    return hotpCode(this.#requireSecret(), this.#counter);
  }

  /** The user taps the key icon: a fresh passcode replaces the shown one. */
  nextPasscode(): string {
    this.#requireSecret();
    this.#counter += 1;
    return this.currentPasscode();
  }

  /** The counter behind the shown passcode (for tests of look-ahead windows). */
  get counter(): number {
    return this.#counter;
  }

  #requireSecret(): string {
    if (this.#secret === undefined) {
      throw new CodedError('DEVICE_NOT_ACTIVATED', 'Duo Mobile is not activated; activate it with the secret from enrolment.');
    }
    return this.#secret;
  }
}

export interface DuoCheckResult {
  valid: boolean;
  /** Why not: a passcode seen before, or none in the window. */
  reason?: 'REPLAYED' | 'INVALID';
}

/**
 * Service side: accepts HOTP passcodes with counters in [next, next + lookAhead)
 * and then moves `next` past the one used, so no passcode works twice.
 */
export class DuoPasscodeVerifier {
  readonly #secret: string;
  readonly #lookAhead: number;
  #next: number;
  readonly #used = new Set<string>();

  constructor(secret: string, opts: { counter?: number; lookAhead?: number } = {}) {
    this.#secret = normaliseSecret(secret);
    this.#next = opts.counter ?? 0;
    this.#lookAhead = opts.lookAhead ?? 10;
  }

  check(passcode: string): DuoCheckResult {
    if (!/^\d{6}$/.test(passcode)) return { valid: false, reason: 'INVALID' };
    for (let c = this.#next; c < this.#next + this.#lookAhead; c++) {
      if (hotpCode(this.#secret, c) === passcode) {
        this.#next = c + 1;
        this.#used.add(passcode);
        return { valid: true };
      }
    }
    return { valid: false, reason: this.#used.has(passcode) ? 'REPLAYED' : 'INVALID' };
  }

  /** The function form the mock org takes (`duoPasscodeChecker` in its enrolFactor input). */
  checker(): (passCode: string, at: number) => boolean {
    return (passCode) => this.check(passCode).valid;
  }
}
