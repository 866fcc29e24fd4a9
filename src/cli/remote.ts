import { hc, type ClientResponse } from 'hono/client';
import type { SuccessStatusCode } from 'hono/utils/http-status';
import type { AppType } from '../api/app.ts';
import { AppError, NotFoundError } from '../errors.ts';

/** The running service's API, typed from its routes: a misspelt path or parameter does not compile. */
export type ServiceClient = ReturnType<typeof hc<AppType>>;

/** A typed client of the service at `baseUrl`; `token` is sent as the bearer token (the admin routes). */
export function serviceClient(baseUrl: string, token?: string): ServiceClient {
  return hc<AppType>(baseUrl, { headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) } });
}

/**
 * The body type of a response's success statuses. A route that also answers CSV (`text/csv`) has
 * an untyped `Response` among its outputs: the client asks for JSON, so that one is left out.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any response format: a 204 has no JSON
type SuccessBody<R> = R extends ClientResponse<infer T, infer S, any> ? (S extends SuccessStatusCode ? (T extends Response ? never : T) : never) : never;

/**
 * The body of a successful answer, or the service's JSON error as the CLI's own: a 404 as
 * NotFoundError, a 400 keeps its `invalid_parameter` code (exit 2), anything else says the status.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see SuccessBody
export async function answer<R extends ClientResponse<unknown, number, any>>(pending: Promise<R>): Promise<SuccessBody<R>> {
  const response = await pending;
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (response.ok) return body as SuccessBody<R>;
  const message = (body as { message?: unknown } | null)?.message;
  const said = typeof message === 'string' ? message : '';
  if (response.status === 404) throw new NotFoundError(said || `not found: ${response.url}`);
  if (response.status === 400) throw new AppError('invalid_parameter', said || 'the running service refused a parameter');
  throw new AppError('service_error', `the running service answered ${response.status}: ${said}`);
}
