import { timingSafeEqual } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import { VERSION } from '../../config.ts';
import type { Db } from '../../db/client.ts';
import type { Metrics } from '../../metrics.ts';
import { COMPONENT_STATES, type BackgroundState } from '../operations.ts';
import { routeGroup } from '../routing.ts';
import { errors, json } from '../schemas.ts';
import { AuthError } from './subscriptions.ts';

/** How long `/readyz` waits for the database: a probe must answer, even when the server hangs. */
const DATABASE_CHECK_MS = 2_000;

/** The OpenAPI security scheme of `/metrics` (when RANKWATCH_METRICS_TOKEN is set). */
export const METRICS_SECURITY = 'metricsToken';

export interface OperationsDeps {
  db: Db;
  /** Null: no `/metrics` (the Workers entry, where each request runs in a new app). */
  metrics: Metrics | null;
  /** Bearer token `/metrics` asks for; unset: public. */
  metricsToken: string | undefined;
  background: () => BackgroundState;
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim() ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function databaseAnswers(db: Db): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), DATABASE_CHECK_MS);
  });
  try {
    return await Promise.race([db.execute(sql`select 1`).then(() => true as const), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

const ComponentStateSchema = z.enum(COMPONENT_STATES);
const ChecksSchema = z.object({ database: z.enum(['ok', 'unavailable']), scheduler: ComponentStateSchema, dispatcher: ComponentStateSchema }).strict();

export const healthRoute = createRoute({
  method: 'get',
  path: '/healthz',
  tags: ['operations'],
  summary: 'Liveness: the process answers and reaches its database',
  responses: { 200: json(z.object({ status: z.literal('ok'), version: z.string() }).strict(), 'alive') },
});

export const readyRoute = createRoute({
  method: 'get',
  path: '/readyz',
  tags: ['operations'],
  summary: 'Readiness: the database answers and the scheduler and dispatcher run (or are switched off)',
  responses: {
    200: json(z.object({ status: z.literal('ready'), checks: ChecksSchema }).strict(), 'ready'),
    503: json(z.object({ status: z.literal('not_ready'), checks: ChecksSchema, failing: z.array(z.string()) }).strict(), 'not ready: `failing` names what'),
  },
});

/** Prometheus text format 0.0.4. */
const PROMETHEUS_TYPE = 'text/plain; version=0.0.4';

export const metricsRoute = createRoute({
  method: 'get',
  path: '/metrics',
  tags: ['operations'],
  summary: 'Prometheus metrics (text format 0.0.4)',
  // Optional: the token is asked for only when RANKWATCH_METRICS_TOKEN is set.
  security: [{}, { [METRICS_SECURITY]: [] }] as Record<string, string[]>[],
  responses: {
    200: { description: 'the metrics', content: { [PROMETHEUS_TYPE]: { schema: z.string() } } },
    ...errors(401),
  },
});

/** `/healthz` (liveness), `/readyz` (database, scheduler, dispatcher) and `/metrics` (Prometheus text). */
export function operationRoutes(deps: OperationsDeps): ReturnType<typeof withMetrics> {
  const group = probes(deps);
  // The Workers entry has no /metrics (typed as if it had: the API's type is the Node service's).
  if (!deps.metrics) return group as unknown as ReturnType<typeof withMetrics>;
  return withMetrics(group, deps.metrics, deps.metricsToken);
}

function probes(deps: OperationsDeps) {
  return routeGroup(deps)
    .openapi(healthRoute, async (c) => {
      await deps.db.execute(sql`select 1`);
      return c.json({ status: 'ok' as const, version: VERSION }, 200);
    })
    .openapi(readyRoute, async (c) => {
      const background = deps.background();
      const checks = {
        database: (await databaseAnswers(deps.db)) ? ('ok' as const) : ('unavailable' as const),
        scheduler: background.scheduler,
        dispatcher: background.dispatcher,
      };
      const failing = Object.entries(checks)
        .filter(([, state]) => state !== 'ok' && state !== 'running' && state !== 'disabled')
        .map(([name]) => name);
      c.header('cache-control', 'no-store');
      if (failing.length > 0) return c.json({ status: 'not_ready' as const, checks, failing }, 503);
      return c.json({ status: 'ready' as const, checks }, 200);
    });
}

function withMetrics(group: ReturnType<typeof probes>, metrics: Metrics, metricsToken: string | undefined) {
  group.openAPIRegistry.registerComponent('securitySchemes', METRICS_SECURITY, { type: 'http', scheme: 'bearer', description: 'RANKWATCH_METRICS_TOKEN, when it is set' });
  return group.openapi(metricsRoute, async (c) => {
    if (metricsToken !== undefined && !bearerMatches(c.req.header('authorization'), metricsToken)) {
      c.header('www-authenticate', 'Bearer realm="rankwatch metrics"');
      throw new AuthError(401, 'this needs Authorization: Bearer with the metrics token (RANKWATCH_METRICS_TOKEN)');
    }
    return c.text(await metrics.render(), 200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
  });
}
