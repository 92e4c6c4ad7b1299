/**
 * Parameter types: the words scenarios use for people, apps, channels,
 * durations, reasons… Each comes from a closed vocabulary in words.ts (listed in
 * the step catalogue's preamble and in features/README.md); a word outside it
 * makes the step match nothing, and step-lint.ts then names the word and the
 * allowed values.
 */
import { defineParameterType } from '@cucumber/cucumber';
import {
  AD_STATE,
  APP,
  type AppName,
  APPS,
  CHANNEL,
  type Channel,
  CHANNELS,
  COUNT,
  COUNT_WORDS,
  DROP_REASON,
  DURATION,
  FACTOR,
  FACTORS,
  MALFORMATION,
  OKTA_STATE,
  OKTA_STATUS,
  OKTA_STATUSES,
  ORDINAL,
  ORDINALS,
  PAGE_OUTCOME,
  PASSWORD_REASON,
  PASSWORD_REASONS,
  type Person,
  PROTOCOL,
  PUSH_ANSWER,
  type PushAnswer,
  RADIUS_CODE,
  RADIUS_CODES,
  RADIUS_STATUS,
  SETTING_NAME,
  SETTINGS_VERDICT,
  TIME_STEP,
  UNIT_MS,
  USER,
  WHOSE,
  type WordSet,
} from './words.ts';
import type { LabWorld } from './world.ts';

export type { AppName, Channel, Person, PushAnswer } from './words.ts';
export { PEOPLE } from './words.ts';

function define<T>(set: WordSet, transformer: (this: LabWorld, ...groups: string[]) => T, useForSnippets = true): void {
  defineParameterType({ name: set.name, regexp: new RegExp(set.regexp), transformer, useForSnippets });
}

// {user}: a person by name, or she / he / they (her / him / them) for the person last named.
define(USER, function (word: string): Person {
  return this.person(word);
});

// {whose}: Alice's / her / his / their — whose phone, code, account. The person it names is the one the step acts on.
define(WHOSE, function (word: string): Person {
  return this.person(word.endsWith("'s") ? word.slice(0, -2) : word, 'possessive');
});

// {app}: an authenticator app on a phone.
define(APP, (s: string): AppName => APPS[s]!);

// {factor}: a code an app shows — "Okta Verify code", "Google Authenticator code", "Duo passcode".
define(FACTOR, (s: string): AppName => FACTORS[s]!);

// {channel}: how a one-time code travels — SMS, voice call, email.
define(CHANNEL, (s: string): Channel => CHANNELS[s]!);

// {pageOutcome}: what the sign-in page shows — "signed in" or "refused".
define(PAGE_OUTCOME, (s: string): 'signed-in' | 'refused' => (s === 'signed in' ? 'signed-in' : 'refused'));

// {duration}: "31 seconds", "2 minutes", "1.5 seconds", "500 ms" → milliseconds.
define(DURATION, (n: string, unit: string): number => Math.round(Number(n) * UNIT_MS[unit]!));

// {timeStep}: which TOTP time step a code is from, relative to now → a step offset.
define(
  TIME_STEP,
  (which: string, dir: string | undefined): number => {
    if (which === 'the previous') return -1;
    if (which === 'the next') return 1;
    if (which === 'the current') return 0;
    if (dir === undefined) throw new Error(`"${which} time steps" needs "earlier" or "later" after it.`);
    return dir === 'earlier' ? -Number(which) : Number(which);
  },
  false,
);

// {count}: no / one / two / three … or digits.
define(COUNT, (s: string): number => COUNT_WORDS[s] ?? Number(s), false);

// {pushAnswer}: what a person does with a push — approve, deny, ignore.
define(PUSH_ANSWER, (s: string): PushAnswer => s as PushAnswer);

// {ordinal}: first / second / third → 0-based index.
define(ORDINAL, (s: string): number => ORDINALS.indexOf(s as (typeof ORDINALS)[number]), false);

// {oktaState}: an Okta account state a scenario puts a user in.
define(OKTA_STATE, (s: string): string => s);

// {oktaStatus}: an Okta account status a Then step checks → Okta's value (ACTIVE, LOCKED_OUT, …).
define(OKTA_STATUS, (s: string): string => OKTA_STATUSES[s]!);

// {adState}: what is wrong with an AD account.
define(AD_STATE, (s: string): string => s);

// {passwordReason}: "wrong password", "account disabled", … → the AD Connector's reason code.
define(PASSWORD_REASON, (s: string): string => PASSWORD_REASONS[s]!);

// {dropReason}: "malformed", "unknown-client", … — why an agent dropped a datagram.
define(DROP_REASON, (s: string): string => s);

// {settingName}: a RadiusSettings field as an administrator names it.
define(SETTING_NAME, (s: string): string => s);

// {verdict}: whether settings were accepted or rejected.
define(SETTINGS_VERDICT, (s: string): 'accepted' | 'rejected' => s as 'accepted' | 'rejected');

// {protocol}: PAP, CHAP, MS-CHAPv1, MS-CHAPv2.
define(PROTOCOL, (s: string): string => s);

// {radiusStatus}: "Creating", "Completed", "Failed".
define(RADIUS_STATUS, (s: string): string => s);

// {radiusCode}: a RADIUS reply code by its RFC name → the code number.
define(RADIUS_CODE, (s: string): number => RADIUS_CODES[s]!);

// {malformation}: how a datagram is broken.
define(MALFORMATION, (s: string): string => s);
