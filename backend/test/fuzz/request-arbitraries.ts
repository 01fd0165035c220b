/**
 * Schema-driven HTTP requests for every operation of an OpenAPI document, as fast-check
 * arbitraries: requests the document calls valid (every parameter drawn from its schema,
 * optional ones sometimes absent, the cross-field rules of `x-cross-field-rules` kept), and
 * requests it calls invalid (one parameter, body field or rule broken on purpose, the rest
 * valid). Every generated request is checked against the document before it is handed out,
 * so a finding is always the server's disagreement with the document, never the generator's.
 */
import fc from 'fast-check';
import { CROSS_FIELD_RULES_KEY, type CrossFieldRule } from '../../src/cross-field-rules.js';
import { nsToIso, parseTimestamp } from '../../src/time-input.js';
import {
  type JsonSchema,
  lengthOf,
  type OpenApiDocument,
  type OperationObject,
  type ParameterObject,
  resolveRef,
  validate,
} from './json-schema.js';

export interface Operation {
  method: string;
  /** The path template, e.g. /exports/{id}. */
  path: string;
  spec: OperationObject;
  rules: CrossFieldRule[];
}

/** A request in typed form (what the rules and the validator read) before it goes on the wire. */
export interface FuzzRequest {
  operation: Operation;
  pathParams: Record<string, string>;
  /** Query values as the schema types them: strings, numbers, arrays (repeated parameters). */
  query: Record<string, unknown>;
  body?: { contentType: string; json?: unknown; text?: string };
  /** Invalid requests: what they break, and the status the document promises for it. */
  breaks?: string;
  expectStatus?: number;
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export function operationsOf(document: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, spec] of Object.entries(item)) {
      if (!(HTTP_METHODS as readonly string[]).includes(method)) continue;
      const rules = (spec[CROSS_FIELD_RULES_KEY] as CrossFieldRule[] | undefined) ?? [];
      operations.push({ method: method.toUpperCase(), path, spec, rules });
    }
  }
  return operations;
}

const params = (op: Operation, where: 'query' | 'path') => (op.spec.parameters ?? []).filter((p) => p.in === where);
const bodySchema = (op: Operation) => op.spec.requestBody?.content['application/json']?.schema;

// ---- values valid per a schema -------------------------------------------------

const exampleValues = (s: JsonSchema): unknown[] => [
  ...(s.examples ?? []),
  ...(s.example !== undefined ? [s.example] : []),
];

/** A JSON value valid per `schema`; the document's own examples are drawn a third of the time (they hit real data). */
export function validValue(document: OpenApiDocument, schema: JsonSchema): fc.Arbitrary<unknown> {
  const s = resolveRef(document, schema);
  const isValid = (value: unknown) => validate(document, s, value).length === 0;
  const examples = exampleValues(s).filter(isValid);
  const generated = generatedValue(document, s).filter(isValid);
  if (examples.length === 0) return generated;
  return fc.oneof({ arbitrary: fc.constantFrom(...examples), weight: 1 }, { arbitrary: generated, weight: 2 });
}

function generatedValue(document: OpenApiDocument, s: JsonSchema): fc.Arbitrary<unknown> {
  if (s.enum) return fc.constantFrom(...s.enum);
  const branches = s.anyOf ?? s.oneOf;
  if (branches) {
    const { anyOf: _a, oneOf: _o, ...outer } = s;
    return fc.oneof(...branches.map((branch) => validValue(document, { ...outer, ...resolveRef(document, branch) })));
  }
  if (Array.isArray(s.type)) {
    return fc.oneof(...s.type.map((type) => generatedValue(document, { ...s, type })));
  }
  switch (s.type) {
    case 'string': {
      const text = s.pattern
        ? fc.stringMatching(new RegExp(s.pattern))
        : fc.string({ unit: 'grapheme', minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 24, 64) });
      return text.filter((value) => lengthOf(value) >= (s.minLength ?? 0) && lengthOf(value) <= (s.maxLength ?? 1e6));
    }
    case 'integer': {
      const step = s.multipleOf ?? 1;
      const min = Math.ceil((s.minimum ?? -1_000_000) / step);
      const max = Math.floor((s.maximum ?? 1_000_000) / step);
      return fc.oneof(fc.integer({ min, max }), fc.constantFrom(min, max)).map((n) => n * step);
    }
    case 'number': {
      const min = s.minimum ?? -1e9;
      const max = s.maximum ?? 1e9;
      return fc.oneof(
        fc.integer({ min: Math.ceil(min), max: Math.floor(max) }),
        fc.double({ min, max, noNaN: true, noDefaultInfinity: true }),
        fc.constantFrom(min, max),
      );
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(validValue(document, s.items ?? {}), {
        minLength: s.minItems ?? 0,
        maxLength: s.maxItems ?? 8,
        size: 'small',
      });
    case 'object': {
      const properties = Object.fromEntries(
        Object.entries(s.properties ?? {}).map(([name, property]) => [name, validValue(document, property)]),
      );
      return fc.record(properties, { requiredKeys: s.required ?? [] });
    }
    default:
      throw new Error(`cannot generate values for ${JSON.stringify(s).slice(0, 200)}`);
  }
}

