/**
 * A RADIUS client that handles Access-Challenge (RFC 2865 §4.4), as a VPN
 * gateway does — the AD Connector does not. It drives the agent's
 * password-first dialogue: the password in a first Access-Request, then each
 * answer (a factor's number, a keyword or a code) in a new Access-Request that
 * echoes the State of the last challenge. Datagrams go through the World's
 * raw client (`rawExchange`: from the AD Connector's first address, traced,
 * waited for on the lab clock); this module builds the requests, checks and
 * reads the replies, and keeps one dialogue per scenario. Requests are built
 * and replies judged by the connector's codec (the npm `radius` package,
 * wrapped), never by the agent's own.
 */
import { randomBytes } from 'node:crypto';
import { type EncodedRequest, encodeAccessRequest, verifyReply } from '../../simulators/ad-connector/radius-codec.ts';

export type ReplyKind = 'accept' | 'reject' | 'challenge';

/** One reply of the dialogue, as the client read it. */
export interface DialogueReply {
  kind: ReplyKind;
  /** The Reply-Message attributes, joined (a long text may span several). */
  message: string;
  /** The State of an Access-Challenge (to echo in the next request). */
  state?: Buffer;
}

/** One answer sent and what came back. */
export interface DialogueTurn {
  userName: string;
  /** What the request carried as User-Password (kept in memory only, to send it again). */
  answer: string;
  /** The State the request echoed (none for the first request of a sign-in). */
  sentState?: Buffer;
  reply: DialogueReply;
}

/** A sign-in through the challenge-capable client: its turns so far. */
export class ChallengeDialogue {
  readonly turns: DialogueTurn[] = [];

  /** The user's last request that echoed a State (to send it again). */
  lastAnswerWithState(userName: string): DialogueTurn & { sentState: Buffer } {
    const t = this.turns.findLast((x): x is DialogueTurn & { sentState: Buffer } => x.sentState !== undefined && x.userName === userName);
    if (!t) throw new Error(`${userName} has not echoed a State yet: answer a challenge first.`);
    return t;
  }
}

const dialogues = new WeakMap<object, ChallengeDialogue>();

/** The scenario's dialogue (one per World). */
export function dialogueOf(world: object): ChallengeDialogue {
  let d = dialogues.get(world);
  if (!d) {
    d = new ChallengeDialogue();
    dialogues.set(world, d);
  }
  return d;
}

let nextIdentifier = 101;

/** An Access-Request (PAP, Message-Authenticator first) with the answer as User-Password and, when given, the State to echo. */
export function answerRequest(input: { userName: string; answer: string; state?: Uint8Array; secret: string }): EncodedRequest {
  const identifier = nextIdentifier;
  nextIdentifier = (nextIdentifier + 1) % 256;
  return encodeAccessRequest({
    identifier,
    secret: input.secret,
    userName: input.userName,
    password: input.answer,
    protocol: 'PAP',
    messageAuthenticator: true,
    ...(input.state ? { extraAttributes: [['State', Buffer.from(input.state)]] } : {}),
  });
}

/**
 * Reads a reply as a careful client does: it must answer `request` (identifier,
 * Response Authenticator, Message-Authenticator when present), else it throws
 * saying what was wrong.
 */
export function readReply(reply: Buffer, request: EncodedRequest, secret: string): DialogueReply {
  const checked = verifyReply(request, reply, secret);
  if (!checked.ok) throw new Error(`The reply fails verification with the target's secret: ${checked.reason} — ${checked.detail}.`);
  const message = checked.reply.replyMessages.join('');
  switch (checked.reply.codeName) {
    case 'Access-Accept':
      return { kind: 'accept', message };
    case 'Access-Reject':
      return { kind: 'reject', message };
    case 'Access-Challenge': {
      const { state } = checked.reply;
      return state ? { kind: 'challenge', message, state } : { kind: 'challenge', message };
    }
  }
}

/** One factor of the password-first menu: its number and its name as shown. */
export interface MenuEntry {
  number: number;
  label: string;
}

/**
 * The factors of a menu text such as "Choose a factor: 1 Okta Verify push,
 * 2 Okta Verify code, 3 SMS code (+1 XXX-XXX-1234). Reply with its number, or
 * enter a code." (agent/README.md, password-first).
 */
export function parseMenu(text: string): MenuEntry[] {
  const m = /Choose a factor:\s*(.*?)\.\s*Reply with/s.exec(text);
  if (!m) return [];
  const entries: MenuEntry[] = [];
  // Entries are "N label"; a label may hold a comma only inside parentheses (none do today), so split on ", N ".
  for (const part of m[1]!.split(/,\s*(?=\d+\s)/)) {
    const e = /^(\d+)\s+(.+)$/.exec(part.trim());
    if (e) entries.push({ number: Number(e[1]), label: e[2]!.trim() });
  }
  return entries;
}

/** The number of the menu entry whose name starts with `name` (case-insensitive), or an error listing the menu. */
export function menuNumber(text: string, name: string): number {
  const entries = parseMenu(text);
  const wanted = name.toLowerCase();
  const hit = entries.find((e) => e.label.toLowerCase() === wanted) ?? entries.find((e) => e.label.toLowerCase().startsWith(wanted));
  if (!hit) throw new Error(`"${name}" is not in the menu "${text}".`);
  return hit.number;
}

/** A State the agent never issued (16 random bytes, as the agent's own). */
export function strangerState(): Buffer {
  return randomBytes(16);
}
