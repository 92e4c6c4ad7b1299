/**
 * Where one-time codes land: an SMS inbox and a voice line per phone number,
 * an email inbox per address. Each keeps every message in arrival order so a
 * scenario can ask "the latest code sent by SMS to Alice".
 */
import type { OneTimeCodeMessage } from '../okta/delivery.ts';

export interface ReceivedMessage {
  channel: 'sms' | 'call' | 'email';
  login: string;
  factorId: string;
  to: string;
  /** The text as read (SMS, email) or heard (call). */
  text: string;
  code: string;
  sentAt: number;
  expiresAt: number;
  /** When the device had it; later than sentAt for a phone that was offline. */
  receivedAt: number;
}

export interface ReceivedCall extends ReceivedMessage {
  /** A call to a phone that is offline or not answering is missed: nobody hears the code. */
  answered: boolean;
}

function toReceived(m: OneTimeCodeMessage, receivedAt: number): ReceivedMessage {
  return {
    channel: m.channel,
    login: m.login,
    factorId: m.factorId,
    to: m.to,
    text: m.text,
    code: m.code,
    sentAt: m.sentAt,
    expiresAt: m.expiresAt,
    receivedAt,
  };
}

class Inbox<T extends ReceivedMessage> {
  protected readonly items: T[] = [];

  /** Every message, oldest first. */
  all(): readonly T[] {
    return [...this.items];
  }

  latest(): T | undefined {
    return this.items[this.items.length - 1];
  }

  /** The code of the latest message, or undefined if none came. */
  latestCode(): string | undefined {
    return this.latest()?.code;
  }

  get size(): number {
    return this.items.length;
  }
}

export class SmsInbox extends Inbox<ReceivedMessage> {
  readonly number: string;
  constructor(number: string) {
    super();
    this.number = number;
  }
  receive(message: OneTimeCodeMessage, receivedAt: number): ReceivedMessage {
    const r = toReceived(message, receivedAt);
    this.items.push(r);
    return r;
  }
}

export class VoiceLine extends Inbox<ReceivedCall> {
  readonly number: string;
  /** Whether calls are picked up (a scenario can let it ring out). */
  answering = true;
  constructor(number: string) {
    super();
    this.number = number;
  }
  ring(message: OneTimeCodeMessage, receivedAt: number, reachable: boolean): ReceivedCall {
    const r: ReceivedCall = { ...toReceived(message, receivedAt), answered: reachable && this.answering };
    this.items.push(r);
    return r;
  }
  /** Codes only count when someone heard them. */
  override latestCode(): string | undefined {
    for (let i = this.items.length - 1; i >= 0; i--) if (this.items[i]!.answered) return this.items[i]!.code;
    return undefined;
  }
}

export class EmailInbox extends Inbox<ReceivedMessage> {
  readonly address: string;
  constructor(address: string) {
    super();
    this.address = address.toLowerCase();
  }
  receive(message: OneTimeCodeMessage, receivedAt: number): ReceivedMessage {
    const r = toReceived(message, receivedAt);
    this.items.push(r);
    return r;
  }
}