// ---- query values on the wire --------------------------------------------------

/** How a query value goes on the wire (form style, exploded): one text, or one per array item. */
export function wireTexts(value: unknown): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.map((item) => String(item));
  return [String(value)];
}

/**
 * Whether a query parameter's texts are valid per its schema, read as a server reading the
 * document would: an integer is -?digits, a number a plain decimal, one text of an array schema
 * is a one-item array, several texts only fit an array.
 */
export function wireValid(document: OpenApiDocument, schema: JsonSchema, texts: string[]): boolean {
  const s = resolveRef(document, schema);
  const branches = s.anyOf ?? s.oneOf;
  if (branches) {
    const { anyOf: _a, oneOf: _o, ...outer } = s;
    return branches.some((branch) => wireValid(document, { ...outer, ...resolveRef(document, branch) }, texts));
  }
  const types = Array.isArray(s.type) ? s.type : [s.type ?? 'string'];
  return types.some((type) => {
    if (type === 'array') {
      return (
        texts.length >= (s.minItems ?? 0) &&
        texts.length <= (s.maxItems ?? Number.POSITIVE_INFINITY) &&
        texts.every((text) => wireValid(document, s.items ?? {}, [text]))
      );
    }
    if (texts.length !== 1) return false;
    const text = texts[0] as string;
    const typed = { ...s, type };
    if (type === 'integer') return /^-?\d+$/.test(text) && validate(document, typed, Number(text)).length === 0;
    if (type === 'number') return /^-?\d+(\.\d+)?$/.test(text) && validate(document, typed, Number(text)).length === 0;
    if (type === 'boolean')
      return (text === 'true' || text === 'false') && validate(document, typed, text === 'true').length === 0;
    if (type === 'string') return validate(document, typed, text).length === 0;
    return false;
  });
}

/**
 * Keeps the candidates the document calls invalid; null when a sample of them holds none (a schema
 * that takes any text cannot be broken), so a filter never spins looking for what does not exist.
 */
function onlyInvalid<T>(candidates: fc.Arbitrary<T>, isInvalid: (value: T) => boolean): fc.Arbitrary<T> | null {
  const found = fc.sample(candidates, { seed: 1, numRuns: 300 }).some(isInvalid);
  return found ? candidates.filter(isInvalid) : null;
}

/** Texts that break a query or path parameter's schema (the validator must agree they do); null if none can. */
function invalidTexts(document: OpenApiDocument, parameter: ParameterObject): fc.Arbitrary<string> | null {
  const s = resolveRef(document, parameter.schema);
  const candidates: fc.Arbitrary<string>[] = [
    fc.string({ unit: 'grapheme-ascii', maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 12 }),
    fc.constantFrom('', ' ', 'null', 'undefined', 'NaN', '-1', '1.5', '1e3', '%', '../etc', '0x10', 'true'),
  ];
  const examples = exampleValues(s).flatMap((example) => (Array.isArray(example) ? example : [example]));
  const near = examples.filter((example) => typeof example === 'string' || typeof example === 'number').map(String);
  if (near.length) {
    // One character off a valid value: what a pattern must catch.
    candidates.push(
      fc
        .tuple(
          fc.constantFrom(...near),
          fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 3 }),
          fc.boolean(),
        )
        .map(([valid, junk, before]) => (before ? junk + valid : valid + junk)),
    );
  }
  if (s.maxLength !== undefined) candidates.push(fc.constant('0'.repeat(s.maxLength + 1)));
  for (const bound of [s.minimum, s.maximum]) {
    if (bound !== undefined)
      candidates.push(
        fc.integer({ min: 1, max: 1_000 }).map((d) => String(bound === s.minimum ? bound - d : bound + d)),
      );
  }
  // A suffix, not another letter case: timeZone documents that it takes other cases (and aliases) of its names.
  if (s.enum) candidates.push(fc.constantFrom(...s.enum.map((option) => `${String(option)}x`)));
  const usable = parameter.in === 'path' ? (text: string) => text !== '' : () => true;
  return onlyInvalid(fc.oneof(...candidates), (text) => usable(text) && !wireValid(document, s, [text]));
}

