import { timingSafeEqual } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { Db } from '../../db/client.ts';
import { AppError, InvalidInputError } from '../../errors.ts';
import type { Identity } from '../../identity/identity.ts';
import { identifyWith } from '../../context.ts';
import { FiltersSchema } from '../../notify/filters.ts';
import {
  backtest,
  createSubscription,
  deleteSubscription,
  getSubscription,
  listDeliveries,
  listSubscriptions,
  queueTest,
  redeliver,
  rotateSecret,
  SubscriptionInputSchema,
  SubscriptionPatchSchema,
  updateSubscription,
  type UrlPolicy,
} from '../../notify/subscriptions.ts';
import { rejectControlCharactersInBody } from '../control-characters.ts';
import { routeGroup } from '../routing.ts';
import { BacktestSchema, cursorSchema, DeliverySchema, errors, idSchema, json, limitSchema, NextSchema, queryLimitSchema, SubscriptionSchema, SubscriptionWithSecretSchema, TimeSchema } from '../schemas.ts';
import { byId, pageWithLink } from '../pages.ts';

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

/** The OpenAPI security scheme of the admin routes. */
export const ADMIN_SECURITY = 'adminToken';

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

/**
 * Before a JSON body's schema: an empty body is `{}`, malformed JSON a 400 naming `body`, and a
 * control character anywhere in it a 400 naming its field ("\u0000" is a NUL PostgreSQL cannot
 * store: 400 here, not 500 there).
 */
const jsonBody: MiddlewareHandler = async (c, next) => {
  // Another media type is the body validator's 415.
  const type = c.req.header('content-type');
  if (type !== undefined && !/^application\/([\w.-]+\+)?json\s*(;|$)/i.test(type)) return next();
  const text = await c.req.text();
  if (text.trim() === '') {
    // A blank body is no fields, as it always was: the body validator parses the text hono keeps
    // (a promise, whatever hono's type for it says), which would otherwise be malformed JSON.
    if (type !== undefined) (c.req.bodyCache as Record<string, unknown>).text = Promise.resolve('{}');
  } else {
    let body: unknown;
    try {
      body = JSON.parse(text) as unknown;
    } catch (error) {
      throw new InvalidInputError('body', `expected a JSON object: ${(error as Error).message}`);
    }
    rejectControlCharactersInBody(body);
  }
  await next();
};

function body<T extends z.ZodType>(schema: T, description: string) {
  return { required: true, description, content: { 'application/json': { schema } } } as const;
}

const SubscriptionParamsSchema = z.object({ id: idSchema('a subscription id') });
const ADMIN = { tags: ['subscriptions'], security: [{ [ADMIN_SECURITY]: [] }] };
const AUTH_ERRORS = errors(401, 503);

export const createSubscriptionRoute = createRoute({
  ...ADMIN,
  method: 'post',
  path: '/v1/subscriptions',
  summary: 'Subscribe a chat (Slack, Discord, Telegram, Teams, Mattermost), an ntfy topic, a mailbox or a signed webhook to alerts; an Apprise-style URL names its channel',
  middleware: [jsonBody] as const,
  request: { body: body(
      SubscriptionInputSchema.extend({}).openapi('SubscriptionInput', {
        examples: [
          { channel: 'slack', url: 'https://hooks.slack.com/services/T000/B000/XXXXXXXX', filters: { boards: ['lmarena-text'], topN: 10 } },
          { channel: 'discord', url: 'https://discord.com/api/webhooks/123456/abcdef', mode: 'daily', timezone: 'Europe/Berlin' },
          { channel: 'webhook', url: 'https://hooks.example.com/rankwatch', filters: { kinds: ['new_leader', 'price_changed'], significantOnly: true }, description: 'leaders and price cuts' },
          { url: 'tgram://123456789:AAE-bot-token/-1001234567890', filters: { kinds: ['new_leader'] } },
          { url: 'mailtos://alerts:app-password@smtp.example.com?to=me@example.com', mode: 'daily', timezone: 'Europe/Berlin' },
          { url: 'ntfys://ntfy.sh/rankwatch-prices-7f3a', filters: { kinds: ['price_changed'] } },
        ],
      }),
      'the subscription',
    ) },
  responses: { 201: json(SubscriptionWithSecretSchema, 'created; a webhook gets its signing secret, shown this once; credentials in the URL are kept apart and never shown'), ...errors(400, 415), ...AUTH_ERRORS },
});

