/**
 * The carrier between the mock org and the virtual devices: implements the
 * org's FactorDelivery, routing pushes by deviceId to Okta Verify installs,
 * SMS and calls by phone number, email by address; and carries the devices'
 * push answers back to the org (org.answerPush). Anything addressed to no
 * known device is kept in `undelivered` rather than lost silently.
 */
import type { Clock } from '../../agent/src/clock.ts';
import { CodedError } from '../../agent/src/errors.ts';
import type { FactorDelivery, OneTimeCodeMessage, PushAnswer, PushNotification } from '../okta/delivery.ts';
import { EmailInbox, type ReceivedCall, type ReceivedMessage } from './inboxes.ts';
import type { DuoMobile } from './duo-mobile.ts';
import type { OktaVerify, PushRecord } from './okta-verify.ts';
import type { Phone } from './phone.ts';

/** The part of the mock org the devices talk back to. */
export interface PushResponder {
  answerPush(transactionId: string, answer: PushAnswer): unknown;
}

export type Undelivered =
  | { kind: 'push'; notification: PushNotification; reason: string }
  | { kind: 'code'; message: OneTimeCodeMessage; reason: string };

export class DeviceNetwork implements FactorDelivery {
  readonly #clock: Clock;
  #org: PushResponder | undefined;
  readonly #phones: Phone[] = [];
  readonly #emails = new Map<string, EmailInbox>();
  /** login -> email addresses, so "Erin's emails" can be asked for by login. */
  readonly #emailOwners = new Map<string, string>();
  readonly undelivered: Undelivered[] = [];

  constructor(opts: { clock: Clock; org?: PushResponder }) {
    this.#clock = opts.clock;
    this.#org = opts.org;
  }

  /** The org is built with this network as its delivery, so it is connected afterwards. */
  connect(org: PushResponder): void {
    this.#org = org;
  }

  addPhone(phone: Phone): Phone {
    const clash = this.#phones.find((p) => p.name === phone.name || p.number === phone.number);
    if (clash) {
      throw new CodedError(
        'DEVICE_DUPLICATE_PHONE',
        `A phone named ${clash.name} with number ${clash.number} is already on the network; names and numbers must be unique.`,
      );
    }
    const ov = phone.oktaVerify;
    if (ov && this.oktaVerify(ov.deviceId)) {
      throw new CodedError('DEVICE_DUPLICATE_DEVICE_ID', `Okta Verify deviceId ${ov.deviceId} is already on the network.`);
    }
    this.#phones.push(phone);
    return phone;
  }

  /** The email inbox of an address, created on first use. `owner` (a login) lets it be found by login. */
  emailInbox(address: string, owner?: string): EmailInbox {
    const key = address.toLowerCase();
    let inbox = this.#emails.get(key);
    if (!inbox) {
      inbox = new EmailInbox(key);
      this.#emails.set(key, inbox);
    }
    if (owner) this.#emailOwners.set(key, owner);
    return inbox;
  }

