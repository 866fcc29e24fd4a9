import { z } from 'zod';
import { ParseError } from '../../src/errors.ts';
import { excerpt, show } from './values.ts';

/**
 * JSON formats read through zod schemas, one helper for every source: a document that does not
 * match its schema is a ParseError naming the path, what was expected there and what was found,
 * e.g. `expected OpenRouter models JSON: data[3].pricing.prompt a decimal string (USD per token),
 * found model "acme/nova": "$3.30"`. A schema says what it expects in its own words with zod's
 * `error` parameter (`z.number({ error: 'a number or null' })`); otherwise the words come from the
 * issue (`a number`, `a non-empty string`, `a number of at most 100`).
 */

/** How a JSON document is read: its name in errors, its schema, and how its rows are named. */
export interface JsonFormat<T> {
  /** The document, for errors: "SWE-bench leaderboards.json". */
  what: string;
  /** What the whole document should be, for errors about the document itself (malformed, not an object). Default `what`. */
  expected?: string;
  schema: z.ZodType<T>;
  /** An array element with this string key is named `<noun> "<value>"` in errors (`model "acme/nova"`). */
  rows?: { key: string; noun: string };
  /** Where the value sits in its document, when it is a part of one (`["leaderboards", 1]`): errors give the whole path. */
  at?: readonly PropertyKey[];
}

type Path = readonly PropertyKey[];

/** `data[3].pricing.prompt`, `categories["Data Analysis"]`. */
export function formatPath(path: Path): string {
  return path
    .map((key, i) => {
      if (typeof key === 'number') return `[${key}]`;
      const name = String(key);
      if (!/^[A-Za-z_$][\w$]*$/.test(name)) return `[${JSON.stringify(name)}]`;
      return i === 0 ? name : `.${name}`;
    })
    .join('');
}

const article = (type: string) => (type === 'null' || type === 'undefined' ? type : /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

/** What an issue expected, in words, for zod's `error` parameter. */
function expectation(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected === 'nonoptional' ? 'a value' : article(issue.expected);
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return 'a non-empty string';
      if (issue.origin === 'array' && Number(issue.minimum) === 1) return 'a non-empty array';
      return `${article(issue.origin)} of at least ${String(issue.minimum)}`;
    case 'too_big':
      return `${article(issue.origin)} of at most ${String(issue.maximum)}`;
    case 'invalid_union':
      return [...new Set(issue.errors.map((errors) => errors[0]?.message).filter((message) => message !== undefined))].join(' or ') || 'a valid value';
    case 'invalid_value':
      return `one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    default:
      return 'a valid value';
  }
}

function valueAt(document: unknown, path: Path): unknown {
  let value = document;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** What was found at `path`, for "found …": the value as JSON, an object by its keys, or a missing key among its siblings. */
function describe(document: unknown, path: Path, text: string | null): string {
  const value = valueAt(document, path);
  if (value === undefined && path.length > 0) {
    const parent = valueAt(document, path.slice(0, -1));
    const keys = isRecord(parent) ? Object.keys(parent) : [];
    return `no ${JSON.stringify(String(path.at(-1)))}${keys.length > 0 ? ` among keys ${excerpt(keys.join(', '), 240)}` : ''}`;
  }
  if (isRecord(value)) return `an object with keys ${excerpt(Object.keys(value).join(', '), 160)}`;
  if (path.length === 0 && text !== null) return `JSON ${Array.isArray(value) ? 'array' : 'value'} ${excerpt(text)}`;
  return show(value);
}

/** The name of the innermost row on `path` (`model "acme/nova"`), when the format names its rows. */
function rowName(document: unknown, path: Path, rows: JsonFormat<unknown>['rows']): string | null {
  if (!rows) return null;
  for (let end = path.length; end > 0; end--) {
    if (typeof path[end - 1] !== 'number') continue;
    const row = valueAt(document, path.slice(0, end));
    const name = isRecord(row) ? row[rows.key] : undefined;
    if (typeof name === 'string' && name.trim() !== '') return `${rows.noun} ${JSON.stringify(name.trim())}`;
  }
  return null;
}

/** Validates a JSON value already parsed against the format's schema; the first mismatch is a ParseError. */
export function validate<T>(document: unknown, format: JsonFormat<T>, text: string | null = null): T {
  const result = format.schema.safeParse(document, { error: expectation });
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path;
  const full = [...(format.at ?? []), ...path];
  const expected = full.length === 0 ? (format.expected ?? `${format.what}: ${issue.message}`) : `${format.what}: ${formatPath(full)} ${issue.message}`;
  const row = rowName(document, path, format.rows);
  const found = describe(document, path, text);
  throw new ParseError(expected, row ? `${row}: ${found}` : found, { cause: result.error });
}

/** Parses JSON text and validates it against the format's schema; malformed JSON and every mismatch are ParseErrors. */
export function parseJson<T>(text: string, format: JsonFormat<T>): T {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ParseError(format.expected ?? format.what, `malformed JSON (${(error as Error).message}); the response may be cut off`, { cause: error });
  }
  return validate(document, format, text);
}

/** Any JSON object: the first step for a format whose error bodies must be told apart before its schema is applied. */
export const JsonObjectSchema = z.record(z.string(), z.unknown());

/** An API's error answer sent with a success status (an auth failure, a rate limit): a ParseError saying so, rather than a schema mismatch. */
export function refuseErrorBody(document: Readonly<Record<string, unknown>>, expected: string): void {
  const { status, error } = document;
  const failed = (typeof status === 'number' && status !== 200) || (error !== undefined && error !== null) || (!('data' in document) && 'message' in document);
  if (failed) throw new ParseError(expected, `an error response ${show(document, 160)}`);
}