export const listSubscriptionsRoute = createRoute({
  ...ADMIN,
  method: 'get',
  path: '/v1/subscriptions',
  summary: 'The subscriptions in the order they were made, a page at a time (never their secrets)',
  request: { query: z.object({ limit: queryLimitSchema(100), cursor: cursorSchema('id') }) },
  responses: { 200: json(z.object({ subscriptions: z.array(SubscriptionSchema), next: NextSchema }).strict(), 'the subscriptions'), ...errors(400), ...AUTH_ERRORS },
});

export const previewRoute = createRoute({
  ...ADMIN,
  method: 'post',
  path: '/v1/subscriptions/preview',
  summary: 'Replay filters over stored history: the alerts a subscription would have sent',
  middleware: [jsonBody] as const,
  request: {
    body: body(
      z.object({ filters: FiltersSchema.optional(), since: TimeSchema, until: TimeSchema, limit: limitSchema(50) }).openapi('PreviewInput', {
        examples: [{ filters: { boards: ['lmarena-text'], kinds: ['new_leader'] }, since: '2024-06-01', limit: 20 }, {}],
      }),
      'the filters and the window',
    ),
  },
  responses: { 200: json(BacktestSchema, 'what would have been sent'), ...errors(400, 415), ...AUTH_ERRORS },
});

export const subscriptionRoute = createRoute({
  ...ADMIN,
  method: 'get',
  path: '/v1/subscriptions/{id}',
  summary: 'One subscription',
  request: { params: SubscriptionParamsSchema },
  responses: { 200: json(SubscriptionSchema, 'the subscription'), ...errors(400, 404), ...AUTH_ERRORS },
});

export const updateSubscriptionRoute = createRoute({
  ...ADMIN,
  method: 'patch',
  path: '/v1/subscriptions/{id}',
  summary: 'Change a subscription',
  middleware: [jsonBody] as const,
  request: { params: SubscriptionParamsSchema, body: body(
      SubscriptionPatchSchema.extend({}).openapi('SubscriptionPatch', {
        examples: [{ mode: 'hourly', timezone: 'America/New_York' }, { filters: { topN: 5 }, description: 'the top five only' }, { enabled: false }],
      }),
      'the fields to change',
    ) },
  responses: { 200: json(SubscriptionSchema, 'the changed subscription'), ...errors(400, 404, 415), ...AUTH_ERRORS },
});

export const deleteSubscriptionRoute = createRoute({
  ...ADMIN,
  method: 'delete',
  path: '/v1/subscriptions/{id}',
  summary: 'Delete a subscription and its pending deliveries',
  request: { params: SubscriptionParamsSchema },
  responses: { 204: { description: 'deleted' }, ...errors(400, 404), ...AUTH_ERRORS },
});

export const testSubscriptionRoute = createRoute({
  ...ADMIN,
  method: 'post',
  path: '/v1/subscriptions/{id}/test',
  summary: 'Queue a sample alert (the newest change set)',
  request: { params: SubscriptionParamsSchema },
  responses: { 202: json(z.object({ delivery: DeliverySchema }).strict(), 'queued'), ...errors(400, 404), ...AUTH_ERRORS },
});

