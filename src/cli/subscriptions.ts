import type { Command } from 'commander';
import type { z } from 'zod';
import { readParameter } from '../api/routing.ts';
import { idSchema, queryLimitSchema, TimeSchema } from '../api/schemas.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import { AppError, InvalidInputError } from '../errors.ts';
import { identifyWith, identityFor } from '../context.ts';
import type { Filters, FiltersSchema } from '../notify/filters.ts';
import { backtest, createSubscription, deleteSubscription, listSubscriptions, type Backtest, type SubscriptionInput, type SubscriptionView } from '../notify/subscriptions.ts';
import { answer, serviceClient, type ServiceClient } from './remote.ts';
import { collectPages } from '../db/cursor.ts';
import { describeEvent } from '../diff/describe.ts';
import { shortTime } from './format.ts';

/** What the subscription commands need from the CLI around them. */
export interface SubscriptionCliDeps {
  config: () => Config;
  stdout: (text: string) => void;
  json: (value: unknown) => string;
  /** Runs against the database, or through the running service that holds it. */
  readThrough: <T>(config: Config, local: (database: Database) => Promise<T>, remote: (baseUrl: string) => Promise<T>) => Promise<T>;
}

const repeat = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((item) => item.trim()).filter(Boolean)];
const number = (name: string) => (value: string) => {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidInputError(name, `expected a positive number, got ${JSON.stringify(value)}`);
  return parsed;
};

interface FilterOptions {
  board?: string[];
  model?: string[];
  organization?: string[];
  country?: string[];
  kind?: string[];
  top?: number;
  minRankDelta?: number;
  minScoreDelta?: number;
  minPricePercent?: number;
  significantOnly?: boolean;
  health?: boolean;
  filters?: string;
}

/** Adds the filter options shared by `subscribe` and `backtest`. */
function filterOptions(command: Command): Command {
  return command
    .option('--board <board>', 'only these boards (comma-separated, repeatable)', repeat)
    .option('--model <model>', 'only these models: board keys or canonical ids (repeatable)', repeat)
    .option('--organization <org>', 'only models of these organizations (repeatable)', repeat)
    .option('--country <code>', 'only models made in these countries, e.g. US,CN (repeatable)', repeat)
    .option('--kind <kind>', 'only these event kinds (repeatable)', repeat)
    .option('--top <n>', 'only moves that touch the top N', number('--top'))
    .option('--min-rank-delta <n>', 'rank moves of at least N places', number('--min-rank-delta'))
    .option('--min-score-delta <x>', 'score moves of at least X points', number('--min-score-delta'))
    .option('--min-price-percent <p>', 'price changes of at least P percent', number('--min-price-percent'))
    .option('--significant-only', 'rank, score and leader moves only when significant')
    .option('--health', "also operator events (scrape_failed, scrape_recovered, snapshot_quarantined): the admin's subscription")
    .option('--filters <json>', 'the filters as one JSON object (README: Subscriptions); options above are added to it');
}

/** The filters object from the options (validated where it is used). */
export function filtersFrom(options: FilterOptions): Record<string, unknown> {
  let base: Record<string, unknown> = {};
  if (options.filters !== undefined) {
    try {
      base = JSON.parse(options.filters) as Record<string, unknown>;
    } catch (error) {
      throw new InvalidInputError('--filters', `expected a JSON object: ${(error as Error).message}`);
    }
  }
  const given: Partial<Record<keyof Filters, unknown>> = {
    boards: options.board,
    models: options.model,
    organizations: options.organization,
    countries: options.country,
    kinds: options.kind,
    topN: options.top,
    minRankDelta: options.minRankDelta,
    minScoreDelta: options.minScoreDelta,
    minPricePercent: options.minPricePercent,
    significantOnly: options.significantOnly,
    health: options.health,
  };
  return { ...base, ...Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)) };
}

/** The running service's API with the admin token (the same the service has). */
function adminClient(config: Config, baseUrl: string): ServiceClient {
  if (!config.adminToken) throw new AppError('not_configured', 'the database is held by the running service: set RANKWATCH_ADMIN_TOKEN (the same as the service) to manage subscriptions through it');
  return serviceClient(baseUrl, config.adminToken);
}

function formatSubscriptions(found: readonly SubscriptionView[]): string {
  if (found.length === 0) return 'no subscriptions\n';
  const rows = found.map((item) => [String(item.id), item.channel, item.mode === 'immediate' ? 'immediate' : `${item.mode} (${item.timezone})`, item.enabled ? 'enabled' : `disabled: ${item.disabledReason ?? ''}`, item.url, JSON.stringify(item.filters)]);
  const header = ['ID', 'CHANNEL', 'MODE', 'STATE', 'URL', 'FILTERS'];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  return [header, ...rows].map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}

