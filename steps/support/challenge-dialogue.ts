/**
 * A RADIUS client that handles Access-Challenge (RFC 2865 §4.4), as a VPN
 * gateway does — the AD Connector does not. It drives the agent's
 * password-first dialogue: the password in a first Access-Request, then each
 * answer (a factor's number, a keyword or a code) in a new Access-Request that
 * echoes the State of the last challenge. Datagrams go through the World's
 * raw client (`rawExchange`: from the AD Connector's first address, traced,
 * waited for on the lab clock); this module builds the requests, checks and
 * reads the replies, and keeps one dialogue per scenario.
 */
import { randomBytes } from 'node:crypto';
import { RadiusCode } from '../../agent/src/radius/codes.ts';
import { decodePacket, encodeRequest, verifyMessageAuthenticator, verifyResponseAuthenticator } from '../../agent/src/radius/codec.ts';
import { attr, getAll, getOctets, type RadiusAttribute } from '../../agent/src/radius/packet.ts';

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

  get last(): DialogueTurn {
    const t = this.turns.at(-1);
    if (!t) throw new Error('Nothing was sent through the VPN yet: start with "When … signs in to the VPN with … password".');
    return t;
  }

  /** The State of the last challenge: what the next answer echoes. */
  currentState(): Buffer {
    const { reply } = this.last;
    if (reply.kind !== 'challenge' || !reply.state) {
      throw new Error(`The last reply was an Access-${reply.kind === 'accept' ? 'Accept' : 'Reject'}, not a challenge: there is nothing to answer ("${reply.message}").`);
    }
    return reply.state;
  }

  /** The last request that echoed a State (to send it again). */
  lastAnswerWithState(): DialogueTurn & { sentState: Buffer } {
    const t = this.turns.findLast((x): x is DialogueTurn & { sentState: Buffer } => x.sentState !== undefined);
    if (!t) throw new Error('No request echoed a State yet: answer a challenge first.');
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
export function answerRequest(input: { userName: string; answer: string; state?: Uint8Array; secret: string }): Buffer {
  const attributes: RadiusAttribute[] = [attr.text('User-Name', input.userName)];
  if (input.state) attributes.push(attr.octets('State', input.state));
  const identifier = nextIdentifier;
  nextIdentifier = (nextIdentifier + 1) % 256;
  return encodeRequest({ code: RadiusCode.AccessRequest, identifier, attributes, userPassword: input.answer, messageAuthenticator: 'first' }, input.secret);
}

/**
 * Reads a reply as a careful client does: it must answer `request` (identifier,
 * Response Authenticator, Message-Authenticator when present), else it throws
 * saying what was wrong.
 */
export function readReply(reply: Buffer, request: Buffer, secret: string): DialogueReply {
  if (reply[1] !== request[1]) throw new Error(`The reply's identifier ${reply[1]} does not match the request's ${request[1]}.`);
  const requestAuthenticator = request.subarray(4, 20);
  if (!verifyResponseAuthenticator(reply, requestAuthenticator, secret)) throw new Error('The reply fails the Response Authenticator check (wrong shared secret?).');
  if (verifyMessageAuthenticator(reply, secret, requestAuthenticator) === 'invalid') throw new Error('The reply has an invalid Message-Authenticator.');
  const decoded = decodePacket(reply);
  if (!decoded.ok) throw new Error(`The reply does not decode: ${decoded.error.message}`);
  const { packet } = decoded;
  const message = getAll(packet, 'Reply-Message')
    .map((v) => Buffer.from(v).toString('utf8'))
    .join('');
  switch (packet.code) {
    case RadiusCode.AccessAccept:
      return { kind: 'accept', message };
    case RadiusCode.AccessReject:
      return { kind: 'reject', message };
    case RadiusCode.AccessChallenge: {
      const state = getOctets(packet, 'State');
      return state ? { kind: 'challenge', message, state: Buffer.from(state) } : { kind: 'challenge', message };
    }
    default:
      throw new Error(`Unexpected reply code ${packet.code} to an Access-Request.`);
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