export const rotateSecretRoute = createRoute({
  ...ADMIN,
  method: 'post',
  path: '/v1/subscriptions/{id}/rotate-secret',
  summary: 'A new webhook signing secret; the old one keeps signing beside it for 24 hours',
  request: { params: SubscriptionParamsSchema },
  responses: { 200: json(SubscriptionWithSecretSchema.extend({ secret: z.string() }), 'the new secret'), ...errors(400, 404, 409), ...AUTH_ERRORS },
});

export const deliveriesRoute = createRoute({
  ...ADMIN,
  method: 'get',
  path: '/v1/subscriptions/{id}/deliveries',
  summary: "A subscription's deliveries, newest first, each with every attempt, a page at a time",
  request: { params: SubscriptionParamsSchema, query: z.object({ limit: queryLimitSchema(50), cursor: cursorSchema('id') }) },
  responses: { 200: json(z.object({ deliveries: z.array(DeliverySchema), next: NextSchema }).strict(), 'the deliveries'), ...errors(400, 404), ...AUTH_ERRORS },
});

export const redeliverRoute = createRoute({
  ...ADMIN,
  method: 'post',
  path: '/v1/deliveries/{id}/redeliver',
  summary: 'Send a delivery again, with its original message id',
  request: { params: z.object({ id: idSchema('a delivery id') }) },
  responses: { 202: json(z.object({ delivery: DeliverySchema }).strict(), 'queued again'), ...errors(400, 404), ...AUTH_ERRORS },
});

/**
 * `/v1/subscriptions` and `/v1/deliveries`: managing who gets alerts (admin token required).
 * Reading events and feeds stays public.
 */
export function subscriptionRoutes(deps: SubscriptionRouteDeps) {
  const { db, policy } = deps;
  const group = routeGroup(deps);
  group.openAPIRegistry.registerComponent('securitySchemes', ADMIN_SECURITY, {
    type: 'http',
    scheme: 'bearer',
    description: 'RANKWATCH_ADMIN_TOKEN (unset on the service: these routes answer 503)',
  });
  const guard = adminOnly(deps.adminToken);
  group.use('/v1/subscriptions', guard);
  group.use('/v1/subscriptions/*', guard);
  group.use('/v1/deliveries/*', guard);

  return group
    .openapi(createSubscriptionRoute, async (c) => c.json(await createSubscription(db, c.req.valid('json'), policy), 201))
    .openapi(listSubscriptionsRoute, async (c) => {
      const { cursor, limit } = c.req.valid('query');
      const page = pageWithLink(c, await listSubscriptions(db, { after: cursor, limit: limit + 1 }), limit, byId);
      return c.json({ subscriptions: page.items, next: page.next }, 200);
    })
    .openapi(previewRoute, async (c) => {
      const { filters, since, until, limit } = c.req.valid('json');
      return c.json(await backtest(db, filters ?? {}, { since, until, limit, identify: identifyWith(deps.identity()) }), 200);
    })
    .openapi(subscriptionRoute, async (c) => c.json(await getSubscription(db, c.req.valid('param').id), 200))
    .openapi(updateSubscriptionRoute, async (c) => c.json(await updateSubscription(db, c.req.valid('param').id, c.req.valid('json'), policy), 200))
    .openapi(deleteSubscriptionRoute, async (c) => {
      await deleteSubscription(db, c.req.valid('param').id);
      return c.body(null, 204);
    })
    .openapi(testSubscriptionRoute, async (c) => c.json({ delivery: await queueTest(db, c.req.valid('param').id) }, 202))
    .openapi(rotateSecretRoute, async (c) => c.json(await rotateSecret(db, c.req.valid('param').id), 200))
    .openapi(deliveriesRoute, async (c) => {
      const { cursor, limit } = c.req.valid('query');
      const page = pageWithLink(c, await listDeliveries(db, c.req.valid('param').id, limit + 1, cursor), limit, byId);
      return c.json({ deliveries: page.items, next: page.next }, 200);
    })
    .openapi(redeliverRoute, async (c) => c.json({ delivery: await redeliver(db, c.req.valid('param').id) }, 202));
}