function formatBacktest(result: Backtest): string {
  const lines = [`${result.messages} message${result.messages === 1 ? '' : 's'} (${result.events} event${result.events === 1 ? '' : 's'}) would have been sent`];
  for (const set of result.changeSets) {
    lines.push('', `${shortTime(set.capturedAt)}  ${set.summary}`);
    for (const event of set.events.slice(0, 10)) lines.push(`  ${describeEvent(event.board, event)}`);
    if (set.events.length > 10) lines.push(`  …and ${set.events.length - 10} more`);
  }
  return `${lines.join('\n')}\n`;
}

/** `subscribe`, `subscriptions`, `unsubscribe`, `backtest`. */
export function addSubscriptionCommands(cli: Command, deps: SubscriptionCliDeps): void {
  filterOptions(
    cli
      .command('subscribe')
      .description('subscribe a Slack or Discord incoming webhook, or a signed generic webhook, to alerts')
      .requiredOption('--channel <channel>', 'slack, discord or webhook')
      .requiredOption('--url <url>', 'the webhook URL (https, public address)')
      .option('--mode <mode>', 'immediate (default), hourly or daily digest', 'immediate')
      .option('--timezone <tz>', 'time zone of digest windows (IANA name)', 'UTC')
      .option('--description <text>', 'a note for yourself')
      .option('--json', 'print one JSON document'),
  ).action(async (options: FilterOptions & { channel: string; url: string; mode: string; timezone: string; description?: string; json?: boolean }) => {
    const body = {
      channel: options.channel,
      url: options.url,
      filters: filtersFrom(options),
      mode: options.mode,
      timezone: options.timezone,
      ...(options.description ? { description: options.description } : {}),
    };
    const config = deps.config();
    const policy = { allowHosts: config.delivery.allowHosts };
    const created = await deps.readThrough(
      config,
      (database) => createSubscription(database.db, body, policy),
      // The service validates the body as createSubscription does here.
      (url) => answer(adminClient(config, url).v1.subscriptions.$post({ json: body as SubscriptionInput })),
    );
    if (options.json) {
      deps.stdout(deps.json(created));
      return;
    }
    deps.stdout(`subscription ${created.subscription.id}: ${created.subscription.channel} ${created.subscription.url}\n`);
    if (created.secret) deps.stdout(`signing secret (shown once; verify webhook-signature with it): ${created.secret}\n`);
  });

  cli
    .command('subscriptions')
    .description('list subscriptions (never their secrets)')
    .option('--json', 'print one JSON array')
    .action(async (options: { json?: boolean }) => {
      const config = deps.config();
      const found = await deps.readThrough(
        config,
        (database) => listSubscriptions(database.db),
        // Every page: the service answers up to 1000 a page.
        (url) =>
          collectPages(Infinity, 1000, async (cursor, size) => {
            const { subscriptions, next } = await answer(adminClient(config, url).v1.subscriptions.$get({ query: { limit: String(size), ...(cursor ? { cursor } : {}) } }));
            return { items: subscriptions, next };
          }),
      );
      deps.stdout(options.json ? deps.json(found) : formatSubscriptions(found));
    });

  cli
    .command('unsubscribe')
    .description('delete a subscription and its pending deliveries')
    .argument('<id>', 'the subscription id')
    .action(async (id: string) => {
      const number = readParameter(idSchema('a subscription id'), 'id', id);
      const config = deps.config();
      await deps.readThrough(
        config,
        (database) => deleteSubscription(database.db, number),
        async (url) => {
          await answer(adminClient(config, url).v1.subscriptions[':id'].$delete({ param: { id: String(number) } }));
        },
      );
      deps.stdout(`subscription ${number} deleted\n`);
    });

  filterOptions(
    cli
      .command('backtest')
      .description('replay filters over stored history: the alerts a subscription would have sent')
      .option('--since <time>', 'only changes captured at or after this ISO 8601 time')
      .option('--until <time>', 'only changes captured at or before this ISO 8601 time')
      .option('--limit <n>', 'list at most this many change sets (1-1000; the counts cover all)', '20')
      .option('--json', 'print one JSON document'),
  ).action(async (options: FilterOptions & { since?: string; until?: string; limit: string; json?: boolean }) => {
    const filters = filtersFrom(options);
    const since = readParameter(TimeSchema, '--since', options.since);
    const until = readParameter(TimeSchema, '--until', options.until);
    const limit = readParameter(queryLimitSchema(20), '--limit', options.limit);
    const config = deps.config();
    const result = await deps.readThrough(
      config,
      (database) => backtest(database.db, filters, { since, until, limit, identify: identifyWith(identityFor(config)) }),
      (url) =>
        answer(
          adminClient(config, url).v1.subscriptions.preview.$post({
            // The service validates the filters as backtest does here.
            json: { filters: filters as z.input<typeof FiltersSchema>, limit, since: since?.toISOString(), until: until?.toISOString() },
          }),
        ),
    );
    deps.stdout(options.json ? deps.json(result) : formatBacktest(result));
  });
}
