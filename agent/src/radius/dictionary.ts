/**
 * The attributes this project names: a subset of RFC 2865/2866/2868/2869/3162/
 * 3579/5080/5997 plus Microsoft vendor-specific attributes (RFC 2548). Unknown
 * attributes still decode (as raw octets); the dictionary only gives them names
 * and data types for the typed getters and builders in packet.ts.
 */

export type AttributeDataType =
  /** UTF-8 text (RFC 8044 "text"). */
  | 'text'
  /** Opaque bytes (RFC 8044 "string"/"octets"). */
  | 'octets'
  /** 32-bit unsigned big-endian. */
  | 'integer'
  /** IPv4 address, 4 octets. */
  | 'ipaddr'
  /** IPv6 address, 16 octets. */
  | 'ipv6addr'
  /** Seconds since the Unix epoch, 32-bit. */
  | 'date';

export interface AttributeDefinition {
  readonly name: string;
  /** Attribute type (for a VSA: the vendor's sub-attribute type). */
  readonly type: number;
  readonly dataType: AttributeDataType;
  /** Present for vendor-specific attributes (carried inside type 26). */
  readonly vendorId?: number;
}

/** Numeric type codes of the standard attributes the code refers to by constant. */
export const AttributeType = {
  UserName: 1,
  UserPassword: 2,
  ChapPassword: 3,
  NasIpAddress: 4,
  NasPort: 5,
  ServiceType: 6,
  FramedProtocol: 7,
  FramedIpAddress: 8,
  FramedIpNetmask: 9,
  FilterId: 11,
  FramedMtu: 12,
  LoginIpHost: 14,
  LoginService: 15,
  ReplyMessage: 18,
  State: 24,
  Class: 25,
  VendorSpecific: 26,
  SessionTimeout: 27,
  IdleTimeout: 28,
  TerminationAction: 29,
  CalledStationId: 30,
  CallingStationId: 31,
  NasIdentifier: 32,
  ProxyState: 33,
  AcctStatusType: 40,
  AcctDelayTime: 41,
  AcctSessionId: 44,
  AcctAuthentic: 45,
  EventTimestamp: 55,
  ChapChallenge: 60,
  NasPortType: 61,
  PortLimit: 62,
  ConnectInfo: 77,
  EapMessage: 79,
  MessageAuthenticator: 80,
  AcctInterimInterval: 85,
  NasPortId: 87,
  NasIpv6Address: 95,
} as const;

export const VendorId = {
  Microsoft: 311,
} as const;

/** Standard attributes by their RFC name. */
export const standardAttributes = {
  'User-Name': { type: 1, dataType: 'text' },
  'User-Password': { type: 2, dataType: 'octets' },
  'CHAP-Password': { type: 3, dataType: 'octets' },
  'NAS-IP-Address': { type: 4, dataType: 'ipaddr' },
  'NAS-Port': { type: 5, dataType: 'integer' },
  'Service-Type': { type: 6, dataType: 'integer' },
  'Framed-Protocol': { type: 7, dataType: 'integer' },
  'Framed-IP-Address': { type: 8, dataType: 'ipaddr' },
  'Framed-IP-Netmask': { type: 9, dataType: 'ipaddr' },
  'Framed-Routing': { type: 10, dataType: 'integer' },
  'Filter-Id': { type: 11, dataType: 'text' },
  'Framed-MTU': { type: 12, dataType: 'integer' },
  'Framed-Compression': { type: 13, dataType: 'integer' },
  'Login-IP-Host': { type: 14, dataType: 'ipaddr' },
  'Login-Service': { type: 15, dataType: 'integer' },
  'Login-TCP-Port': { type: 16, dataType: 'integer' },
  'Reply-Message': { type: 18, dataType: 'text' },
  'Callback-Number': { type: 19, dataType: 'text' },
  'Callback-Id': { type: 20, dataType: 'text' },
  'Framed-Route': { type: 22, dataType: 'text' },
  State: { type: 24, dataType: 'octets' },
  Class: { type: 25, dataType: 'octets' },
  'Vendor-Specific': { type: 26, dataType: 'octets' },
  'Session-Timeout': { type: 27, dataType: 'integer' },
  'Idle-Timeout': { type: 28, dataType: 'integer' },
  'Termination-Action': { type: 29, dataType: 'integer' },
  'Called-Station-Id': { type: 30, dataType: 'text' },
  'Calling-Station-Id': { type: 31, dataType: 'text' },
  'NAS-Identifier': { type: 32, dataType: 'text' },
  'Proxy-State': { type: 33, dataType: 'octets' },
  'Acct-Status-Type': { type: 40, dataType: 'integer' },
  'Acct-Delay-Time': { type: 41, dataType: 'integer' },
  'Acct-Input-Octets': { type: 42, dataType: 'integer' },
  'Acct-Output-Octets': { type: 43, dataType: 'integer' },
  'Acct-Session-Id': { type: 44, dataType: 'text' },
  'Acct-Authentic': { type: 45, dataType: 'integer' },
  'Acct-Session-Time': { type: 46, dataType: 'integer' },
  'Acct-Terminate-Cause': { type: 49, dataType: 'integer' },
  'Event-Timestamp': { type: 55, dataType: 'date' },
  'CHAP-Challenge': { type: 60, dataType: 'octets' },
  'NAS-Port-Type': { type: 61, dataType: 'integer' },
  'Port-Limit': { type: 62, dataType: 'integer' },
  'Tunnel-Type': { type: 64, dataType: 'integer' },
  'Connect-Info': { type: 77, dataType: 'text' },
  'EAP-Message': { type: 79, dataType: 'octets' },
  'Message-Authenticator': { type: 80, dataType: 'octets' },
  'Acct-Interim-Interval': { type: 85, dataType: 'integer' },
  'NAS-Port-Id': { type: 87, dataType: 'text' },
  'Framed-Pool': { type: 88, dataType: 'text' },
  'NAS-IPv6-Address': { type: 95, dataType: 'ipv6addr' },
  'Error-Cause': { type: 101, dataType: 'integer' },
} as const satisfies Record<string, { type: number; dataType: AttributeDataType }>;

