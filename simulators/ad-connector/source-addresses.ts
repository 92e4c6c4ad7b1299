/**
 * Which local addresses the connector sends from, when the run does not say:
 * what the OS itself uses to reach the RADIUS server (a UDP socket is
 * connected — nothing is sent — and its local address read back), plus a
 * second address where the machine has one on the same interface, because an
 * AD Connector has two client addresses sharing one secret (AWS
 * prereq_connector.md: "two RADIUS clients … the Directory IP addresses").
 *
 * - IPv4 loopback (127.0.0.1): the OS answers 127.0.0.1; every 127.x address is
 *   the machine's own, so the next one (127.0.0.2) is the second.
 * - IPv6 loopback (::1): one address only (::1 is the only IPv6 loopback).
 * - Any other address: another address of the same family on the same
 *   interface (os.networkInterfaces()), if there is one; else just the one.
 * Every chosen address is checked by binding a socket to it.
 */
import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { CodedError } from '../../agent/src/errors.ts';

export interface SourceChoice {
  /** The addresses the connector binds, first one first. */
  addresses: string[];
  /** One sentence: how they were chosen (for reports and errors). */
  how: string;
}

/** The local address the OS picks to send UDP to `target` (a UDP connect sends nothing). */
export async function localAddressToward(target: string): Promise<string> {
  const address = isIP(target) !== 0 ? target : (await lookup(target)).address;
  const socket = createSocket(isIP(address) === 6 ? 'udp6' : 'udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      // Port 9 (discard): only the route matters; connect() on UDP exchanges no packet.
      socket.connect(9, address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return socket.address().address;
  } catch (e) {
    throw new CodedError(
      'AD_CONNECTOR_NO_ROUTE',
      `This machine has no route to the RADIUS server ${target}: ${(e as Error).message}. Check the agent's address, or give the connector's source addresses explicitly.`,
      { target },
      { cause: e },
    );
  } finally {
    socket.close();
  }
}

async function canBind(address: string): Promise<boolean> {
  const socket = createSocket(isIP(address) === 6 ? 'udp6' : 'udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, address, () => resolve());
    });
    return true;
  } catch {
    return false;
  } finally {
    try {
      socket.close();
    } catch {
      // never bound: nothing to close
    }
  }
}

/** The address after `a` in 127.0.0.0/8 (127.0.0.1 → 127.0.0.2; 127.255.255.254 → 127.0.0.2). */
function nextLoopback(a: string): string {
  const n = a.split('.').map(Number);
  const value = ((n[1]! << 16) | (n[2]! << 8) | n[3]!) + 1;
  const v = value >= 0xffffff ? 2 : value;
  return `127.${(v >> 16) & 255}.${(v >> 8) & 255}.${v & 255}`;
}

/** A second address of the same family on the interface that holds `first` (none for ::1). */
function secondOnSameInterface(first: string): { address: string; iface: string } | undefined {
  const family = isIP(first);
  for (const [name, list] of Object.entries(networkInterfaces())) {
    if (!list?.some((i) => i.address === first)) continue;
    const other = list.find((i) => i.address !== first && isIP(i.address) === family && !i.address.startsWith('fe80:'));
    return other ? { address: other.address, iface: name } : undefined;
  }
  return undefined;
}

/** Choose the connector's source addresses for reaching `target` (an IP address or host name). */
export async function chooseSourceAddresses(target: string): Promise<SourceChoice> {
  const first = await localAddressToward(target);
  let second: string | undefined;
  let why: string;
  if (isIP(first) === 4 && first.startsWith('127.')) {
    second = nextLoopback(first);
    why = `${second} is another IPv4 loopback address of this machine`;
  } else {
    const other = secondOnSameInterface(first);
    second = other?.address;
    why = other ? `${other.address} is a second address on the same interface (${other.iface})` : 'the machine has no second address on that interface';
  }
  if (second !== undefined && !(await canBind(second))) {
    why = `${second} could not be bound`;
    second = undefined;
  }
  const addresses = second === undefined ? [first] : [first, second];
  return {
    addresses,
    how: `the OS reaches ${target} from ${first}; ${second === undefined ? `one client address only (${why})` : why}`,
  };
}
