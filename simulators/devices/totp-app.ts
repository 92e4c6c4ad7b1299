/**
 * What Okta Verify and Google Authenticator share: a list of TOTP accounts
 * added by scanning, each showing a code that changes with the shared clock.
 */
import type { Clock } from '../../agent/src/clock.ts';
import { CodedError } from '../../agent/src/errors.ts';
import { normaliseSecret, type OtpauthAccount, parseOtpauthUri, type TotpParams, timeStep, totpCode } from './totp.ts';

/** What a user can "scan": the otpauth:// URI of a QR code, or the secret typed in by hand. */
export type ScanInput = string | { sharedSecret: string; issuer?: string; label?: string };

/** An account as the app's list shows it. The secret stays inside the app. */
export interface TotpAccountView {
  id: string;
  issuer: string;
  label: string;
  period: number;
  digits: number;
}

interface Account {
  view: TotpAccountView;
  params: TotpParams;
}

export type AppKind = 'okta-verify' | 'google-authenticator' | 'duo-mobile';

export class TotpAuthenticator {
  readonly kind: AppKind;
  protected readonly clock: Clock;
  readonly #accounts: Account[] = [];

  constructor(kind: AppKind, clock: Clock) {
    this.kind = kind;
    this.clock = clock;
  }

  /** Adds an account from a QR code or a typed secret, as the user would; returns it. */
  scan(input: ScanInput): TotpAccountView {
    const parsed: OtpauthAccount =
      typeof input === 'string'
        ? parseOtpauthUri(input)
        : {
            secret: normaliseSecret(input.sharedSecret),
            issuer: input.issuer ?? '',
            label: input.label ?? '',
            period: 30,
            digits: 6,
            algorithm: 'sha1',
          };
    const view: TotpAccountView = {
      id: `${this.kind}-account-${this.#accounts.length + 1}`,
      issuer: parsed.issuer,
      label: parsed.label,
      period: parsed.period,
      digits: parsed.digits,
    };
    const { secret, period, digits, algorithm } = parsed;
    this.#accounts.push({ view, params: { secret, period, digits, algorithm } });
    return view;
  }

  accounts(): readonly TotpAccountView[] {
    return this.#accounts.map((a) => a.view);
  }

  /** The code shown now for an account (by id or label; the only/latest account if omitted). */
  currentCode(account?: string): string {
    return this.code(account, 0);
  }

  /** The code of the step before the current one (a code the user read just before it rolled over). */
  previousCode(account?: string): string {
    return this.code(account, -1);
  }

  /** The code of the next step (a phone whose clock runs ahead). */
  nextCode(account?: string): string {
    return this.code(account, 1);
  }

  /** Code for the current step shifted by `stepOffset` steps. */
  code(account?: string, stepOffset = 0): string {
    return totpCode(this.#find(account).params, this.clock.now(), stepOffset);
  }

  /** Seconds until the shown code changes. */
  secondsRemaining(account?: string): number {
    const { period } = this.#find(account).params;
    const now = this.clock.now();
    return (timeStep(now, period) + 1) * period - Math.floor(now / 1000);
  }

  #find(selector: string | undefined): Account {
    if (this.#accounts.length === 0) {
      throw new CodedError('DEVICE_NO_ACCOUNT', `${this.kind} has no account yet; scan the enrolment QR code first.`);
    }
    if (selector === undefined) return this.#accounts[this.#accounts.length - 1]!;
    const found = this.#accounts.find((a) => a.view.id === selector || a.view.label === selector);
    if (!found) {
      throw new CodedError('DEVICE_NO_ACCOUNT', `${this.kind} has no account "${selector}"; list them with accounts().`, {
        account: selector,
      });
    }
    return found;
  }
}
