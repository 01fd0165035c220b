/**
 * The part of OpenAPI 3.1 / JSON Schema 2020-12 the Fathom document uses, and a validator for it.
 * Written here rather than taken from a library so the fuzzer needs no new dependency; every
 * keyword the document uses is handled, and an unknown one fails loudly instead of passing.
 */

export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  format?: string;
  default?: unknown;
  example?: unknown;
  examples?: unknown[];
  description?: string;
}

export interface ParameterObject {
  name: string;
  in: 'query' | 'path' | 'header' | 'cookie';
  required?: boolean;
  schema: JsonSchema;
  description?: string;
}

export interface MediaTypeObject {
  schema?: JsonSchema;
}

export interface ResponseObject {
  description: string;
  content?: Record<string, MediaTypeObject>;
}

export interface OperationObject {
  summary?: string;
  description?: string;
  parameters?: ParameterObject[];
  requestBody?: { required?: boolean; content: Record<string, MediaTypeObject> };
  responses: Record<string, ResponseObject>;
  [extension: `x-${string}`]: unknown;
}

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

/** Keywords that only annotate: they never make a value invalid. */
const ANNOTATIONS = new Set(['description', 'example', 'examples', 'default', 'format', 'title', 'deprecated']);
const HANDLED = new Set([
  '$ref',
  'type',
  'enum',
  'const',
  'anyOf',
  'oneOf',
  'allOf',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'minItems',
  'maxItems',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  ...ANNOTATIONS,
]);

export function resolveRef(document: OpenApiDocument, schema: JsonSchema): JsonSchema {
  let current = schema;
  for (let depth = 0; current.$ref; depth++) {
    const name = /^#\/components\/schemas\/(.+)$/.exec(current.$ref)?.[1];
    const target = name ? document.components?.schemas?.[name] : undefined;
    if (!target || depth > 16) throw new Error(`unresolvable $ref ${current.$ref}`);
    current = { ...target, ...withoutRef(current) };
  }
  return current;
}

function withoutRef(schema: JsonSchema): JsonSchema {
  const { $ref: _ref, ...rest } = schema;
  return rest;
}

const typeOf = (value: unknown): string =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'array'
      : typeof value === 'number'
        ? Number.isInteger(value)
          ? 'integer'
          : 'number'
        : typeof value;

const typeMatches = (value: unknown, type: string) => {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
};

/** Code points, as JSON Schema counts a string's length. */
export const lengthOf = (text: string) => [...text].length;

export interface ValidateOptions {
  /**
   * Also report object properties the schema does not list, for objects that list some: the
   * document's response schemas are open (zod objects strip nothing on output), so an answer
   * field missing from the document would otherwise go unnoticed.
   */
  closedObjects?: boolean;
}

/** The property names a schema lists, its allOf branches' included. */
function propertyNames(document: OpenApiDocument, schema: JsonSchema): string[] {
  const s = resolveRef(document, schema);
  return [...Object.keys(s.properties ?? {}), ...(s.allOf ?? []).flatMap((branch) => propertyNames(document, branch))];
}

/** Every way `value` breaks `schema`, as "path: problem" lines; empty when it is valid. */
export function validate(
  document: OpenApiDocument,
  schema: JsonSchema,
  value: unknown,
  options: ValidateOptions = {},
  at = '$',
  /** Property names the enclosing allOf lists (a branch of an allOf may not close the object alone). */
  listedAround: ReadonlySet<string> = new Set(),
): string[] {
  const s = resolveRef(document, schema);
  const unknownKeywords = Object.keys(s).filter((key) => !HANDLED.has(key) && !key.startsWith('x-'));
  if (unknownKeywords.length) throw new Error(`${at}: the validator does not know ${unknownKeywords.join(', ')}`);
  const problems: string[] = [];
  const fail = (problem: string) => problems.push(`${at}: ${problem}`);

  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    if (!types.some((type) => typeMatches(value, type))) {
      fail(`is ${typeOf(value)}, not ${types.join(' or ')}`);
      return problems;
    }
  }
  if (s.enum && !s.enum.some((option) => Object.is(option, value) || option === value)) {
    fail(`${JSON.stringify(value)} is not one of ${JSON.stringify(s.enum).slice(0, 200)}`);
  }
  if ('const' in s && s.const !== value) fail(`is not ${JSON.stringify(s.const)}`);
  if (s.anyOf && !s.anyOf.some((branch) => validate(document, branch, value, options, at).length === 0)) {
    fail(
      `matches none of anyOf: ${s.anyOf.map((b) => validate(document, b, value, options, at).join(', ')).join(' | ')}`,
    );
  }
  if (s.oneOf) {
    const matching = s.oneOf.filter((branch) => validate(document, branch, value, options, at).length === 0).length;
    if (matching !== 1) fail(`matches ${matching} branches of oneOf, not exactly 1`);
  }
  const listedNames = new Set([...listedAround, ...propertyNames(document, s)]);
  for (const branch of s.allOf ?? []) problems.push(...validate(document, branch, value, options, at, listedNames));

  if (typeof value === 'string') {
    if (s.pattern !== undefined && !new RegExp(s.pattern, 'u').test(value)) fail(`does not match ${s.pattern}`);
    if (s.minLength !== undefined && lengthOf(value) < s.minLength) fail(`is shorter than ${s.minLength}`);
    if (s.maxLength !== undefined && lengthOf(value) > s.maxLength) fail(`is longer than ${s.maxLength}`);
  }
  if (typeof value === 'number') {
    if (s.minimum !== undefined && value < s.minimum) fail(`${value} < minimum ${s.minimum}`);
    if (s.maximum !== undefined && value > s.maximum) fail(`${value} > maximum ${s.maximum}`);
    if (s.exclusiveMinimum !== undefined && value <= s.exclusiveMinimum) fail(`${value} <= ${s.exclusiveMinimum}`);
    if (s.exclusiveMaximum !== undefined && value >= s.exclusiveMaximum) fail(`${value} >= ${s.exclusiveMaximum}`);
    if (s.multipleOf !== undefined && !Number.isInteger(value / s.multipleOf))
      fail(`is not a multiple of ${s.multipleOf}`);
  }
  if (Array.isArray(value)) {
    if (s.minItems !== undefined && value.length < s.minItems) fail(`has fewer than ${s.minItems} items`);
    if (s.maxItems !== undefined && value.length > s.maxItems) fail(`has more than ${s.maxItems} items`);
    const items = s.items;
    if (items)
      value.forEach((item, i) => {
        problems.push(...validate(document, items, item, options, `${at}[${i}]`));
      });
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    for (const name of s.required ?? []) if (!(name in record)) fail(`lacks required property ${name}`);
    const listed = s.properties ?? {};
    for (const [name, item] of Object.entries(record)) {
      const propertySchema = listed[name];
      if (propertySchema) {
        problems.push(...validate(document, propertySchema, item, options, `${at}.${name}`));
      } else if (s.additionalProperties === false) {
        fail(`has property ${name}, which the schema does not allow`);
      } else if (typeof s.additionalProperties === 'object') {
        problems.push(...validate(document, s.additionalProperties, item, options, `${at}.${name}`));
      } else if (options.closedObjects && listedNames.size > 0 && !listedNames.has(name)) {
        fail(`has property ${name}, which the document does not describe`);
      }
    }
  }
  return problems;
}
