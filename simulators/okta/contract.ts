/**
 * Okta's published management document as a contract for the mock's answers.
 * Loaded and compiled once per process (3.4 MB of YAML: ~1 s), then every body
 * is checked two ways: Ajv against the operation's response schema for the
 * status code, and a walk that flags properties the schema does not define and
 * required ones that are missing (most of Okta's schemas leave
 * additionalProperties open, so Ajv alone would accept anything extra).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import YAML from 'yaml';
import { CodedError } from '../../agent/src/errors.ts';

/** The shared/ folder beside the repository (../shared/contracts). */
export const OKTA_OPENAPI_URL = new URL('../../../shared/contracts/okta-management-openapi.yaml', import.meta.url);

type Schema = { [key: string]: unknown };

interface Operation {
  operationId: string;
  method: string;
  path: string;
  responses: Record<string, unknown>;
  requestBody?: unknown;
}

export interface ContractCheck {
  ok: boolean;
  problems: string[];
  /** The status code is not in the operation's responses; the body was checked against Error. */
  undocumentedStatus: boolean;
}

export interface OktaContract {
  readonly version: string;
  hasOperation(operationId: string): boolean;
  /** Is `METHOD path` (document template) in the document at all? */
  hasPath(method: string, path: string): boolean;
  operation(operationId: string): Readonly<Operation> | undefined;
  check(operationId: string, status: number, body: unknown): ContractCheck;
}

let cached: OktaContract | undefined;

/** Loads (once) and returns the contract; throws a CodedError saying where the document should be. */
export function loadOktaContract(url: URL = OKTA_OPENAPI_URL): OktaContract {
  if (cached && url.href === OKTA_OPENAPI_URL.href) return cached;
  let text: string;
  try {
    text = readFileSync(url, 'utf8');
  } catch (e) {
    throw new CodedError(
      'OKTA_CONTRACT_MISSING',
      `Okta's OpenAPI document is not at ${fileURLToPath(url)}. It lives in the shared/ folder beside the repository ` +
        '(../shared/contracts/okta-management-openapi.yaml); put it there to run the contract test.',
      {},
      { cause: e },
    );
  }
  const contract = buildContract(YAML.parse(text, { maxAliasCount: -1 }) as Schema);
  if (url.href === OKTA_OPENAPI_URL.href) cached = contract;
  return contract;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

function buildContract(doc: Schema): OktaContract {
  const components = (doc.components ?? {}) as { schemas?: Record<string, Schema>; responses?: Record<string, Schema> };
  const schemas = components.schemas ?? {};
  // validateSchema: false — one enum in the document has a duplicate item, which the meta-schema rejects.
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  // ajv-formats ships CommonJS with a default export; under Node's ESM interop it may be wrapped once.
  const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv) => void;
  addFormats(ajv);
  for (const [name, schema] of Object.entries(schemas)) ajv.addSchema(schema, `#/components/schemas/${name}`);

  const ops = new Map<string, Operation>();
  const paths = new Set<string>();
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, Schema>)) {
    for (const method of METHODS) {
      const op = item[method] as Schema | undefined;
      if (!op) continue;
      paths.add(`${method.toUpperCase()} ${path}`);
      if (typeof op.operationId === 'string') {
        ops.set(op.operationId, { operationId: op.operationId, method: method.toUpperCase(), path, responses: (op.responses ?? {}) as Record<string, unknown>, requestBody: op.requestBody });
      }
    }
  }

  const resolve = (s: unknown): Schema | undefined => {
    let cur = s as Schema | undefined;
    for (let i = 0; i < 20 && cur && typeof cur.$ref === 'string'; i++) cur = lookup(doc, cur.$ref);
    return cur;
  };

  const validators = new Map<string, ValidateFunction>();
  const validatorFor = (key: string, schema: Schema): ValidateFunction => {
    let v = validators.get(key);
    if (!v) {
      // Inline schemas hold "#/components/schemas/X" refs: give them the document's components to resolve against.
      v = typeof schema.$ref === 'string' ? (ajv.getSchema(schema.$ref) ?? ajv.compile(schema)) : ajv.compile(schema);
      validators.set(key, v);
    }
    return v;
  };

  const responseSchema = (op: Operation, status: number): { schema: Schema | undefined; documented: boolean; hasContent: boolean } => {
    const r = op.responses[String(status)] ?? op.responses[`${String(status)[0]}XX`] ?? op.responses.default;
    if (r === undefined) return { schema: undefined, documented: false, hasContent: true };
    const resp = resolve(r);
    const content = resp?.content as Record<string, { schema?: Schema }> | undefined;
    const json = content?.['application/json'];
    return { schema: json?.schema, documented: true, hasContent: !!json };
  };

  return {
    version: String((doc.info as Schema | undefined)?.version ?? ''),
    hasOperation: (id) => ops.has(id),
    hasPath: (method, path) => paths.has(`${method.toUpperCase()} ${path}`),
    operation: (id) => ops.get(id),
    check(operationId, status, body) {
      const problems: string[] = [];
      const op = ops.get(operationId);
      if (!op) return { ok: false, problems: [`no operation "${operationId}" in the document`], undocumentedStatus: false };
      let { schema, documented, hasContent } = responseSchema(op, status);
      if (!documented && status >= 400) schema = { $ref: '#/components/schemas/Error' };
      else if (!documented) return { ok: false, problems: [`${operationId} documents no ${status} response`], undocumentedStatus: true };
      if (!hasContent || !schema) {
        // The document says "no body"; Okta sends {} or nothing.
        const empty = body === undefined || body === null || (typeof body === 'object' && Object.keys(body as object).length === 0);
        if (!empty) problems.push(`${operationId} ${status} documents no body, got ${JSON.stringify(body).slice(0, 80)}`);
        return { ok: problems.length === 0, problems, undocumentedStatus: !documented };
      }
      const validate = validatorFor(`${operationId} ${status}`, schema);
      if (!validate(body)) {
        for (const e of validate.errors ?? []) problems.push(`ajv: ${e.instancePath || '/'} ${e.message ?? ''}`);
      }
      walk(schema, body, '', problems, { resolve, ajv, validatorFor });
      return { ok: problems.length === 0, problems, undocumentedStatus: !documented };
    },
  };
}

