import { OpenAPIHono, type z } from '@hono/zod-openapi';
import type { RequestIdVariables } from 'hono/request-id';
import type { Db } from '../db/client.ts';
import { boardExists } from '../db/queries.ts';
import { InvalidInputError, NotFoundError } from '../errors.ts';
import type { Identity } from '../identity/identity.ts';

/** What every request carries: its id (hono's requestId middleware). */
export type ApiEnv = { Variables: RequestIdVariables };

/** What the route groups under src/api/routes/ need. */
export interface RouteDeps {
  db: Db;
  /** Model identity (read lazily: the Workers entry builds an app per request). */
  identity: () => Identity;
}

/** A 404 for a board id no board has; names the parameter it came in (`board`). */
export class UnknownBoardError extends NotFoundError {
  readonly parameter = 'board';
  constructor(board: string) {
    super(`unknown board: ${board}`);
  }
}

/** Throws UnknownBoardError unless the board exists: the one check behind every `:board` and `?board=`. */
export async function requireBoard(db: Db, board: string): Promise<void> {
  if (!(await boardExists(db, board))) throw new UnknownBoardError(board);
}

/** How a zod issue's path names a parameter: `at`, `filters.kinds.0`; an unknown key by its own name. */
function parameterOf(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) path.push(issue.keys[0]!);
  return path.join('.');
}

/**
 * The 400 for a failed validation: the first issue's parameter (`fallback` when the issue is the
 * whole value's), its message, and the other issues after it.
 */
export function invalidInput(error: z.ZodError, fallback: string): InvalidInputError {
  const [first, ...rest] = error.issues;
  const parameter = (first && parameterOf(first)) || fallback;
  const others = rest.map((issue) => `; ${parameterOf(issue) || fallback}: ${issue.message}`).join('');
  return new InvalidInputError(parameter, `${first?.message ?? 'invalid'}${others}`);
}

/**
 * Reads one value with a parameter schema outside HTTP (CLI options): the value, or an
 * InvalidInputError naming `name` with the message the API gives.
 */
export function readParameter<S extends z.ZodType>(schema: S, name: string, value: z.input<S>): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw invalidInput(result.error, name);
  return result.data;
}

const TARGET_NAMES: Record<string, string> = { json: 'body', form: 'body', query: 'query', param: 'path', header: 'header', cookie: 'cookie' };

/**
 * The validation hook of every route: a failed validation throws the 400 naming the parameter
 * (the app's onError writes it), and a validated `board` in the path or the query must name a
 * known board (404 `unknown board: X` otherwise). Query parameters are validated before the path,
 * so a malformed parameter answers 400 before an unknown board answers 404.
 */
export function validationHook(db: Db) {
  return async (result: { target: string; success: boolean; data?: unknown; error?: z.ZodError }): Promise<void> => {
    if (!result.success) throw invalidInput(result.error!, TARGET_NAMES[result.target] ?? result.target);
    if (result.target !== 'param' && result.target !== 'query') return;
    const board = (result.data as { board?: unknown } | undefined)?.board;
    if (typeof board === 'string') await requireBoard(db, board);
  };
}

/** A group of routes, with the validation hook; its routes go to the app with `app.route('/', group)`. */
export function routeGroup(deps: Pick<RouteDeps, 'db'>): OpenAPIHono<ApiEnv> {
  return new OpenAPIHono<ApiEnv>({ defaultHook: validationHook(deps.db) });
}
