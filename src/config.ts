import cron from 'node-cron';
import { z } from 'zod';
import type { BoardDefinition } from '../scrapers/scraper.ts';
import { DEFAULT_SETTLE, parseSettleWindow, type SettleWindow } from './diff/settle.ts';
import { DEFAULT_RETRY_SCHEDULE_MS } from './notify/retry.ts';
import { parseAllowHosts } from './notify/ssrf.ts';
import { parseTrustProxy, type TrustProxy } from './api/client-ip.ts';
import { DEFAULT_RATE_LIMIT, parseRateLimit, type RateLimit } from './api/rate-limit.ts';
import { LOG_FORMATS, type LogFormat } from './log.ts';
import pkg from '../package.json' with { type: 'json' };

/** The package version and homepage, for the User-Agent and feeds. */
export const VERSION: string = pkg.version;
export const HOMEPAGE: string = pkg.homepage;

const boolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((value) => ['true', '1', 'yes', 'on'].includes(value));

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const EnvSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  RANKWATCH_DATA: z.string().min(1).default('./data'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  RANKWATCH_PUBLIC_URL: z.url().optional(),
  RANKWATCH_USER_AGENT: z.string().min(1).optional(),
  RANKWATCH_FETCH_TIMEOUT_MS: positiveInt(30_000),
  RANKWATCH_FETCH_MAX_BYTES: positiveInt(50 * 1024 * 1024),
  RANKWATCH_FETCH_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
  RANKWATCH_FETCH_BACKOFF_MS: positiveInt(1_000),
  RANKWATCH_FETCH_MAX_DELAY_MS: positiveInt(60_000),
  RANKWATCH_SCHEDULER: boolean.default(true),
  RANKWATCH_BOARDS: z.string().default('all'),
  RANKWATCH_SCRAPE_ON_START: boolean.default(true),
  RANKWATCH_SCRAPE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  RANKWATCH_SCRAPE_JITTER_SECONDS: z.coerce.number().min(0).max(3_600).default(30),
  RANKWATCH_HOST_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
  RANKWATCH_HOST_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).default(250),
  RANKWATCH_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  RANKWATCH_LOG_FORMAT: z.enum(LOG_FORMATS).default('auto'),
  RANKWATCH_RATE_LIMIT: z.string().default(DEFAULT_RATE_LIMIT),
  RANKWATCH_TRUST_PROXY: z.string().default('off'),
  RANKWATCH_ALIASES_FILE: z.string().min(1).optional(),
  RANKWATCH_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  RANKWATCH_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  RANKWATCH_WEBHOOK_ALLOW_HOSTS: z.string().optional(),
  RANKWATCH_DISPATCHER: boolean.default(true),
  RANKWATCH_DELIVERY_TIMEOUT_MS: positiveInt(10_000),
  RANKWATCH_DELIVERY_RETRY_SCHEDULE: z.string().optional(),
  RANKWATCH_ORGANIZATIONS_FILE: z.string().min(1).optional(),
});

/** Per-board settings: where to fetch it and when (null schedule = not scheduled). */
export interface BoardSettings {
  url: string | null;
  schedule: string | null;
  /** Companion documents fetched with the board (name → URL), e.g. LiveBench's categories JSON. */
  attachments: Record<string, string>;
  /** Extra request headers, e.g. the source's API key. */
  headers: Record<string, string>;
  /** What the board needs before it can be scraped live although it has a URL (its API key), or null. */
  notConfigured: string | null;
  /** Listed in RANKWATCH_BOARDS (or it is `all`): scheduled, and scraped by a bare `rankwatch scrape`. */
  watched: boolean;
  /** How long a change must last before it is announced (`RANKWATCH_SETTLE_<BOARD>`). */
  settle: SettleWindow;
}

/** The validated configuration: environment variables, read once at start-up. */
export interface Config {
  databaseUrl: string | undefined;
  dataDir: string;
  port: number;
  host: string;
  publicUrl: string | undefined;
  userAgent: string;
  fetch: { timeoutMs: number; maxBytes: number; retries: number; baseDelayMs: number; maxDelayMs: number };
  scheduler: boolean;
  scrapeOnStart: boolean;
  /** Most scrapes the scheduler runs at once (the others wait their turn). */
  scrapeConcurrency: number;
  /** The longest a scheduled tick waits after its time (each document its own fixed share; see jitterFor). */
  scrapeJitterMs: number;
  /** Per host: requests in flight at once, and the least time between two starts (see pacedFetchDeps). */
  hostPacing: { concurrency: number; intervalMs: number };
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** `json`, `text`, or `auto`: JSON unless standard error is a terminal (see resolveLogFormat). */
  logFormat: LogFormat;
  /** Requests per client address and window on the public routes; null: no limit. */
  rateLimit: RateLimit | null;
  /** Which proxies' X-Forwarded-For is believed for the client's address. */
  trustProxy: TrustProxy;
  /** The user's own model aliases and organizations (YAML), merged over the shipped tables. */
  identityFiles: { aliases: string | undefined; organizations: string | undefined };
  /** Bearer token for managing subscriptions; unset: the management endpoints answer 503. */
  adminToken: string | undefined;
  /** Bearer token for `/metrics`; unset: public, as Prometheus endpoints usually are. */
  metricsToken: string | undefined;
  /** Alert delivery: hosts exempt from the private-address guard, the dispatcher, its timeout and retry delays. */
  delivery: { allowHosts: string[]; dispatcher: boolean; timeoutMs: number; retrySchedule: number[] };
  boards: Map<string, BoardSettings>;
}

