import { timingSafeEqual } from 'node:crypto';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { Db } from '../db/client.ts';
import { AppError, InvalidInputError } from '../errors.ts';
import type { Identity } from '../identity/identity.ts';
import { identifyWith } from '../context.ts';
import { backtest, createSubscription, deleteSubscription, getSubscription, listDeliveries, listSubscriptions, queueTest, redeliver, rotateSecret, updateSubscription, type UrlPolicy } from '../notify/subscriptions.ts';
import { rejectControlCharactersInBody } from './control-characters.ts';
import { parseId, parseLimit, parseTime } from './params.ts';

/** Raised when managing subscriptions is not set up or the token is wrong. */
export class AuthError extends AppError {
  readonly status: 401 | 503;
  constructor(status: 401 | 503, message: string) {
    super(status === 401 ? 'unauthorized' : 'not_configured', message);
    this.status = status;
  }
}

export interface SubscriptionRouteDeps {
  db: Db;
  adminToken: string | undefined;
  policy: UrlPolicy;
  identity: () => Identity;
}

/** `Authorization: Bearer <RANKWATCH_ADMIN_TOKEN>`, compared in constant time. */
function adminOnly(token: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (!token) throw new AuthError(503, 'managing subscriptions is off: set RANKWATCH_ADMIN_TOKEN and send it as Authorization: Bearer <token>');
    const given = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1]?.trim() ?? '';
    const expected = Buffer.from(token);
    const actual = Buffer.from(given);
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
      c.header('www-authenticate', 'Bearer realm="rankwatch"');
      throw new AuthError(401, 'this needs Authorization: Bearer with the admin token (RANKWATCH_ADMIN_TOKEN)');
    }
    await next();
  };
}

async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidInputError('body', `expected a JSON object: ${(error as Error).message}`);
  }
  // A "\u0000" in a JSON string is a NUL that PostgreSQL cannot store: 400 here, not 500 there.
  rejectControlCharactersInBody(body);
  return body;
}

/**
 * `/v1/subscriptions` and `/v1/deliveries`: managing who gets alerts (admin token required).
 * Reading events and feeds stays public.
 */
export function mountSubscriptions(app: Hono<any>, deps: SubscriptionRouteDeps): void {
  const { db, policy } = deps;
  const guard = adminOnly(deps.adminToken);
  app.use('/v1/subscriptions', guard);
  app.use('/v1/subscriptions/*', guard);
  app.use('/v1/deliveries/*', guard);
  const id = (c: Context) => parseId('id', c.req.param('id') ?? '', 'a subscription id');

  app.post('/v1/subscriptions', async (c) => c.json(await createSubscription(db, await jsonBody(c), policy), 201));
  app.get('/v1/subscriptions', async (c) => c.json({ subscriptions: await listSubscriptions(db) }));
  app.post('/v1/subscriptions/preview', async (c) => {
    const body = (await jsonBody(c)) as { filters?: unknown; since?: unknown; until?: unknown; limit?: unknown };
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidInputError('body', 'expected {"filters": {...}, "since": …}');
    const time = (name: string, value: unknown) => (value === undefined ? undefined : parseTime(name, String(value)));
    const result = await backtest(db, body.filters ?? {}, {
      since: time('since', body.since),
      until: time('until', body.until),
      limit: parseLimit('limit', body.limit === undefined ? undefined : String(body.limit), 50, 1000),
      identify: identifyWith(deps.identity()),
    });
    return c.json(result);
  });
  app.get('/v1/subscriptions/:id', async (c) => c.json(await getSubscription(db, id(c))));
  app.patch('/v1/subscriptions/:id', async (c) => c.json(await updateSubscription(db, id(c), await jsonBody(c), policy)));
  app.delete('/v1/subscriptions/:id', async (c) => {
    await deleteSubscription(db, id(c));
    return c.body(null, 204);
  });
  app.post('/v1/subscriptions/:id/test', async (c) => c.json({ delivery: await queueTest(db, id(c)) }, 202));
  app.post('/v1/subscriptions/:id/rotate-secret', async (c) => c.json(await rotateSecret(db, id(c))));
  app.get('/v1/subscriptions/:id/deliveries', async (c) =>
    c.json({ deliveries: await listDeliveries(db, id(c), parseLimit('limit', c.req.query('limit'), 50, 1000)) }),
  );
  app.post('/v1/deliveries/:id/redeliver', async (c) =>
    c.json({ delivery: await redeliver(db, parseId('id', c.req.param('id') ?? '', 'a delivery id')) }, 202),
  );
}
