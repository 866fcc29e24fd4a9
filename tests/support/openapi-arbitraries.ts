// fast-check arbitraries for the requests an OpenAPI 3.1 document describes: values each operation's
// schemas accept, and values they refuse. Only the JSON Schema the API's zod schemas produce is
// understood (types, enums, formats, bounds, patterns, arrays, objects, anyOf/oneOf, $ref); anything
// else fails loudly rather than being guessed.
import fc from 'fast-check';

export interface Schema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  nullable?: boolean;
  default?: unknown;
  example?: unknown;
  examples?: unknown[];
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
  style?: string;
  explode?: boolean;
}

export interface Operation {
  method: string;
  /** OpenAPI path, `{name}` for parameters. */
  path: string;
  operationId?: string;
  parameters: Parameter[];
  body: Schema | null;
  bodyRequired: boolean;
  responses: Record<string, unknown>;
}

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { operationId?: string; parameters?: (Parameter | { $ref: string })[]; requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> }; responses?: Record<string, unknown> }>>;
  components?: { schemas?: Record<string, Schema>; parameters?: Record<string, Parameter> };
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

export function operationsOf(doc: OpenApiDocument): Operation[] {
  const result: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      const parameters = (op.parameters ?? []).map((parameter) => ('$ref' in parameter ? refParameter(doc, parameter.$ref) : parameter));
      const json = op.requestBody?.content?.['application/json']?.schema ?? null;
      result.push({ method: method.toUpperCase(), path, operationId: op.operationId, parameters, body: json, bodyRequired: op.requestBody?.required ?? false, responses: op.responses ?? {} });
    }
  }
  return result;
}

function refParameter(doc: OpenApiDocument, ref: string): Parameter {
  const name = ref.replace('#/components/parameters/', '');
  const found = doc.components?.parameters?.[name];
  if (!found) throw new Error(`unresolved parameter reference ${ref}`);
  return found;
}

export function resolve(doc: OpenApiDocument, schema: Schema): Schema {
  let current = schema;
  for (let depth = 0; current.$ref; depth++) {
    if (depth > 20) throw new Error(`reference loop at ${schema.$ref}`);
    const name = current.$ref.replace('#/components/schemas/', '');
    const found = doc.components?.schemas?.[name];
    if (!found) throw new Error(`unresolved schema reference ${current.$ref}`);
    current = found;
  }
  return current;
}

const typesOf = (schema: Schema): string[] => (Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : []);

// In the past: a window's `until` defaults to now, and `since` must come before it.
const isoTime = fc
  .date({ min: new Date('2023-01-01T00:00:00Z'), max: new Date('2026-06-01T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString());

/** Values `schema` accepts (as JSON values; query parameters are turned to text by `asQueryText`). */
export function validValue(doc: OpenApiDocument, input: Schema, depth = 0): fc.Arbitrary<unknown> {
  const schema = resolve(doc, input);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  // What JSON Schema cannot say (a Slack URL for the Slack channel, a real time zone) the document
  // shows by examples: where it gives some, valid values are those.
  if (schema.examples?.length) return fc.constantFrom(...schema.examples);
  if (schema.anyOf ?? schema.oneOf) return fc.oneof(...(schema.anyOf ?? schema.oneOf)!.map((part) => validValue(doc, part, depth + 1)));
  if (schema.allOf) {
    if (schema.allOf.length !== 1) throw new Error(`allOf with ${schema.allOf.length} parts is not understood`);
    return validValue(doc, schema.allOf[0]!, depth + 1);
  }
  const types = typesOf(schema).filter((type) => type !== 'null');
  const nullable = typesOf(schema).includes('null') || schema.nullable === true;
  const base = (() => {
    switch (types[0]) {
      case undefined:
        return fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean());
      case 'string':
        return validString(schema);
      case 'integer': {
        const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -1000);
        const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : min + 100_000);
        return fc.integer({ min: Math.ceil(min), max: Math.floor(max) });
      }
      case 'number':
        return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
      case 'boolean':
        return fc.boolean();
      case 'array': {
        const items = schema.items ? validValue(doc, schema.items, depth + 1) : fc.string({ maxLength: 8 });
        return fc.array(items, { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 3, depth > 2 ? 1 : 3) });
      }
      case 'object': {
        const properties = schema.properties ?? {};
        const required = new Set(schema.required ?? []);
        const record: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [name, property] of Object.entries(properties)) record[name] = validValue(doc, property, depth + 1);
        return fc.record(record, { requiredKeys: Object.keys(properties).filter((name) => required.has(name)) });
      }
      default:
        throw new Error(`schema type ${types[0]} is not understood`);
    }
  })();
  return nullable ? fc.oneof(base, fc.constant(null)) : base;
}