/** JSON values that break `schema` (wrong type, out of range, not a multiple, off-pattern, unknown enum); null if none can. */
function invalidJson(document: OpenApiDocument, schema: JsonSchema): fc.Arbitrary<unknown> | null {
  const s = resolveRef(document, schema);
  const candidates: fc.Arbitrary<unknown>[] = [
    fc.string({ unit: 'grapheme-ascii', maxLength: 30 }),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.integer(), { maxLength: 2 }),
    fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
  ];
  const numeric = [s, ...(s.anyOf ?? []).map((branch) => resolveRef(document, branch))];
  for (const n of numeric) {
    if (n.minimum !== undefined)
      candidates.push(fc.double({ min: 1e-3, max: 1e6, noNaN: true }).map((d) => (n.minimum as number) - d));
    if (n.maximum !== undefined)
      candidates.push(fc.double({ min: 1e-3, max: 1e6, noNaN: true }).map((d) => (n.maximum as number) + d));
    if (n.type === 'integer') {
      candidates.push(
        validValue(document, n).map((v) => (v as number) + 0.5),
        ...(n.multipleOf ? [validValue(document, n).map((v) => (v as number) + 1)] : []),
      );
    }
    const texts =
      n.type === 'string' || n.pattern || n.enum
        ? invalidTexts(document, { name: 'value', in: 'query', schema: n })
        : null;
    if (texts) candidates.push(texts);
  }
  return onlyInvalid(fc.oneof(...candidates), (value) => validate(document, s, value).length > 0);
}

// ---- cross-field rules -----------------------------------------------------------

const NS = 1_000_000_000n;

/** A request field's value wherever it lives (query or JSON body). */
function fieldOf(request: FuzzRequest, name: string): unknown {
  if (name in request.query) return request.query[name];
  const json = request.body?.json;
  if (json && typeof json === 'object' && !Array.isArray(json)) return (json as Record<string, unknown>)[name];
  return undefined;
}

function withField(request: FuzzRequest, name: string, value: unknown): FuzzRequest {
  const inQuery = params(request.operation, 'query').some((p) => p.name === name);
  if (inQuery) return { ...request, query: { ...request.query, [name]: value } };
  const json = { ...(request.body?.json as Record<string, unknown>), [name]: value };
  return { ...request, body: { contentType: 'application/json', json } };
}

/** The schema the document gives a field (query parameter or body property). */
function fieldSchema(document: OpenApiDocument, op: Operation, name: string): JsonSchema | undefined {
  const parameter = params(op, 'query').find((p) => p.name === name);
  if (parameter) return resolveRef(document, parameter.schema);
  const body = bodySchema(op);
  const property = body ? resolveRef(document, body).properties?.[name] : undefined;
  return property ? resolveRef(document, property) : undefined;
}

/** A time field as exact epoch ns, read as the document says (a JSON number to the millisecond). */
export function timeNs(value: unknown): bigint | null {
  let text: string;
  if (typeof value === 'number') text = Number.isInteger(value) ? String(value) : value.toFixed(3);
  else if (typeof value === 'string') text = value;
  else return null;
  const parsed = parseTimestamp(text);
  return parsed.ok ? parsed.value : null;
}

/** Decimal unix seconds text as exact epoch ns, past what parseTimestamp takes (a rule's `latest` is the very last ns). */
function secondsTextNs(text: string): bigint | null {
  const match = /^(\d+)(?:\.(\d{1,9}))?$/.exec(text);
  if (!match) return null;
  return BigInt(match[1] as string) * NS + BigInt((match[2] ?? '').padEnd(9, '0'));
}

