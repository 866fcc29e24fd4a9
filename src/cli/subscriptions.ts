import type { Config } from '../config.ts';
import { describeEvent } from '../diff/describe.ts';
import { AppError, InvalidInputError } from '../errors.ts';
import type { Filters } from '../notify/filters.ts';
import type { Backtest, SubscriptionView } from '../notify/subscriptions.ts';
import { shortTime } from './format.ts';
import type { FilterOptions } from './options.ts';
import { serviceClient, type ServiceClient } from './remote.ts';

/** What the subscription commands' implementations share. */

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
export function adminClient(config: Config, baseUrl: string): ServiceClient {
  if (!config.adminToken) throw new AppError('not_configured', 'the database is held by the running service: set RANKWATCH_ADMIN_TOKEN (the same as the service) to manage subscriptions through it');
  return serviceClient(baseUrl, config.adminToken);
}

export function formatSubscriptions(found: readonly SubscriptionView[]): string {
  if (found.length === 0) return 'no subscriptions\n';
  const rows = found.map((item) => [String(item.id), item.channel, item.mode === 'immediate' ? 'immediate' : `${item.mode} (${item.timezone})`, item.enabled ? 'enabled' : `disabled: ${item.disabledReason ?? ''}`, item.url, JSON.stringify(item.filters)]);
  const header = ['ID', 'CHANNEL', 'MODE', 'STATE', 'URL', 'FILTERS'];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  return [header, ...rows].map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}

export function formatBacktest(result: Backtest): string {
  const lines = [`${result.messages} message${result.messages === 1 ? '' : 's'} (${result.events} event${result.events === 1 ? '' : 's'}) would have been sent`];
  for (const set of result.changeSets) {
    lines.push('', `${shortTime(set.capturedAt)}  ${set.summary}`);
    for (const event of set.events.slice(0, 10)) lines.push(`  ${describeEvent(event.board, event)}`);
    if (set.events.length > 10) lines.push(`  …and ${set.events.length - 10} more`);
  }
  return `${lines.join('\n')}\n`;
}