function validString(schema: Schema): fc.Arbitrary<string> {
  if (schema.format === 'date-time') return isoTime;
  if (schema.format === 'date') return isoTime.map((time) => time.slice(0, 10));
  if (schema.format === 'uri' || schema.format === 'url') return fc.webUrl({ validSchemes: ['https'] });
  if (schema.format === 'email') return fc.emailAddress();
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern)).filter((text) => text.length >= (schema.minLength ?? 0) && text.length <= (schema.maxLength ?? Infinity));
  return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 24, 64), unit: 'grapheme' });
}

/** Values `schema` refuses, for one parameter or field; null when it accepts every value of its kind. */
export function invalidValue(doc: OpenApiDocument, input: Schema): fc.Arbitrary<unknown> | null {
  const schema = resolve(doc, input);
  const types = typesOf(schema).filter((type) => type !== 'null');
  if (schema.enum) {
    const allowed = new Set(schema.enum.map(String));
    return fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom('ALL', 'none', '\u00e9', '1')).filter((text) => !allowed.has(text) && text.trim() !== '' && !text.split(',').every((part) => allowed.has(part.trim()) || part.trim() === ''));
  }
  if (schema.anyOf ?? schema.oneOf) return null;
  switch (types[0]) {
    case 'integer':
    case 'number': {
      const outside: fc.Arbitrary<unknown>[] = [fc.constantFrom('abc', '1e', 'NaN', '--1', '0x10', '1 2', '')];
      if (types[0] === 'integer') outside.push(fc.constantFrom('1.5', '2.25'));
      if (schema.minimum !== undefined) outside.push(fc.integer({ min: -1_000_000, max: Math.ceil(schema.minimum) - 1 }).map(String));
      if (schema.exclusiveMinimum !== undefined) outside.push(fc.integer({ min: -1_000_000, max: Math.floor(schema.exclusiveMinimum) }).map(String));
      if (schema.maximum !== undefined) outside.push(fc.integer({ min: Math.floor(schema.maximum) + 1, max: Math.floor(schema.maximum) + 1_000_000 }).map(String));
      return fc.oneof(...outside).filter((value) => value !== '');
    }
    case 'boolean':
      return fc.constantFrom('maybe', '2', 'yes please');
    case 'string':
      if (schema.format === 'date-time' || schema.format === 'date') return fc.constantFrom('yesterday', '2024-02-30', '2024-13-01', '2024-06-19T25:00:00Z', '19/06/2024', '2024-06-19T12:00');
      // No blanks: a schema that trims must not bring the text back under the limit.
      if (schema.maxLength !== undefined) return fc.string({ minLength: schema.maxLength + 1, maxLength: schema.maxLength + 20, unit: fc.constantFrom('a', 'é', '中', '7') });
      if (schema.minLength !== undefined && schema.minLength > 0) return fc.constant('');
      if (schema.pattern) {
        const pattern = new RegExp(schema.pattern);
        return fc.string({ minLength: 1, maxLength: 12 }).filter((text) => !pattern.test(text) && text.trim() !== '');
      }
      return null;
    default:
      return null;
  }
}

/** A JSON value as query text: arrays comma-joined, everything else `String`. */
export function asQueryText(value: unknown): string {
  if (Array.isArray(value)) return value.map(asQueryText).join(',');
  return String(value);
}

/** The concrete URL of an operation with its path parameters filled in (percent-encoded). */
export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for path parameter ${name} of ${path}`);
    // Model keys may hold slashes, which the API reads as part of the key.
    return name === 'model' ? value.split('/').map(encodeURIComponent).join('/') : encodeURIComponent(value);
  });
}

/** A JSON value of another type than `schema` allows (for body fields), or null when it allows any. */
export function wrongType(doc: OpenApiDocument, input: Schema): fc.Arbitrary<unknown> | null {
  const schema = resolve(doc, input);
  if (schema.anyOf ?? schema.oneOf ?? schema.allOf) return null;
  const types = new Set(typesOf(schema));
  if (schema.enum) return fc.constantFrom(...[12345, 'not-one-of-them', { nested: true }].filter((value) => !schema.enum!.includes(value)));
  if (types.size === 0) return null;
  const candidates: unknown[] = [];
  if (!types.has('string')) candidates.push('text');
  if (!types.has('integer') && !types.has('number')) candidates.push(12345);
  if (!types.has('boolean')) candidates.push(true);
  if (!types.has('array')) candidates.push(['a', 'b']);
  if (!types.has('object')) candidates.push({ nested: true });
  return candidates.length ? fc.constantFrom(...candidates) : null;
}
