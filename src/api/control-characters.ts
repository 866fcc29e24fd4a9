import type { MiddlewareHandler } from 'hono';
import { InvalidInputError } from '../errors.ts';
import { escapeForLog } from '../log.ts';

// C0 controls (NUL, newline, carriage return, escape…), DEL and C1 controls. No board, model key,
// time or id contains one; PostgreSQL refuses NUL in text outright (a 500), and the others end up
// in logs, terminals and feeds.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** The first control character of a text as `U+001B`, or null. */
export function findControlCharacter(text: string): string | null {
  const found = CONTROL.exec(text);
  return found ? `U+${found[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` : null;
}

/** Percent-decodes as hono does for parameters: a malformed run of escapes is kept as written. */
function decodeSegment(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

/** A registered route: its method (`ALL` for middleware) and pattern. */
export interface RouteLike {
  method: string;
  path: string;
}

/**
 * The parameter names a route pattern gives the request's path segments (`/v1/boards/:board`
 * names segment 3 `board`; a last `:model{.+}` takes every segment from its place on), null for a
 * fixed segment; null as a whole when the pattern does not fit. Parameters match any text here,
 * control characters included, so the answer names `model` where hono's own `.+` would not match.
 */
function namesFromPattern(pattern: string, segments: readonly string[]): (string | null)[] | null {
  const parts = pattern.split('/');
  const names: (string | null)[] = [];
  for (const [index, part] of parts.entries()) {
    const parameter = /^:(\w+)(?:\{(.*)\})?$/.exec(part);
    const last = index === parts.length - 1;
    if (last && (part === '*' || (parameter?.[2] !== undefined && /\.[+*]/.test(parameter[2])))) {
      if (index >= segments.length) return null;
      for (let at = index; at < segments.length; at++) names[at] = parameter?.[1] ?? null;
      return names;
    }
    if (index >= segments.length) return null;
    if (parameter?.[1]) names[index] = parameter[1];
    else if (part === segments[index]) names[index] = null;
    else return null;
  }
  return parts.length === segments.length ? names : null;
}

/** The parameter names of the first route of this method (else of any method) that fits the path. */
function parameterNames(routes: readonly RouteLike[], method: string, segments: readonly string[]): (string | null)[] {
  const endpoints = routes.filter((route) => route.method !== 'ALL');
  for (const candidates of [endpoints.filter((route) => route.method === method), endpoints]) {
    for (const route of candidates) {
      const names = namesFromPattern(route.path, segments);
      if (names) return names;
    }
  }
  return [];
}

function refuse(parameter: string, value: string, character: string): never {
  throw new InvalidInputError(escapeForLog(parameter), `control characters are not allowed (found ${character} in ${JSON.stringify(value)})`);
}

/**
 * Refuses (400, naming the parameter) a request with a control character in any path segment or
 * query parameter, name or value, before any route sees it: one check for every endpoint, so no
 * handler can pass a NUL to the database or a newline to a log.
 */
export function rejectControlCharacters(routes: () => readonly RouteLike[]): MiddlewareHandler {
  return async (c, next) => {
    const segments = new URL(c.req.url).pathname.split('/').map(decodeSegment);
    for (const [index, segment] of segments.entries()) {
      const character = findControlCharacter(segment);
      if (character) refuse(parameterNames(routes(), c.req.method, segments)[index] ?? 'path', segment, character);
    }
    for (const [name, values] of Object.entries(c.req.queries())) {
      const inName = findControlCharacter(name);
      if (inName) refuse(name, name, inName);
      for (const value of values) {
        const character = findControlCharacter(value);
        if (character) refuse(name, value, character);
      }
    }
    await next();
  };
}

/**
 * Refuses a control character anywhere in a JSON request body (a string value or a key), naming
 * its place (`filters.boards[0]`). Tab, newline and carriage return are allowed in values: a
 * description may have several lines.
 */
export function rejectControlCharactersInBody(body: unknown, path = 'body'): void {
  if (typeof body === 'string') {
    const character = findControlCharacter(body.replace(/[\t\n\r]/g, ''));
    if (character) refuse(path, body, character);
  } else if (Array.isArray(body)) {
    body.forEach((item, index) => rejectControlCharactersInBody(item, `${path}[${index}]`));
  } else if (typeof body === 'object' && body !== null) {
    for (const [key, value] of Object.entries(body)) {
      const inKey = findControlCharacter(key);
      if (inKey) refuse(`${path}.${key}`, key, inKey);
      rejectControlCharactersInBody(value, path === 'body' ? key : `${path}.${key}`);
    }
  }
}
