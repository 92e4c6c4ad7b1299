/**
 * The lab's seed file: schema (zod), parsing (YAML) and errors that name the
 * file, the path inside it (`users[2].factors[0].type`), its line, and what is
 * wrong. Cross-references (a factor naming a phone the user does not have,
 * duplicate logins, numbers, …) are checked here too, so a seed that passes
 * can be built without surprises. Format documented in SEED.md.
 */
import { readFile } from 'node:fs/promises';
import { isMap, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { z } from 'zod';
import { CodedError } from '../../agent/src/errors.ts';
import { parsePushBehaviour } from '../devices/push-behaviour.ts';

const OKTA_STATUSES = [
  'ACTIVE',
  'STAGED',
  'PROVISIONED',
  'SUSPENDED',
  'LOCKED_OUT',
  'PASSWORD_EXPIRED',
  'DEPROVISIONED',
  /** No Okta user at all (an AD-only account). */
  'NONE',
] as const;

const AD_STATES = [
  'enabled',
  'disabled',
  'locked',
  'expired',
  'password-expired',
  'must-change',
  /** No AD account at all (an Okta-only user). */
  'none',
] as const;

export const USERNAME_FORMATS = [
  'okta-username',
  'okta-username-prefix',
  'email',
  'email-prefix',
  'sam-account-name',
] as const;

const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number such as "+15555550101" (quote it in YAML)');
const base32 = z
  .string()
  .transform((s) => s.replace(/[\s-]/g, '').replace(/=+$/, '').toUpperCase())
  .pipe(z.string().regex(/^[A-Z2-7]{16,}$/, 'must be a base32 secret of at least 16 characters (A-Z, 2-7)'));
const pushBehaviour = z.string().superRefine((text, ctx) => {
  try {
    parsePushBehaviour(text);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
  }
});

const phoneSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, ".", "_" or "-"'),
  number: e164,
  /** Okta Verify's deviceId on this phone (default `ov-<name>`). */
  deviceId: z.string().min(1).optional(),
  pushBehaviour: pushBehaviour.default('ignore'),
  online: z.boolean().default(true),
  /** Whether the voice line picks up calls. */
  answersCalls: z.boolean().default(true),
});

const factorSchema = z.strictObject({
  type: z.enum(['push', 'totp', 'sms', 'call', 'email', 'duo']),
  /** totp only: OKTA (Okta Verify) or GOOGLE (Google Authenticator). */
  provider: z.enum(['OKTA', 'GOOGLE']).optional(),
  /** The user's phone holding the app or number (may be left out when the user has one phone). */
  phone: z.string().optional(),
  /** email only (default: the user's email). */
  address: z.email().optional(),
  /** push / totp / duo: base32 shared secret; derived from the seed when absent. */
  secret: base32.optional(),
  status: z.enum(['active', 'pending']).default('active'),
});

const userSchema = z.strictObject({
  login: z.string().min(1),
  firstName: z.string().min(1).optional(),
  lastName: z.string().min(1).optional(),
  email: z.email().optional(),
  /** AD logon name (default: the login up to "@"). */
  sAMAccountName: z
    .string()
    .regex(/^[^"/\\[\]:;|=,+*?<>@\s]{1,20}$/, 'must be 1-20 characters without spaces or any of "/\\[]:;|=,+*?<>@')
    .optional(),
  userPrincipalName: z.string().regex(/^[^@\s]+@[^@\s]+$/, 'must look like name@dns.domain').optional(),
  /** Both the AD password and the Okta password (Okta delegating to AD in practice). */
  password: z.string().min(1),
  oktaStatus: z.enum(OKTA_STATUSES).default('ACTIVE'),
  adState: z.enum(AD_STATES).default('enabled'),
  /** Group names: Okta groups and AD groups (CN=<name>,CN=Users,<baseDn>). */
  groups: z.array(z.string().min(1)).default([]),
  /** Assigned to the RADIUS app. */
  assigned: z.boolean().default(true),
  phones: z.array(phoneSchema).default([]),
  factors: z.array(factorSchema).default([]),
});

export const seedSchema = z
  .strictObject({
    version: z.literal(1).default(1),
    /** Key for everything derived (secrets, ids); default: org.name. */
    seed: z.string().min(1).optional(),
    clock: z.strictObject({ start: z.iso.datetime({ offset: true }) }).optional(),
    org: z.strictObject({
      name: z.string().min(1),
      /** Org URL used in links when served in-process (the real server uses its own address). */
      url: z.url().optional(),
      apiToken: z
        .strictObject({
          name: z.string().min(1).default('radius-agent'),
          /** Fixed token value (optional): a real agent configured against the lab keeps working across restarts. */
          value: z.string().min(20).optional(),
        })
        .default({ name: 'radius-agent' }),
      /** Failed primary authentications before LOCKED_OUT (0: never). */
      lockoutThreshold: z.int().min(0).optional(),
    }),
    app: z
      .strictObject({
        label: z.string().min(1).default('Amazon WorkSpaces'),
        name: z.string().min(1).default('radius'),
        usernameFormat: z.enum(USERNAME_FORMATS).default('okta-username-prefix'),
        /** A fixed app id (Okta's form: 0oa and 17 letters or digits), so an agent configured once meets every lab built from this seed. */
        id: z.string().regex(/^0oa[A-Za-z0-9]{17}$/, 'must be an Okta app id: 0oa and 17 letters or digits').optional(),
      })
      .default({ label: 'Amazon WorkSpaces', name: 'radius', usernameFormat: 'okta-username-prefix' }),
    directory: z
      .strictObject({
        domain: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,14}$/, 'must be a NetBIOS name (1-15 letters, digits, "-"), e.g. CORP').default('CORP'),
        baseDn: z.string().regex(/^(DC=[A-Za-z0-9-]+,)*DC=[A-Za-z0-9-]+$/i, 'must be DC=… components, e.g. DC=corp,DC=example,DC=com').default('DC=corp,DC=example,DC=com'),
        /** Bad passwords that lock an AD account (0: never, AD's default). */
        lockoutThreshold: z.int().min(0).default(0),
      })
      .default({ domain: 'CORP', baseDn: 'DC=corp,DC=example,DC=com', lockoutThreshold: 0 }),
    users: z.array(userSchema).min(1, 'a lab needs at least one user'),
  })
  .superRefine(crossCheck);

