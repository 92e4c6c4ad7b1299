/**
 * A phone: an owner (the Okta login of the person holding it), a number with
 * its SMS inbox and voice line, and the apps installed on it. Going offline
 * holds back pushes and SMS until it comes back and lets calls ring out.
 */
import type { Clock } from '../../agent/src/clock.ts';
import { CodedError } from '../../agent/src/errors.ts';
import type { OneTimeCodeMessage } from '../okta/delivery.ts';
import { DuoMobile } from './duo-mobile.ts';
import { type ReceivedCall, SmsInbox, VoiceLine } from './inboxes.ts';
import { OktaVerify } from './okta-verify.ts';
import { describePushBehaviour } from './push-behaviour.ts';
import { TotpAuthenticator } from './totp-app.ts';

export class GoogleAuthenticator extends TotpAuthenticator {
  constructor(clock: Clock) {
    super('google-authenticator', clock);
  }
}

export type PhoneApp = OktaVerify | GoogleAuthenticator | DuoMobile;

export interface PhoneOptions {
  /** Okta login of the person who holds the phone. */
  owner: string;
  /** E.164 number, e.g. +15555550101. */
  number: string;
  /** A name people recognise ("alice-iphone"); unique in a lab. */
  name: string;
  clock: Clock;
}

/** The phone as the control API lists it. */
export interface PhoneView {
  name: string;
  owner: string;
  number: string;
  online: boolean;
  apps: Array<{ kind: string; deviceId?: string; accounts?: string[]; pushBehaviour?: string }>;
}

export class Phone {
  readonly owner: string;
  readonly number: string;
  readonly name: string;
  readonly sms: SmsInbox;
  readonly voice: VoiceLine;
  readonly #clock: Clock;
  #online = true;
  readonly #heldSms: OneTimeCodeMessage[] = [];
  #oktaVerify: OktaVerify | undefined;
  #google: GoogleAuthenticator | undefined;
  #duo: DuoMobile | undefined;

  constructor(opts: PhoneOptions) {
    this.owner = opts.owner;
    this.number = opts.number;
    this.name = opts.name;
    this.#clock = opts.clock;
    this.sms = new SmsInbox(opts.number);
    this.voice = new VoiceLine(opts.number);
  }

  get online(): boolean {
    return this.#online;
  }

  /** No network: pushes and SMS wait (as carriers and APNs/FCM hold them), calls are missed. */
  goOffline(): void {
    this.#online = false;
  }

  /** Back on the network: held SMS arrive, held pushes that have not expired appear. */
  goOnline(): void {
    if (this.#online) return;
    this.#online = true;
    const now = this.#clock.now();
    for (const m of this.#heldSms.splice(0)) this.sms.receive(m, now);
    this.#oktaVerify?.flushQueued();
    this.#duo?.flushQueued();
  }

  /** Installs Okta Verify; `deviceId` is what the org addresses pushes to (default derived from the name). */
  installOktaVerify(opts: { deviceId?: string } = {}): OktaVerify {
    if (this.#oktaVerify) throw alreadyInstalled(this.name, 'Okta Verify');
    this.#oktaVerify = new OktaVerify({ deviceId: opts.deviceId ?? `ov-${this.name}`, clock: this.#clock, phone: this });
    return this.#oktaVerify;
  }

  installGoogleAuthenticator(): GoogleAuthenticator {
    if (this.#google) throw alreadyInstalled(this.name, 'Google Authenticator');
    this.#google = new GoogleAuthenticator(this.#clock);
    return this.#google;
  }

  installDuoMobile(): DuoMobile {
    if (this.#duo) throw alreadyInstalled(this.name, 'Duo Mobile');
    this.#duo = new DuoMobile({ clock: this.#clock, phone: this });
    return this.#duo;
  }

  get oktaVerify(): OktaVerify | undefined {
    return this.#oktaVerify;
  }
  get googleAuthenticator(): GoogleAuthenticator | undefined {
    return this.#google;
  }
  get duoMobile(): DuoMobile | undefined {
    return this.#duo;
  }

  apps(): PhoneApp[] {
    return [this.#oktaVerify, this.#google, this.#duo].filter((a): a is PhoneApp => a !== undefined);
  }

  /** An SMS from the org reaches this number. */
  receiveSms(message: OneTimeCodeMessage): void {
    if (this.#online) this.sms.receive(message, this.#clock.now());
    else this.#heldSms.push(message);
  }

  /** The org's voice call rings this number. */
  receiveCall(message: OneTimeCodeMessage): ReceivedCall {
    return this.voice.ring(message, this.#clock.now(), this.#online);
  }

  view(): PhoneView {
    return {
      name: this.name,
      owner: this.owner,
      number: this.number,
      online: this.#online,
      apps: this.apps().map((a) => {
        if (a instanceof OktaVerify) {
          return {
            kind: a.kind,
            deviceId: a.deviceId,
            accounts: a.accounts().map((x) => x.label),
            pushBehaviour: describePushBehaviour(a.behaviour),
          };
        }
        if (a instanceof DuoMobile) return { kind: a.kind, accounts: a.activated ? [a.label] : [] };
        return { kind: a.kind, accounts: a.accounts().map((x) => x.label) };
      }),
    };
  }
}

function alreadyInstalled(phone: string, app: string): CodedError {
  return new CodedError('DEVICE_APP_ALREADY_INSTALLED', `${app} is already on phone ${phone}; a second enrolment needs another phone.`, {
    phone,
    app,
  });
}
