/**
 * The closed vocabularies of the scenario language: every parameter word a
 * step understands, with its allowed values, so that a misspelt word is
 * reported with the allowed values (and a did-you-mean) instead of turning into
 * an "undefined step" or, worse, a silently different meaning.
 *
 * Pure: no Cucumber here. parameters.ts registers these with Cucumber;
 * step-lint.ts uses them to explain a step that matches no definition.
 */

/** One parameter type: how it matches, and how to explain it to an author. */
export interface WordSet {
  /** The Cucumber parameter type name, e.g. 'user' for {user}. */
  name: string;
  /** The allowed words, when the set is closed (most are). */
  values?: readonly string[];
  /** The regexp source Cucumber matches with (built from `values` when closed). */
  regexp: string;
  /** How an author should read it, for open sets ("a number and a unit"). */
  describe: string;
  /** A loose regexp source that still finds the word's position in a misspelt step. */
  loose: string;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Longest first, so "voice call" wins over a shorter prefix. */
function alternation(values: readonly string[]): string {
  return [...values].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|');
}

function closed(name: string, values: readonly string[], describe: string, loose = "[\\w'-]+(?: [\\w'-]+){0,3}?"): WordSet {
  return { name, values, regexp: alternation(values), describe, loose };
}

/** Levenshtein distance; hand-written because it is ten lines and no dependency is worth that. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diag + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length]!;
}

/** The closest allowed value, when it is close enough to be a likely typo. */
export function didYouMean(word: string, values: readonly string[]): string | undefined {
  let best: { v: string; d: number } | undefined;
  for (const v of values) {
    const d = editDistance(word, v);
    if (!best || d < best.d) best = { v, d };
  }
  return best && best.d <= Math.max(2, Math.floor(best.v.length / 3)) ? best.v : undefined;
}

/** "…: use one of A, B, C (did you mean B?)" */
export function allowedValuesHint(word: string, set: WordSet): string {
  if (!set.values) return `{${set.name}} is ${set.describe}`;
  const guess = didYouMean(word, set.values);
  return `{${set.name}} must be one of: ${set.values.join(', ')}${guess ? ` (did you mean "${guess}"?)` : ''}`;
}

// ─── people ──────────────────────────────────────────────────────────────

/** People of the default lab, in the order they are introduced in features. */
export const PEOPLE = ['Alice', 'Bob', 'Carol', 'Dave', 'Erin', 'Frank', 'Grace', 'Heidi', 'Ivan', 'Judy'] as const;
export type Person = (typeof PEOPLE)[number];

/** Who "she" and "he" can mean: a pronoun that doesn't fit the person it points at is an authoring mistake. */
export const PRONOUN_OF: Readonly<Record<Person, 'she' | 'he'>> = {
  Alice: 'she',
  Bob: 'he',
  Carol: 'she',
  Dave: 'he',
  Erin: 'she',
  Frank: 'he',
  Grace: 'she',
  Heidi: 'she',
  Ivan: 'he',
  Judy: 'she',
};

export const SUBJECT_PRONOUNS = ['she', 'he', 'they', 'her', 'him', 'them'] as const;
export const POSSESSIVE_PRONOUNS = ['her', 'his', 'their'] as const;

/** she/her → 'she', he/him/his → 'he', they/them/their → undefined (anyone). */
export function pronounGender(word: string): 'she' | 'he' | undefined {
  if (word === 'she' || word === 'her') return 'she';
  if (word === 'he' || word === 'him' || word === 'his') return 'he';
  return undefined;
}

export const USER: WordSet = closed('user', [...PEOPLE, ...SUBJECT_PRONOUNS], 'a person of the lab or a pronoun', "[A-Za-z]+");
export const WHOSE: WordSet = closed('whose', [...PEOPLE.map((p) => `${p}'s`), ...POSSESSIVE_PRONOUNS], "a person's name with 's, or her / his / their", "[A-Za-z]+(?:'s)?");

// ─── devices and factors ─────────────────────────────────────────────────

export type AppName = 'okta-verify' | 'google-authenticator' | 'duo-mobile';
export const APPS: Readonly<Record<string, AppName>> = {
  'Okta Verify': 'okta-verify',
  'Google Authenticator': 'google-authenticator',
  'Duo Mobile': 'duo-mobile',
};
export const APP: WordSet = closed('app', Object.keys(APPS), 'an authenticator app');

export const FACTORS: Readonly<Record<string, AppName>> = {
  'Okta Verify code': 'okta-verify',
  'Google Authenticator code': 'google-authenticator',
  'Duo passcode': 'duo-mobile',
};
export const FACTOR: WordSet = closed('factor', Object.keys(FACTORS), 'the code an app shows');

export type Channel = 'sms' | 'call' | 'email';
export const CHANNELS: Readonly<Record<string, Channel>> = { SMS: 'sms', 'voice call': 'call', email: 'email' };
export const CHANNEL: WordSet = closed('channel', Object.keys(CHANNELS), 'how a one-time code travels');

export const PUSH_ANSWERS = ['approve', 'deny', 'ignore'] as const;
export type PushAnswer = (typeof PUSH_ANSWERS)[number];
export const PUSH_ANSWER: WordSet = closed('pushAnswer', PUSH_ANSWERS, 'what a person does with a push');

export const ORDINALS = ['first', 'second', 'third'] as const;
export const ORDINAL: WordSet = closed('ordinal', ORDINALS, 'which one of several');

// ─── time and counts ─────────────────────────────────────────────────────

export const UNIT_MS: Readonly<Record<string, number>> = {
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
export const DURATION: WordSet = {
  name: 'duration',
  regexp: `(\\d+(?:\\.\\d+)?) (${alternation(Object.keys(UNIT_MS))})`,
  describe: `a number and a unit (${Object.keys(UNIT_MS).join(', ')}), e.g. "31 seconds", "2 minutes", "500 ms"`,
  loose: '\\S+ \\S+',
};

export const TIME_STEP: WordSet = {
  name: 'timeStep',
  regexp: '(the previous|the next|the current|\\d+) time steps?(?: (earlier|later))?',
  describe: 'the previous / the current / the next time step, or "N time steps earlier|later"',
  loose: '.+? time steps?(?: \\S+)?',
};

export const COUNT_WORDS: Readonly<Record<string, number>> = { no: 0, zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5 };
export const COUNT: WordSet = {
  name: 'count',
  regexp: `\\d+|${alternation(Object.keys(COUNT_WORDS))}`,
  describe: `digits or one of: ${Object.keys(COUNT_WORDS).join(', ')}`,
  loose: '\\S+',
};

// ─── accounts ────────────────────────────────────────────────────────────

export const OKTA_STATES = ['suspended', 'locked out', 'deprovisioned'] as const;
export const OKTA_STATE: WordSet = closed('oktaState', OKTA_STATES, 'an Okta account state');

/** Okta user statuses a Then step may check, in an administrator's words → Okta's status value. */
export const OKTA_STATUSES: Readonly<Record<string, string>> = {
  active: 'ACTIVE',
  'locked out': 'LOCKED_OUT',
  suspended: 'SUSPENDED',
  deprovisioned: 'DEPROVISIONED',
};
export const OKTA_STATUS: WordSet = closed('oktaStatus', Object.keys(OKTA_STATUSES), 'an Okta account status');

export const AD_STATES = ['is disabled', 'is locked out', 'has expired', 'must change its password', 'has an expired password'] as const;
export const AD_STATE: WordSet = closed('adState', AD_STATES, 'what is wrong with an AD account', '.+?');

/** Why the AD Connector refused at the password step, in an administrator's words → the connector's reason code. */
export const PASSWORD_REASONS: Readonly<Record<string, string>> = {
  'wrong password': 'password-rejected',
  'account disabled': 'account-disabled',
  'account locked out': 'account-locked',
  'account expired': 'account-expired',
  'must change password': 'password-must-change',
  'password expired': 'password-expired',
  'directory unavailable': 'directory-unreachable',
};
export const PASSWORD_REASON: WordSet = {
  ...closed('passwordReason', Object.keys(PASSWORD_REASONS), 'why the password check failed'),
  regexp: `"(${alternation(Object.keys(PASSWORD_REASONS))})"`,
  loose: '"[^"]*"',
};

/**
 * Why an agent dropped a datagram: the stable codes of the reference agent's
 * transport, which the suite reads from packet events or the agent's metrics.
 */
export const DROP_REASONS = [
  'malformed',
  'unknown-client',
  'unsupported-code',
  'bad-message-authenticator',
  'missing-message-authenticator',
  'duplicate-in-progress',
  'duplicate-no-reply',
] as const;
export const DROP_REASON: WordSet = {
  ...closed('dropReason', DROP_REASONS, 'why the agent dropped a datagram'),
  regexp: `"(${alternation(DROP_REASONS)})"`,
  loose: '"[^"]*"',
};

// ─── connector settings and RADIUS ───────────────────────────────────────

export const SETTING_NAMES = ['port', 'timeout', 'retries', 'protocol', 'shared secret length', 'server name length'] as const;
export const SETTING_NAME: WordSet = closed('settingName', SETTING_NAMES, 'a RadiusSettings field');

export const SETTINGS_VERDICTS = ['accepted', 'rejected'] as const;
export const SETTINGS_VERDICT: WordSet = closed('verdict', SETTINGS_VERDICTS, 'whether settings were accepted');

export const PROTOCOLS = ['PAP', 'CHAP', 'MS-CHAPv1', 'MS-CHAPv2'] as const;
export const PROTOCOL: WordSet = closed('protocol', PROTOCOLS, 'an AuthenticationProtocol');

export const RADIUS_STATUSES = ['Creating', 'Completed', 'Failed'] as const;
export const RADIUS_STATUS: WordSet = {
  ...closed('radiusStatus', RADIUS_STATUSES, 'a RadiusStatus'),
  regexp: `"(${alternation(RADIUS_STATUSES)})"`,
  loose: '"[^"]*"',
};

export const RADIUS_CODES: Readonly<Record<string, number>> = { 'Access-Accept': 2, 'Access-Reject': 3, 'Access-Challenge': 11 };
export const RADIUS_CODE: WordSet = closed('radiusCode', Object.keys(RADIUS_CODES), 'a RADIUS reply code', '[\\w-]+');

export const MALFORMATIONS = ['is shorter than a RADIUS header', 'claims more bytes than it has', 'has an attribute of length 1'] as const;
export const MALFORMATION: WordSet = closed('malformation', MALFORMATIONS, 'how a datagram is broken', '.+?');

export const PAGE_OUTCOMES = ['signed in', 'refused'] as const;
export const PAGE_OUTCOME: WordSet = closed('pageOutcome', PAGE_OUTCOMES, 'what the sign-in page shows');

/** Every word set, for the catalogue page and the step linter. */
export const WORD_SETS: readonly WordSet[] = [
  USER,
  WHOSE,
  APP,
  FACTOR,
  CHANNEL,
  PUSH_ANSWER,
  ORDINAL,
  DURATION,
  TIME_STEP,
  COUNT,
  OKTA_STATE,
  OKTA_STATUS,
  AD_STATE,
  PASSWORD_REASON,
  DROP_REASON,
  SETTING_NAME,
  SETTINGS_VERDICT,
  PROTOCOL,
  RADIUS_STATUS,
  RADIUS_CODE,
  MALFORMATION,
  PAGE_OUTCOME,
];