  phones(): readonly Phone[] {
    return [...this.#phones];
  }

  phone(name: string): Phone | undefined {
    return this.#phones.find((p) => p.name === name);
  }

  phonesOf(login: string): Phone[] {
    const l = login.toLowerCase();
    return this.#phones.filter((p) => p.owner.toLowerCase() === l);
  }

  phoneByNumber(number: string): Phone | undefined {
    const n = normaliseNumber(number);
    return this.#phones.find((p) => normaliseNumber(p.number) === n);
  }

  oktaVerify(deviceId: string): OktaVerify | undefined {
    for (const p of this.#phones) if (p.oktaVerify?.deviceId === deviceId) return p.oktaVerify;
    return undefined;
  }

  // ---- FactorDelivery ----

  push(notification: PushNotification): void {
    if (notification.app === 'duo-mobile') {
      // A Duo push goes to the user's phone with Duo Mobile activated (Duo, not Okta, knows the device).
      const duo = this.duoMobileOf(notification.login);
      if (!duo) {
        this.undelivered.push({ kind: 'push', notification, reason: `no activated Duo Mobile on a phone of ${notification.login}` });
        return;
      }
      duo.deliver(notification, (tx, answer) => this.#answerToOrg(tx, answer));
      return;
    }
    const device = this.oktaVerify(notification.deviceId);
    if (!device) {
      this.undelivered.push({ kind: 'push', notification, reason: `no Okta Verify with deviceId ${notification.deviceId}` });
      return;
    }
    device.deliver(notification, (tx, answer) => this.#answerToOrg(tx, answer));
  }

  oneTimeCode(message: OneTimeCodeMessage): void {
    if (message.channel === 'email') {
      this.emailInbox(message.to, message.login).receive(message, this.#clock.now());
      return;
    }
    const phone = this.phoneByNumber(message.to);
    if (!phone) {
      this.undelivered.push({ kind: 'code', message, reason: `no phone with number ${message.to}` });
      return;
    }
    if (message.channel === 'sms') phone.receiveSms(message);
    else phone.receiveCall(message);
  }

  /** The user's activated Duo Mobile (on the first of their phones that has one). */
  duoMobileOf(login: string): DuoMobile | undefined {
    return this.phonesOf(login).find((p) => p.duoMobile?.activated)?.duoMobile;
  }

  // ---- questions a scenario asks ----

  /** Every Duo push sent to the user's Duo Mobile, oldest first. */
  duoPushesFor(login: string): PushRecord[] {
    return this.phonesOf(login)
      .flatMap((p) => p.duoMobile?.pushes() ?? [])
      .sort((a, b) => a.sentAt - b.sentAt);
  }

  /** Every push sent to any of the user's Okta Verify installs, oldest first. */
  pushesFor(login: string): PushRecord[] {
    return this.phonesOf(login)
      .flatMap((p) => p.oktaVerify?.pushes() ?? [])
      .sort((a, b) => a.sentAt - b.sentAt);
  }

  pendingPushesFor(login: string): PushRecord[] {
    return this.pushesFor(login).filter((p) => p.state === 'pending');
  }

  /** The push with this transaction id on whichever device got it. */
  findPush(transactionId: string): { device: OktaVerify; push: PushRecord } | undefined {
    for (const p of this.#phones) {
      const push = p.oktaVerify?.pushes().find((x) => x.transactionId === transactionId);
      if (push && p.oktaVerify) return { device: p.oktaVerify, push };
    }
    return undefined;
  }

  /** A person answers a push by hand (control API, step definitions). */
  async answerPush(transactionId: string, answer: 'approve' | 'deny'): Promise<PushRecord> {
    const duo = this.#phones.map((p) => p.duoMobile).find((d) => d?.pushes().some((x) => x.transactionId === transactionId));
    if (duo) return answer === 'approve' ? duo.approve(transactionId) : duo.deny(transactionId);
    const found = this.findPush(transactionId);
    if (!found) {
      throw new CodedError('DEVICE_UNKNOWN_PUSH', `No device received push ${transactionId}; list pending pushes first.`, {
        transactionId,
      });
    }
    return answer === 'approve' ? found.device.approve(transactionId) : found.device.deny(transactionId);
  }

  /** Resolves when every scripted push answer already due has been given. */
  async idle(): Promise<void> {
    await Promise.all(this.#phones.flatMap((p) => [p.oktaVerify?.idle(), p.duoMobile?.idle()]));
  }

  smsFor(login: string): ReceivedMessage[] {
    return byTime(this.phonesOf(login).flatMap((p) => [...p.sms.all()]));
  }

  callsFor(login: string): ReceivedCall[] {
    return byTime(this.phonesOf(login).flatMap((p) => [...p.voice.all()]));
  }

  emailsFor(login: string): ReceivedMessage[] {
    const l = login.toLowerCase();
    const out: ReceivedMessage[] = [];
    for (const inbox of this.#emails.values()) {
      const ownerIsUser = this.#emailOwners.get(inbox.address)?.toLowerCase() === l;
      for (const m of inbox.all()) if (ownerIsUser || m.login.toLowerCase() === l) out.push(m);
    }
    return byTime(out);
  }

  /** The latest code the user could read or hear on a channel (a missed call gives none). */
  latestCode(login: string, channel: 'sms' | 'call' | 'email'): string | undefined {
    const list =
      channel === 'sms'
        ? this.smsFor(login)
        : channel === 'call'
          ? this.callsFor(login).filter((c) => c.answered)
          : this.emailsFor(login);
    return list[list.length - 1]?.code;
  }

  async #answerToOrg(transactionId: string, answer: PushAnswer): Promise<unknown> {
    if (!this.#org) {
      throw new CodedError('DEVICE_NETWORK_NOT_CONNECTED', 'The device network has no org to answer to; call connect(org) first.');
    }
    return this.#org.answerPush(transactionId, answer);
  }
}

function normaliseNumber(n: string): string {
  return n.replace(/[^\d+]/g, '');
}

function byTime<T extends { receivedAt: number }>(list: T[]): T[] {
  return list.sort((a, b) => a.receivedAt - b.receivedAt);
}
