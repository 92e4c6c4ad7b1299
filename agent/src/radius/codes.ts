/** RADIUS packet codes (RFC 2865 §3, RFC 2866, RFC 5997). */
export const RadiusCode = {
  AccessRequest: 1,
  AccessAccept: 2,
  AccessReject: 3,
  AccountingRequest: 4,
  AccountingResponse: 5,
  AccessChallenge: 11,
  StatusServer: 12,
  StatusClient: 13,
} as const;

export type RadiusCodeName = keyof typeof RadiusCode;
export type RadiusCodeValue = (typeof RadiusCode)[RadiusCodeName];

const NAMES: ReadonlyMap<number, string> = new Map([
  [1, 'Access-Request'],
  [2, 'Access-Accept'],
  [3, 'Access-Reject'],
  [4, 'Accounting-Request'],
  [5, 'Accounting-Response'],
  [11, 'Access-Challenge'],
  [12, 'Status-Server'],
  [13, 'Status-Client'],
]);

/** Codes the decoder accepts; anything else is RADIUS_UNKNOWN_CODE. */
export function isKnownCode(code: number): code is RadiusCodeValue {
  return NAMES.has(code);
}

/** The RFC spelling, e.g. 'Access-Accept'; 'Code-42' for unknown codes. */
export function radiusCodeName(code: number): string {
  return NAMES.get(code) ?? `Code-${code}`;
}

/** Codes a client sends (their Authenticator is the Request Authenticator). */
export function isRequestCode(code: number): boolean {
  return code === 1 || code === 4 || code === 12 || code === 13;
}
