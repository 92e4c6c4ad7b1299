/**
 * Parameter types: the words scenarios use for people, apps, channels,
 * outcomes and durations. Each is listed in the step catalogue's preamble.
 */
import { defineParameterType } from '@cucumber/cucumber';
import type { LabWorld } from './world.ts';

/** People of the default lab, in the order they are introduced in features. */
export const PEOPLE = ['Alice', 'Bob', 'Carol', 'Dave', 'Erin', 'Frank', 'Grace', 'Heidi', 'Ivan', 'Judy'] as const;
export type Person = (typeof PEOPLE)[number];

const names = PEOPLE.join('|');

// {user}: a person by name, or she / he / they (her / him / them) for the person last named.
defineParameterType({
  name: 'user',
  regexp: new RegExp(`${names}|she|he|they|her|him|them`),
  transformer(this: LabWorld, word: string): Person {
    return this.person(word);
  },
});

// {whose}: Alice's / her / his / their — whose phone, code, account.
defineParameterType({
  name: 'whose',
  regexp: new RegExp(`(?:${names})'s|her|his|their`),
  transformer(this: LabWorld, word: string): Person {
    return this.person(word.endsWith("'s") ? word.slice(0, -2) : word);
  },
});

export type AppName = 'okta-verify' | 'google-authenticator' | 'duo-mobile';
const APPS: Record<string, AppName> = {
  'Okta Verify': 'okta-verify',
  'Google Authenticator': 'google-authenticator',
  'Duo Mobile': 'duo-mobile',
};

// {app}: an authenticator app on a phone.
defineParameterType({
  name: 'app',
  regexp: /Okta Verify|Google Authenticator|Duo Mobile/,
  transformer: (s: string): AppName => APPS[s]!,
});

// {factor}: a code an app shows — "Okta Verify code", "Google Authenticator code", "Duo passcode".
defineParameterType({
  name: 'factor',
  regexp: /Okta Verify code|Google Authenticator code|Duo passcode/,
  transformer: (s: string): AppName => (s.startsWith('Okta') ? 'okta-verify' : s.startsWith('Google') ? 'google-authenticator' : 'duo-mobile'),
});

export type Channel = 'sms' | 'call' | 'email';

// {channel}: how a one-time code travels — SMS, voice call, email.
defineParameterType({
  name: 'channel',
  regexp: /SMS|voice call|email/,
  transformer: (s: string): Channel => (s === 'SMS' ? 'sms' : s === 'email' ? 'email' : 'call'),
});

// {outcome}: "signed in" or "refused".
defineParameterType({
  name: 'outcome',
  regexp: /signed in|refused/,
  transformer: (s: string): 'signed-in' | 'refused' => (s === 'signed in' ? 'signed-in' : 'refused'),
});

const UNIT_MS: Record<string, number> = {
  millisecond: 1,
  milliseconds: 1,
  ms: 1,
  second: 1_000,
  seconds: 1_000,
  minute: 60_000,
  minutes: 60_000,
  hour: 3_600_000,
  hours: 3_600_000,
};

// {duration}: "31 seconds", "2 minutes", "1.5 seconds", "500 ms" → milliseconds.
defineParameterType({
  name: 'duration',
  regexp: /(\d+(?:\.\d+)?) (milliseconds?|ms|seconds?|minutes?|hours?)/,
  transformer: (n: string, unit: string): number => Math.round(Number(n) * UNIT_MS[unit]!),
});

// {timeStep}: which TOTP time step a code is from, relative to now → a step offset.
defineParameterType({
  name: 'timeStep',
  regexp: /(the previous|the next|the current|\d+) time steps?(?: (earlier|later))?/,
  transformer: (which: string, dir: string | undefined): number => {
    if (which === 'the previous') return -1;
    if (which === 'the next') return 1;
    if (which === 'the current') return 0;
    return dir === 'earlier' ? -Number(which) : Number(which);
  },
  useForSnippets: false,
});

// {count}: no / one / two / three … or digits.
const WORDS: Record<string, number> = { no: 0, zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5 };
defineParameterType({
  name: 'count',
  regexp: /\d+|no|zero|one|two|three|four|five/,
  transformer: (s: string): number => WORDS[s] ?? Number(s),
  useForSnippets: false,
});

// {pushAnswer}: what a person does with a push — approve, deny, ignore.
defineParameterType({
  name: 'pushAnswer',
  regexp: /approve|deny|ignore/,
  transformer: (s: string): 'approve' | 'deny' | 'ignore' => s as 'approve' | 'deny' | 'ignore',
});

// {ordinal}: first / second / third.
defineParameterType({
  name: 'ordinal',
  regexp: /first|second|third/,
  transformer: (s: string): number => ({ first: 0, second: 1, third: 2 })[s as 'first' | 'second' | 'third'],
  useForSnippets: false,
});

// {oktaState}: an Okta account state a scenario puts a user in.
defineParameterType({
  name: 'oktaState',
  regexp: /suspended|locked out|deprovisioned/,
  transformer: (s: string): string => s,
});

// {adState}: what is wrong with an AD account.
defineParameterType({
  name: 'adState',
  regexp: /is disabled|is locked out|has expired|must change its password|has an expired password/,
  transformer: (s: string): string => s,
});

// {settingName}: a RadiusSettings field as an administrator names it.
defineParameterType({
  name: 'settingName',
  regexp: /port|timeout|retries|protocol|shared secret length|server name length/,
  transformer: (s: string): string => s,
});

// {verdict}: whether settings were accepted or rejected.
defineParameterType({
  name: 'verdict',
  regexp: /accepted|rejected/,
  transformer: (s: string): 'accepted' | 'rejected' => s as 'accepted' | 'rejected',
});

// {radiusCode}: a RADIUS reply code by its RFC name → the code number.
defineParameterType({
  name: 'radiusCode',
  regexp: /Access-Accept|Access-Reject|Access-Challenge/,
  transformer: (s: string): number => ({ 'Access-Accept': 2, 'Access-Reject': 3, 'Access-Challenge': 11 })[s as 'Access-Accept'],
});

// {malformation}: how a datagram is broken.
defineParameterType({
  name: 'malformation',
  regexp: /is shorter than a RADIUS header|claims more bytes than it has|has an attribute of length 1/,
  transformer: (s: string): string => s,
});