/** Thrown for invalid environment variables; names each one. */
export class ConfigError extends Error {}

/** `5s,5m,2h,500ms` as milliseconds; null when any item is not a duration (an empty list is none: no retries). */
export function parseDurations(text: string): number[] | null {
  const units: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
  const items = text.split(',').map((item) => item.trim()).filter(Boolean);
  const out: number[] = [];
  for (const item of items) {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(item);
    if (!match) return null;
    out.push(Math.round(Number(match[1]) * units[match[2]!]!));
  }
  return out;
}

/** `lmarena-text` → `LMARENA_TEXT`, for per-board variables. */
export function boardEnvName(board: string): string {
  return board.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

/**
 * Reads and validates the environment. Per-board variables are `RANKWATCH_URL_<BOARD>`,
 * `RANKWATCH_SCHEDULE_<BOARD>` (a cron expression, or `off`) and `RANKWATCH_SETTLE_<BOARD>`
 * (a settling window: `2` scrapes, `6h`).
 */
export function loadConfig(env: Record<string, string | undefined>, boardList: readonly BoardDefinition[]): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid environment: ${problems.join('; ')}`);
  }
  const values = parsed.data;
  const problems: string[] = [];
  const boardSettings = new Map<string, BoardSettings>();
  const known = new Set<string>();
  for (const board of boardList) {
    const name = boardEnvName(board.id);
    known.add(name);
    const url = env[`RANKWATCH_URL_${name}`] ?? board.live?.url ?? null;
    if (url !== null && !/^https?:\/\//.test(url)) problems.push(`RANKWATCH_URL_${name}: must be an http(s) URL`);
    const scheduleValue = env[`RANKWATCH_SCHEDULE_${name}`] ?? board.live?.schedule ?? 'off';
    let schedule: string | null = scheduleValue.trim();
    if (['off', 'false', 'none', ''].includes(schedule)) schedule = null;
    else if (!cron.validate(schedule)) problems.push(`RANKWATCH_SCHEDULE_${name}: not a cron expression: ${JSON.stringify(scheduleValue)}`);
    if (schedule !== null && url === null) problems.push(`RANKWATCH_SCHEDULE_${name}: ${board.id} has no live URL; set RANKWATCH_URL_${name}`);
    const attachments: Record<string, string> = {};
    for (const [attachment, defaultUrl] of Object.entries(board.live?.attachments ?? {})) {
      const variable = `RANKWATCH_URL_${name}_${boardEnvName(attachment)}`;
      known.add(`${name}_${boardEnvName(attachment)}`);
      const value = env[variable] ?? defaultUrl;
      if (!/^https?:\/\//.test(value)) problems.push(`${variable}: must be an http(s) URL`);
      attachments[attachment] = value;
    }
    const headers: Record<string, string> = {};
    let notConfigured: string | null = null;
    const apiKey = board.live?.apiKey;
    if (apiKey) {
      const key = env[apiKey.env]?.trim();
      if (key) headers[apiKey.header.toLowerCase()] = `${apiKey.prefix ?? ''}${key}`;
      else notConfigured = `set ${apiKey.env} to an API key`;
    }
    const settleValue = env[`RANKWATCH_SETTLE_${name}`];
    let settle = board.settle ?? DEFAULT_SETTLE;
    if (settleValue !== undefined) {
      const parsedWindow = parseSettleWindow(settleValue);
      if (parsedWindow) settle = parsedWindow;
      else problems.push(`RANKWATCH_SETTLE_${name}: not a settling window (a number of scrapes such as 2, or of hours such as 6h): ${JSON.stringify(settleValue)}`);
    }
    boardSettings.set(board.id, { url, schedule, attachments, headers, notConfigured, watched: true, settle });
  }
  for (const key of Object.keys(env)) {
    const match = /^RANKWATCH_(URL|SCHEDULE|SETTLE)_(.+)$/.exec(key);
    if (match && !known.has(match[2] ?? '')) problems.push(`${key}: no board is called ${match[2]?.toLowerCase().replace(/_/g, '-')}`);
  }
  const watched = values.RANKWATCH_BOARDS.trim();
  if (watched !== 'all') {
    const chosen = new Set(watched.split(',').map((item) => item.trim()).filter(Boolean));
    const ids = new Set(boardList.map((board) => board.id));
    for (const item of chosen) if (!ids.has(item)) problems.push(`RANKWATCH_BOARDS: no board is called ${item}`);
    // Boards left out keep their URL (`rankwatch scrape BOARD` still works) but are not scheduled.
    for (const [id, settings] of boardSettings) {
      if (chosen.has(id)) continue;
      settings.schedule = null;
      settings.watched = false;
    }
  }
  let retrySchedule = [...DEFAULT_RETRY_SCHEDULE_MS];
  if (values.RANKWATCH_DELIVERY_RETRY_SCHEDULE !== undefined) {
    const parsedSchedule = parseDurations(values.RANKWATCH_DELIVERY_RETRY_SCHEDULE);
    if (parsedSchedule) retrySchedule = parsedSchedule;
    else problems.push(`RANKWATCH_DELIVERY_RETRY_SCHEDULE: expected comma-separated delays such as 5s,5m,30m,2h, got ${JSON.stringify(values.RANKWATCH_DELIVERY_RETRY_SCHEDULE)}`);
  }
  const rateLimit = parseRateLimit(values.RANKWATCH_RATE_LIMIT);
  if (rateLimit instanceof Error) problems.push(`RANKWATCH_RATE_LIMIT: ${rateLimit.message}`);
  const trustProxy = parseTrustProxy(values.RANKWATCH_TRUST_PROXY);
  if (trustProxy instanceof Error) problems.push(`RANKWATCH_TRUST_PROXY: ${trustProxy.message}`);
  if (problems.length > 0 || rateLimit instanceof Error || trustProxy instanceof Error) throw new ConfigError(`invalid environment: ${problems.join('; ')}`);
  return {
    databaseUrl: values.DATABASE_URL,
    dataDir: values.RANKWATCH_DATA,
    port: values.PORT,
    host: values.HOST,
    publicUrl: values.RANKWATCH_PUBLIC_URL,
    userAgent: values.RANKWATCH_USER_AGENT ?? `rankwatch/${VERSION} (+${HOMEPAGE})`,
    fetch: {
      timeoutMs: values.RANKWATCH_FETCH_TIMEOUT_MS,
      maxBytes: values.RANKWATCH_FETCH_MAX_BYTES,
      retries: values.RANKWATCH_FETCH_RETRIES,
      baseDelayMs: values.RANKWATCH_FETCH_BACKOFF_MS,
      maxDelayMs: values.RANKWATCH_FETCH_MAX_DELAY_MS,
    },
    scheduler: values.RANKWATCH_SCHEDULER,
    scrapeOnStart: values.RANKWATCH_SCRAPE_ON_START,
    scrapeConcurrency: values.RANKWATCH_SCRAPE_CONCURRENCY,
    scrapeJitterMs: Math.round(values.RANKWATCH_SCRAPE_JITTER_SECONDS * 1000),
    hostPacing: { concurrency: values.RANKWATCH_HOST_CONCURRENCY, intervalMs: values.RANKWATCH_HOST_INTERVAL_MS },
    logLevel: values.RANKWATCH_LOG_LEVEL,
    logFormat: values.RANKWATCH_LOG_FORMAT,
    rateLimit,
    trustProxy,
    identityFiles: { aliases: values.RANKWATCH_ALIASES_FILE, organizations: values.RANKWATCH_ORGANIZATIONS_FILE },
    adminToken: values.RANKWATCH_ADMIN_TOKEN,
    metricsToken: values.RANKWATCH_METRICS_TOKEN,
    delivery: {
      allowHosts: parseAllowHosts(values.RANKWATCH_WEBHOOK_ALLOW_HOSTS),
      dispatcher: values.RANKWATCH_DISPATCHER,
      timeoutMs: values.RANKWATCH_DELIVERY_TIMEOUT_MS,
      retrySchedule,
    },
    boards: boardSettings,
  };
}

/**
 * What `serve` warns about at start when alerts would carry links nobody else can open:
 * RANKWATCH_PUBLIC_URL unset while this process sends alerts, which then link to the address it
 * listens on, here a loopback one (`listenUrl`, e.g. `http://127.0.0.1:8080`). Null when fine.
 */
export function publicUrlWarning(config: Pick<Config, 'publicUrl' | 'delivery'>, listenUrl: string): string | null {
  if (config.publicUrl !== undefined || !config.delivery.dispatcher) return null;
  const host = new URL(listenUrl).hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host.endsWith('.localhost') || /^127\./.test(host) || host === '::1';
  if (!loopback) return null;
  return `RANKWATCH_PUBLIC_URL is not set: links in alerts will point at ${listenUrl}, which only this machine can open; set it to the address readers reach the service at (feeds meanwhile link to the address each request came to)`;
}