export type SeedInput = z.input<typeof seedSchema>;
export type LabSeed = z.output<typeof seedSchema>;
export type SeedUser = LabSeed['users'][number];
export type SeedPhone = SeedUser['phones'][number];
export type SeedFactor = SeedUser['factors'][number];
export type UsernameFormat = (typeof USERNAME_FORMATS)[number];

type Ctx = z.core.$RefinementCtx<LabSeed>;

/** The phone a factor lives on: named, or the user's only phone. */
export function phoneOfFactor(user: SeedUser, factor: SeedFactor): SeedPhone | undefined {
  if (factor.phone !== undefined) return user.phones.find((p) => p.name === factor.phone);
  return user.phones.length === 1 ? user.phones[0] : undefined;
}

export function samOf(user: SeedUser): string {
  return user.sAMAccountName ?? (user.login.split('@')[0] ?? user.login).slice(0, 20);
}

function crossCheck(seed: LabSeed, ctx: Ctx): void {
  const issue = (path: Array<string | number>, message: string): void => ctx.addIssue({ code: 'custom', path, message });
  const logins = new Map<string, number>();
  const sams = new Map<string, number>();
  const phoneNames = new Map<string, string>();
  const numbers = new Map<string, string>();
  seed.users.forEach((u, i) => {
    const at = ['users', i];
    const prevLogin = logins.get(u.login.toLowerCase());
    if (prevLogin !== undefined) issue([...at, 'login'], `duplicate login; users[${prevLogin}] has it too`);
    logins.set(u.login.toLowerCase(), i);
    if (u.adState !== 'none') {
      const sam = samOf(u).toLowerCase();
      const prev = sams.get(sam);
      if (prev !== undefined) issue([...at, 'sAMAccountName'], `duplicate sAMAccountName "${samOf(u)}"; users[${prev}] has it too`);
      sams.set(sam, i);
    }
    if (u.oktaStatus === 'NONE' && u.factors.length > 0) {
      issue([...at, 'factors'], 'a user with oktaStatus NONE has no Okta account to enrol factors in');
    }
    if (u.oktaStatus === 'NONE' && u.adState === 'none') issue([...at], 'the user exists nowhere (oktaStatus NONE and adState none)');
    u.phones.forEach((p, j) => {
      const prevName = phoneNames.get(p.name);
      if (prevName) issue([...at, 'phones', j, 'name'], `duplicate phone name; ${prevName} has it too`);
      phoneNames.set(p.name, `users[${i}].phones`);
      const prevNumber = numbers.get(p.number);
      if (prevNumber) issue([...at, 'phones', j, 'number'], `duplicate phone number; ${prevNumber} has it too`);
      numbers.set(p.number, `users[${i}].phones[${j}]`);
    });
    const once = new Map<string, number>();
    const pushPhones = new Set<string>();
    u.factors.forEach((f, k) => {
      const fat = [...at, 'factors', k];
      if (f.provider !== undefined && f.type !== 'totp') issue([...fat, 'provider'], `only a totp factor takes a provider, not ${f.type}`);
      if (f.address !== undefined && f.type !== 'email') issue([...fat, 'address'], `only an email factor takes an address, not ${f.type}`);
      if (f.secret !== undefined && !['push', 'totp', 'duo'].includes(f.type)) {
        issue([...fat, 'secret'], `a ${f.type} factor has no shared secret; remove it`);
      }
      if (f.type === 'email') {
        if (f.phone !== undefined) issue([...fat, 'phone'], 'an email factor goes to an address, not a phone');
      } else {
        const phone = phoneOfFactor(u, f);
        if (!phone) {
          const names = u.phones.map((p) => p.name).join(', ');
          issue(
            [...fat, 'phone'],
            f.phone !== undefined
              ? `no phone "${f.phone}" among this user's phones (${names || 'none'})`
              : u.phones.length === 0
                ? `a ${f.type} factor needs a phone; add one under users[${i}].phones`
                : `this user has several phones (${names}); name the one for this factor`,
          );
        } else if (f.type === 'push') {
          if (pushPhones.has(phone.name)) issue([...fat, 'phone'], `Okta Verify on ${phone.name} already has a push enrolment`);
          pushPhones.add(phone.name);
        }
      }
      // Okta keeps one phone per sms / call, one email, one Google Authenticator, one Duo per user.
      const key = f.type === 'totp' ? (f.provider === 'GOOGLE' ? 'totp/GOOGLE' : '') : f.type === 'push' ? '' : f.type;
      if (key) {
        const prev = once.get(key);
        if (prev !== undefined) issue([...fat, 'type'], `Okta allows one ${key} factor per user; factors[${prev}] is one already`);
        once.set(key, k);
      }
    });
  });
}