/** An epoch-ns time in a random one of the document's forms: unix seconds (to the ns) or RFC 3339. */
function timeText(ns: bigint, iso: boolean): string {
  if (iso) return nsToIso(ns);
  const fraction = (ns % NS).toString().padStart(9, '0').replace(/0+$/, '');
  return fraction ? `${ns / NS}.${fraction}` : `${ns / NS}`;
}

const effective = (document: OpenApiDocument, op: Operation, request: FuzzRequest, name: string): number | null => {
  const value = fieldOf(request, name) ?? fieldSchema(document, op, name)?.default;
  if (value === undefined) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : null; // the rules' counts are whole; anything else is the field's own fault
};

function parseRectangle(value: unknown): number[] | null {
  if (typeof value !== 'string') return null;
  const parts = value.split(',').map(Number);
  return parts.length === 4 && parts.every(Number.isFinite) ? parts : null;
}

const maxSecondsOf = (rule: Extract<CrossFieldRule, { rule: 'after' }>, side: 'guaranteed' | 'any') =>
  typeof rule.maxSeconds === 'number'
    ? rule.maxSeconds
    : side === 'guaranteed'
      ? rule.maxSeconds.leastSeconds
      : rule.maxSeconds.mostSeconds;

/** Whether a rule holds; a setting limit counts as held only within its least value, broken only past its most. */
export function ruleState(
  document: OpenApiDocument,
  request: FuzzRequest,
  rule: CrossFieldRule,
): 'holds' | 'broken' | 'unsure' {
  const op = request.operation;
  switch (rule.rule) {
    case 'after': {
      const later = timeNs(fieldOf(request, rule.field));
      const earlier = timeNs(fieldOf(request, rule.after));
      if (later === null || earlier === null) return 'unsure';
      const span = later - earlier;
      if (span <= 0n || span < BigInt(rule.minSeconds ?? 0) * NS) return 'broken';
      if (span <= BigInt(maxSecondsOf(rule, 'guaranteed')) * NS) return 'holds';
      return span > BigInt(maxSecondsOf(rule, 'any')) * NS ? 'broken' : 'unsure';
    }
    case 'atMostSecondsBetween': {
      const from = timeNs(fieldOf(request, rule.from));
      const to = timeNs(fieldOf(request, rule.to));
      const count = effective(document, op, request, rule.field);
      if (from === null || to === null || count === null) return 'unsure';
      return BigInt(count) * NS <= to - from ? 'holds' : 'broken';
    }
    case 'endsBy': {
      const start = timeNs(fieldOf(request, rule.field));
      const minutes = effective(document, op, request, rule.plusMinutes);
      const latest = secondsTextNs(rule.latest);
      if (start === null || minutes === null || latest === null) return 'unsure';
      return start + BigInt(minutes) * 60n * NS <= latest ? 'holds' : 'broken';
    }
    case 'insideUnitSquare': {
      const value = fieldOf(request, rule.field);
      if (value === undefined) return 'holds';
      const rect = parseRectangle(value);
      if (!rect) return 'unsure';
      const [x, y, w, h] = rect as [number, number, number, number];
      if (w <= 0 || h <= 0 || x + w > 1 + rule.slack + 1e-9 || y + h > 1 + rule.slack + 1e-9) return 'broken';
      return x + w <= 1 && y + h <= 1 ? 'holds' : 'unsure';
    }
  }
}

/** A decimal in [0, 1] from millionths, as a client would write it. */
const fraction = (millionths: number) =>
  millionths === 1_000_000 ? '1' : `0.${String(millionths).padStart(6, '0')}`.replace(/0+$/, '').replace(/\.$/, '');