/** Microsoft vendor-specific attributes (RFC 2548), vendor id 311. */
export const microsoftAttributes = {
  'MS-CHAP-Response': { type: 1, dataType: 'octets' },
  'MS-CHAP-Error': { type: 2, dataType: 'text' },
  'MS-CHAP-CPW-1': { type: 3, dataType: 'octets' },
  'MS-CHAP-CPW-2': { type: 4, dataType: 'octets' },
  'MS-CHAP-NT-Enc-PW': { type: 6, dataType: 'octets' },
  'MS-CHAP-Domain': { type: 10, dataType: 'text' },
  'MS-CHAP-Challenge': { type: 11, dataType: 'octets' },
  'MS-CHAP-MPPE-Keys': { type: 12, dataType: 'octets' },
  'MS-MPPE-Send-Key': { type: 16, dataType: 'octets' },
  'MS-MPPE-Recv-Key': { type: 17, dataType: 'octets' },
  'MS-CHAP2-Response': { type: 25, dataType: 'octets' },
  'MS-CHAP2-Success': { type: 26, dataType: 'octets' },
  'MS-CHAP2-CPW': { type: 27, dataType: 'octets' },
} as const satisfies Record<string, { type: number; dataType: AttributeDataType }>;

export type StandardAttributeName = keyof typeof standardAttributes;
export type MicrosoftAttributeName = keyof typeof microsoftAttributes;
export type AttributeName = StandardAttributeName | MicrosoftAttributeName;

/** Microsoft sub-attribute types the protocol detection uses. */
export const MicrosoftAttributeType = {
  MsChapResponse: 1,
  MsChapError: 2,
  MsChapChallenge: 11,
  MsChap2Response: 25,
  MsChap2Success: 26,
} as const;

const byName = new Map<string, AttributeDefinition>();
const byStandardType = new Map<number, AttributeDefinition>();
const byVendorType = new Map<string, AttributeDefinition>();

for (const [name, d] of Object.entries(standardAttributes)) {
  const def: AttributeDefinition = { name, type: d.type, dataType: d.dataType };
  byName.set(name.toLowerCase(), def);
  byStandardType.set(d.type, def);
}
for (const [name, d] of Object.entries(microsoftAttributes)) {
  const def: AttributeDefinition = { name, type: d.type, dataType: d.dataType, vendorId: VendorId.Microsoft };
  byName.set(name.toLowerCase(), def);
  byVendorType.set(`${VendorId.Microsoft}:${d.type}`, def);
}

/** Case-insensitive look-up by RFC name ('User-Name', 'MS-CHAP2-Response'). */
export function attributeByName(name: string): AttributeDefinition | undefined {
  return byName.get(name.toLowerCase());
}

/** Look-up by type; with `vendorId`, by vendor sub-attribute type. */
export function attributeByType(type: number, vendorId?: number): AttributeDefinition | undefined {
  return vendorId === undefined ? byStandardType.get(type) : byVendorType.get(`${vendorId}:${type}`);
}

/** Display name for traces: the RFC name, else 'Attr-<n>' / 'Vendor-<v>-Attr-<n>'. */
export function attributeName(type: number, vendorId?: number): string {
  const def = attributeByType(type, vendorId);
  if (def) return def.name;
  return vendorId === undefined ? `Attr-${type}` : `Vendor-${vendorId}-Attr-${type}`;
}
