/**
 * The npm `radius` package (1.1.4, CommonJS, no types) as a typed module: the
 * slice of its API the connector, its test responder and the agent's interop
 * test use. One declaration, so the three agree on what the package offers.
 * Its flaws (string comparison of authenticators, Message-Authenticator last,
 * silent truncation) are worked around where it is used; see radius-codec.ts.
 */
import { createRequire } from 'node:module';

/**
 * Attributes by name or number; integers are accepted for integer attributes,
 * and a Vendor-Specific one is `[26 | 'Vendor-Specific', vendorId, [[type, value], …]]`.
 */
export type RadiusPackageAttributes = Array<
  [string | number, string | number | Buffer] | [string | number, number, Array<[number, Buffer]>]
>;

export interface RadiusPackageDecoded {
  code: string;
  identifier: number;
  attributes: Record<string, unknown>;
  raw_attributes: Array<[number, Buffer]>;
}

export interface RadiusPackage {
  encode(args: {
    code: string;
    identifier: number;
    authenticator?: Buffer;
    secret: string;
    attributes: RadiusPackageAttributes;
    add_message_authenticator?: boolean;
  }): Buffer;
  decode(args: { packet: Buffer; secret: string; no_secret?: boolean }): RadiusPackageDecoded;
  encode_response(args: { packet: RadiusPackageDecoded; code: string; secret: string; attributes?: RadiusPackageAttributes }): Buffer;
  /** Compares authenticators as strings: only for agreement checks, never a security verdict. */
  verify_response(args: { request: Buffer; response: Buffer; secret: string }): boolean;
}

export const radius = createRequire(import.meta.url)('radius') as RadiusPackage;