/** Makes a rule hold (or gives up on the request, which the final check then drops). */
function keepRule(document: OpenApiDocument, request: FuzzRequest, rule: CrossFieldRule): fc.Arbitrary<FuzzRequest> {
  const op = request.operation;
  switch (rule.rule) {
    case 'after': {
      const from = timeNs(fieldOf(request, rule.after));
      if (from === null) return fc.constant(request);
      const least = rule.minSeconds ? BigInt(rule.minSeconds) * NS : 1n;
      const most = BigInt(maxSecondsOf(rule, 'guaranteed')) * NS;
      return fc
        .tuple(fc.oneof(fc.bigInt({ min: least, max: most }), fc.constantFrom(least, most)), fc.boolean())
        .map(([span, iso]) => withField(request, rule.field, timeText(from + span, iso)));
    }
    case 'atMostSecondsBetween': {
      if (ruleState(document, request, rule) !== 'broken') return fc.constant(request);
      const from = timeNs(fieldOf(request, rule.from));
      const to = timeNs(fieldOf(request, rule.to));
      const schema = fieldSchema(document, op, rule.field);
      if (from === null || to === null || !schema) return fc.constant(request);
      const most = Math.min(schema.maximum ?? 1e6, Number((to - from) / NS));
      const least = schema.minimum ?? 0;
      if (most < least) return fc.constant(request);
      return fc.integer({ min: least, max: most }).map((count) => withField(request, rule.field, count));
    }
    case 'endsBy':
      return fc.constant(request); // broken only by times within minutes of 2262; the final check drops those
    case 'insideUnitSquare': {
      if (fieldOf(request, rule.field) === undefined) return fc.constant(request);
      const side = fc
        .integer({ min: 0, max: 999_999 })
        .chain((start) =>
          fc.integer({ min: 1, max: 1_000_000 - start }).map((size) => [fraction(start), fraction(size)] as const),
        );
      return fc.tuple(side, side).map(([[x, w], [y, h]]) => withField(request, rule.field, `${x},${y},${w},${h}`));
    }
  }
}

/** Breaks one rule on purpose, keeping every field valid on its own. */
function breakRule(document: OpenApiDocument, request: FuzzRequest, rule: CrossFieldRule): fc.Arbitrary<FuzzRequest> {
  const op = request.operation;
  const iso = fc.boolean();
  switch (rule.rule) {
    case 'after': {
      const from = timeNs(fieldOf(request, rule.after));
      if (from === null) return fc.constant(request);
      const least = rule.minSeconds ? BigInt(rule.minSeconds) * NS : 1n;
      const beyond = BigInt(maxSecondsOf(rule, 'any')) * NS + 1n;
      const spans = [
        fc.bigInt({ min: -30n * 86_400n * NS, max: 0n }), // not after at all
        fc.bigInt({ min: beyond, max: beyond + 30n * 86_400n * NS }), // too long
        ...(least > 1n ? [fc.bigInt({ min: 1n, max: least - 1n })] : []), // after, but too soon
      ];
      return fc
        .tuple(fc.oneof(...spans), iso)
        .map(([span, asIso]) => withField(request, rule.field, timeText(from + span, asIso)));
    }
    case 'atMostSecondsBetween': {
      const from = timeNs(fieldOf(request, rule.from));
      const schema = fieldSchema(document, op, rule.field);
      if (from === null || !schema) return fc.constant(request);
      const most = schema.maximum ?? 1_000;
      return fc
        .integer({ min: 1, max: most - 1 })
        .chain((seconds) => fc.tuple(fc.constant(seconds), fc.integer({ min: seconds + 1, max: most }), iso))
        .map(([seconds, count, asIso]) =>
          withField(withField(request, rule.to, timeText(from + BigInt(seconds) * NS, asIso)), rule.field, count),
        );
    }
    case 'endsBy': {
      const schema = fieldSchema(document, op, rule.plusMinutes);
      const latest = secondsTextNs(rule.latest);
      if (!schema || latest === null) return fc.constant(request);
      const minutes = schema.maximum ?? 60;
      // Whole seconds a time parameter still takes (the last is below `latest`), pushed past it by `minutes`.
      const lastSecond = latest / NS;
      return fc
        .bigInt({ min: lastSecond - BigInt(minutes) * 60n + 1n, max: lastSecond - 1n })
        .map((seconds) => withField(withField(request, rule.field, String(seconds)), rule.plusMinutes, minutes));
    }
    case 'insideUnitSquare': {
      const inside = fc.integer({ min: 0, max: 1_000_000 });
      const overhang = fc
        .integer({ min: 500_000, max: 1_000_000 })
        .chain((start) => fc.integer({ min: 1_010_000 - start, max: 1_000_000 }).map((size) => [start, size] as const));
      return fc
        .tuple(overhang, inside, fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom('x', 'y', 'zero'))
        .map(([[start, size], other, otherSize, which]) => {
          const parts =
            which === 'x'
              ? [start, 0, size, otherSize]
              : which === 'y'
                ? [0, start, otherSize, size]
                : [other % 1_000_000, 0, 0, otherSize];
          return withField(request, rule.field, parts.map(fraction).join(','));
        });
    }
  }
}

