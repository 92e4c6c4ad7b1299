/**
 * How the mock Okta org reaches users' devices: the org calls these when a push
 * is sent or a one-time code goes out by SMS, voice or email. The virtual
 * devices (simulators/devices) implement it; the org never imports devices.
 * Codes are carried so a virtual inbox can show them; nothing here is logged.
 */
export interface PushNotification {
  transactionId: string;
  userId: string;
  login: string;
  factorId: string;
  /** Okta Verify enrolment (device) the push goes to. */
  deviceId: string;
  /** Epoch ms on the shared clock. */
  sentAt: number;
  expiresAt: number;
  /** What the phone shows, e.g. "Amazon WorkSpaces sign-in request". */
  message: string;
  /**
   * Which app shows it: Okta Verify (absent: the default) or Duo Mobile — a Duo push for the
   * generic RADIUS app (Okta_Radius_App.htm: "Duo (Push, SMS, and Passcode only)" over PAP),
   * routed to the user's phone with Duo Mobile activated rather than by deviceId.
   */
  app?: 'okta-verify' | 'duo-mobile';
}

export interface OneTimeCodeMessage {
  userId: string;
  login: string;
  factorId: string;
  channel: 'sms' | 'call' | 'email';
  /** Phone number (E.164) or email address the code went to. */
  to: string;
  code: string;
  sentAt: number;
  expiresAt: number;
  /** The text as the user would read or hear it. */
  text: string;
}

export interface FactorDelivery {
  push(notification: PushNotification): void;
  oneTimeCode(message: OneTimeCodeMessage): void;
}

/** Answer a device gives to a push; the org exposes `answerPush(transactionId, answer)`. */
export type PushAnswer = 'APPROVE' | 'REJECT';

/** A delivery that records and does nothing else (for tests of the org alone). */
export class RecordingDelivery implements FactorDelivery {
  readonly pushes: PushNotification[] = [];
  readonly codes: OneTimeCodeMessage[] = [];
  push(notification: PushNotification): void {
    this.pushes.push(notification);
  }
  oneTimeCode(message: OneTimeCodeMessage): void {
    this.codes.push(message);
  }
}