function lookup(doc: Schema, ref: string): Schema | undefined {
  if (!ref.startsWith('#/')) return undefined;
  let cur: unknown = doc;
  for (const part of ref.slice(2).split('/')) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    cur = cur && typeof cur === 'object' ? (cur as Schema)[key] : undefined;
  }
  return cur as Schema | undefined;
}

interface WalkEnv {
  resolve: (s: unknown) => Schema | undefined;
  ajv: Ajv;
  validatorFor: (key: string, schema: Schema) => ValidateFunction;
}

interface Shape {
  props: Map<string, Schema[]>;
  required: Set<string>;
  /** undefined: closed; 'any': free-form; else the schema extra values must match. */
  additional: 'any' | Schema[] | undefined;
  declared: boolean;
}

/** Flags properties the schema does not define and required ones that are missing. */
function walk(schema: unknown, data: unknown, at: string, problems: string[], env: WalkEnv): void {
  if (Array.isArray(data)) {
    const s = env.resolve(schema);
    const items = s?.items;
    if (items) {
      data.forEach((d, i) => {
        walk(items, d, `${at}/${i}`, problems, env);
      });
    }
    return;
  }
  if (!data || typeof data !== 'object') return;
  const shape: Shape = { props: new Map(), required: new Set(), additional: undefined, declared: false };
  collect(schema, data as Schema, shape, new Set(), env, at, problems);
  const free = shape.additional === 'any' || !shape.declared;
  for (const [key, value] of Object.entries(data)) {
    const subs = shape.props.get(key);
    if (subs) {
      for (const s of subs) walk(s, value, `${at}/${key}`, problems, env);
    } else if (Array.isArray(shape.additional)) {
      for (const s of shape.additional) walk(s, value, `${at}/${key}`, problems, env);
    } else if (!free) {
      problems.push(`property ${at}/${key} is not defined by the schema`);
    }
  }
  for (const r of shape.required) if (!(r in data)) problems.push(`required property ${at}/${r} is missing`);
}

function collect(schema: unknown, data: Schema, shape: Shape, seen: Set<unknown>, env: WalkEnv, at: string, problems: string[]): void {
  const ref = (schema as Schema | undefined)?.$ref;
  const s = env.resolve(schema);
  if (!s || seen.has(s)) return;
  seen.add(s);
  for (const part of (s.allOf as unknown[] | undefined) ?? []) collect(part, data, shape, seen, env, at, problems);
  for (const key of ['oneOf', 'anyOf'] as const) {
    const branches = s[key] as unknown[] | undefined;
    if (!branches) continue;
    const matching = branches.filter((b, i) => env.validatorFor(`${String(ref)}:${key}:${i}:${at}`, b as Schema)(data));
    for (const b of matching.length ? matching : branches) collect(b, data, shape, seen, env, at, problems);
  }
  const disc = s.discriminator as { propertyName?: string; mapping?: Record<string, string> } | undefined;
  if (disc?.propertyName && disc.mapping) {
    const value = data[disc.propertyName];
    const target = typeof value === 'string' ? disc.mapping[value] : undefined;
    if (target && target !== ref) {
      // Ajv ignores `discriminator` without oneOf: validate the mapped schema explicitly.
      const v = env.ajv.getSchema(target);
      if (v && !v(data)) for (const e of v.errors ?? []) problems.push(`ajv(${target.split('/').pop()}): ${at}${e.instancePath || '/'} ${e.message ?? ''}`);
      collect({ $ref: target }, data, shape, seen, env, at, problems);
    }
  }
  const props = s.properties as Record<string, Schema> | undefined;
  // `properties: {}` is how the document spells "any object" (e.g. UserFactor._embedded values).
  if (props && Object.keys(props).length > 0) {
    shape.declared = true;
    for (const [k, v] of Object.entries(props)) shape.props.set(k, [...(shape.props.get(k) ?? []), v]);
  }
  for (const r of (s.required as string[] | undefined) ?? []) shape.required.add(r);
  const ap = s.additionalProperties;
  if (ap === true) shape.additional = 'any';
  else if (ap && typeof ap === 'object' && shape.additional !== 'any') shape.additional = [...(shape.additional ?? []), ap as Schema];
}