// ---- whole requests ----------------------------------------------------------------

/** Every parameter and the body valid per their schemas, and which rules hold. */
export function documentVerdict(
  document: OpenApiDocument,
  request: FuzzRequest,
): { fieldsValid: boolean; problems: string[]; rules: ReturnType<typeof ruleState>[] } {
  const op = request.operation;
  const problems: string[] = [];
  for (const parameter of op.spec.parameters ?? []) {
    const value = parameter.in === 'path' ? request.pathParams[parameter.name] : request.query[parameter.name];
    const texts = wireTexts(value);
    if (texts.length === 0) {
      if (parameter.required) problems.push(`${parameter.name} is missing`);
      continue;
    }
    if (parameter.in === 'path' && texts[0] === '') problems.push(`${parameter.name} is empty`);
    if (!wireValid(document, parameter.schema, texts))
      problems.push(`${parameter.name}=${JSON.stringify(value)} breaks its schema`);
  }
  const schema = bodySchema(op);
  if (schema) {
    if (request.body?.contentType !== 'application/json' || request.body.json === undefined)
      problems.push('no JSON body');
    else problems.push(...validate(document, schema, request.body.json));
  }
  return {
    fieldsValid: problems.length === 0,
    problems,
    rules: op.rules.map((rule) => ruleState(document, request, rule)),
  };
}

function baseRequest(document: OpenApiDocument, op: Operation): fc.Arbitrary<FuzzRequest> {
  const parameterValue = (p: ParameterObject) =>
    p.required || p.in === 'path'
      ? validValue(document, p.schema)
      : fc.option(validValue(document, p.schema), { nil: undefined, freq: 2 });
  const path = fc.record(Object.fromEntries(params(op, 'path').map((p) => [p.name, parameterValue(p).map(String)])));
  const query = fc.record(Object.fromEntries(params(op, 'query').map((p) => [p.name, parameterValue(p)])));
  const schema = bodySchema(op);
  const body = schema
    ? validValue(document, schema).map((json) => ({ contentType: 'application/json', json }))
    : fc.constant(undefined);
  return fc.record({ pathParams: path, query, body }).map(({ pathParams, query, body }) => {
    const present = Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined));
    return { operation: op, pathParams, query: present, ...(body ? { body } : {}) };
  });
}

/** Whether the document calls the request valid: every field per its schema, every rule kept. */
export function isValidRequest(document: OpenApiDocument, request: FuzzRequest): boolean {
  const verdict = documentVerdict(document, request);
  return verdict.fieldsValid && verdict.rules.every((state) => state === 'holds');
}

/**
 * Candidates for a valid request: nearly all are (the rules are kept by construction); the rare
 * one that is not (a time within minutes of 2262) is for the caller to drop with isValidRequest.
 */
export function validRequest(document: OpenApiDocument, op: Operation): fc.Arbitrary<FuzzRequest> {
  let arbitrary = baseRequest(document, op);
  for (const rule of op.rules) arbitrary = arbitrary.chain((request) => keepRule(document, request, rule));
  return arbitrary;
}