export interface SeedProblem {
  /** e.g. `users[2].factors[0].type` ("" for the whole file). */
  path: string;
  /** 1-based line in the file, when known. */
  line?: number;
  message: string;
}

/** `['users', 2, 'factors', 0, 'type']` → `users[2].factors[0].type`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

/** The error every refused seed becomes: code LAB_SEED_INVALID, one line naming file, path and problem. */
export function seedError(source: string, problems: SeedProblem[]): CodedError {
  const first = problems[0]!;
  const where = `${source}${first.line !== undefined ? `:${first.line}` : ''}`;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  return new CodedError(
    'LAB_SEED_INVALID',
    `Seed ${where}: ${first.path || '(top level)'}: ${first.message}${more}; fix the seed file (format: simulators/lab/SEED.md).`,
    { file: source, path: first.path, problems },
  );
}

/** Validates an already-parsed seed object (from code or YAML). */
export function validateSeed(input: unknown, source = '<seed>', lineOf?: (path: ReadonlyArray<PropertyKey>) => number | undefined): LabSeed {
  const result = seedSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue): SeedProblem => {
    const line = lineOf?.(issue.path);
    return { path: formatPath(issue.path), message: issue.message, ...(line !== undefined ? { line } : {}) };
  });
  throw seedError(source, problems);
}

/** Parses and validates seed YAML; `source` (the file name) goes into every error. */
export function parseSeed(text: string, source = '<seed>'): LabSeed {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw seedError(
      source,
      doc.errors.map((e) => {
        const line = lineCounter.linePos(e.pos[0]).line;
        return { path: '', line, message: `YAML: ${e.message.split('\n')[0]}` };
      }),
    );
  }
  const lineOf = (path: ReadonlyArray<PropertyKey>): number | undefined => {
    // The deepest node that exists on the path (a missing key points at its parent).
    for (let n = path.length; n >= 0; n--) {
      const node = nodeAt(doc.contents, path.slice(0, n));
      if (node?.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  // toJS() throws (a ReferenceError) for an alias to an anchor that was never set: a seed error, not a crash (found by fuzz/).
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (e) {
    throw seedError(source, [{ path: '', message: `YAML: ${(e as Error).message.split('\n')[0]}` }]);
  }
  return validateSeed(value, source, lineOf);
}

function nodeAt(root: unknown, path: ReadonlyArray<PropertyKey>): Node | undefined {
  let node: unknown = root;
  for (const key of path) {
    if (isMap(node)) node = node.get(key, true);
    else if (isSeq(node) && typeof key === 'number') node = node.get(key, true);
    else return undefined;
  }
  return node as Node | undefined;
}

/** Reads a seed file; a missing file is a LAB_SEED_UNREADABLE error naming it. */
export async function loadSeedFile(path: string): Promise<LabSeed> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new CodedError('LAB_SEED_UNREADABLE', `Seed ${path}: cannot read it (${why}); give the path of a YAML seed file.`, {
      file: path,
    });
  }
  return parseSeed(text, path);
}