/** A request the document calls invalid in exactly one named way, with the status it documents for that. */
export function invalidRequest(document: OpenApiDocument, op: Operation): fc.Arbitrary<FuzzRequest> | null {
  type Mutation = (request: FuzzRequest) => fc.Arbitrary<FuzzRequest>;
  const mutations: fc.WeightedArbitrary<Mutation>[] = [];
  const mutation = (make: Mutation, weight = 1) => mutations.push({ arbitrary: fc.constant(make), weight });

  for (const parameter of op.spec.parameters ?? []) {
    const where = parameter.in;
    if (where !== 'query' && where !== 'path') continue;
    const texts = invalidTexts(document, parameter);
    if (texts)
      mutation((request) =>
        texts.map((text) =>
          where === 'path'
            ? {
                ...request,
                pathParams: { ...request.pathParams, [parameter.name]: text },
                breaks: `path ${parameter.name}`,
              }
            : { ...request, query: { ...request.query, [parameter.name]: text }, breaks: `query ${parameter.name}` },
        ),
      );
    if (where !== 'query') continue;
    if (parameter.required) {
      mutation((request) => {
        const { [parameter.name]: _gone, ...rest } = request.query;
        return fc.constant({ ...request, query: rest, breaks: `query ${parameter.name} missing` });
      });
    }
    // Several values of one parameter: an array, which only an array schema admits (and only up to maxItems).
    const arrayBranch = [
      resolveRef(document, parameter.schema),
      ...(resolveRef(document, parameter.schema).anyOf ?? []),
    ]
      .map((branch) => resolveRef(document, branch))
      .find((branch) => branch.type === 'array');
    const tooMany = arrayBranch ? (arrayBranch.maxItems ?? Number.NaN) + 1 : 2;
    if (Number.isFinite(tooMany))
      mutation((request) =>
        fc
          .array(validValue(document, arrayBranch?.items ?? parameter.schema), {
            minLength: tooMany,
            maxLength: tooMany + 3,
          })
          .map((values) => ({
            ...request,
            query: { ...request.query, [parameter.name]: values.flatMap(wireTexts) },
            breaks: `query ${parameter.name} repeated`,
          })),
      );
  }

  const schema = bodySchema(op);
  if (schema) {
    const object = resolveRef(document, schema);
    const json = (request: FuzzRequest) => (request.body?.json ?? {}) as Record<string, unknown>;
    const withJson = (request: FuzzRequest, value: unknown, breaks: string): FuzzRequest => ({
      ...request,
      body: { contentType: 'application/json', json: value },
      breaks,
    });
    for (const [name, property] of Object.entries(object.properties ?? {})) {
      const values = invalidJson(document, property);
      if (values) {
        mutation((request) =>
          values.map((value) => withJson(request, { ...json(request), [name]: value }, `body ${name}`)),
        );
      }
      if (object.required?.includes(name)) {
        mutation((request) => {
          const { [name]: _gone, ...rest } = json(request);
          return fc.constant(withJson(request, rest, `body ${name} missing`));
        });
      }
    }
    if (object.additionalProperties === false) {
      mutation((request) =>
        fc
          .string({ minLength: 1, maxLength: 12 })
          .filter((name) => !(name in (object.properties ?? {})))
          .map((name) => withJson(request, { ...json(request), [name]: 1 }, 'body has an unknown property')),
      );
    }
    mutation((request) =>
      fc
        .oneof(fc.array(fc.integer(), { maxLength: 3 }), fc.string(), fc.integer(), fc.constant(null), fc.boolean())
        .map((value) => withJson(request, value, 'body is not an object')),
    );
    mutation((request) =>
      fc.constantFrom('{', '{"camera":', '[1,', 'nope', '{"a":1}}').map((text) => ({
        ...request,
        body: { contentType: 'application/json', text },
        breaks: 'body is not JSON',
      })),
    );
    mutation((request) =>
      fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/xml').map((contentType) => ({
        ...request,
        body: { contentType, text: JSON.stringify(json(request)) },
        breaks: `body sent as ${contentType}`,
        expectStatus: 415,
      })),
    );
  }

  op.rules.forEach((rule, index) => {
    // Weighted up: a rule is one mutation among many single-field ones, and the likeliest to be missed.
    mutation(
      (request) =>
        breakRule(document, request, rule).map((broken) => ({
          ...broken,
          breaks: `rule ${index}: ${rule.rule} ${rule.field}`,
        })),
      4,
    );
  });

  if (mutations.length === 0) return null;
  return fc
    .tuple(validRequest(document, op), fc.oneof(...mutations))
    .chain(([request, mutate]) => mutate(request))
    .map((request) => ({ ...request, expectStatus: request.expectStatus ?? 400 }));
}

/**
 * Whether a candidate from invalidRequest breaks the document in the way it names (a broken
 * rule: that rule only, every field valid); the caller drops the others.
 */
export function isInvalidInOneWay(document: OpenApiDocument, request: FuzzRequest): boolean {
  const verdict = documentVerdict(document, request);
  if (request.breaks?.startsWith('rule ')) {
    const index = Number(/^rule (\d+)/.exec(request.breaks)?.[1]);
    return (
      verdict.fieldsValid && verdict.rules.every((state, i) => (i === index ? state === 'broken' : state === 'holds'))
    );
  }
  if (request.expectStatus === 415 || request.breaks === 'body is not JSON') return true;
  return !verdict.fieldsValid;
}
