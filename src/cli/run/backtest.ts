import type { z } from 'zod';
import { readParameter } from '../../api/routing.ts';
import { queryLimitSchema, TimeSchema } from '../../api/schemas.ts';
import { identifyWith, identityFor } from '../../context.ts';
import { decodeStoredEvent } from '../../diff/events.ts';
import type { FiltersSchema } from '../../notify/filters.ts';
import { backtest } from '../../notify/subscriptions.ts';
import type { CliContext } from '../io.ts';
import type { FilterOptions } from '../options.ts';
import { answer } from '../remote.ts';
import { configOf, json, readThrough } from '../shared.ts';
import { adminClient, filtersFrom, formatBacktest } from '../subscriptions.ts';

export async function run({ io }: CliContext, options: FilterOptions & { since?: string; until?: string; limit: string; json?: boolean }): Promise<void> {
  const filters = filtersFrom(options);
  const since = readParameter(TimeSchema, '--since', options.since);
  const until = readParameter(TimeSchema, '--until', options.until);
  const limit = readParameter(queryLimitSchema(20), '--limit', options.limit);
  const config = configOf(io);
  const result = await readThrough(
    config,
    (database) => backtest(database.db, filters, { since, until, limit, identify: identifyWith(identityFor(config)) }),
    async (url) => {
      const found = await answer(
        adminClient(config, url).v1.subscriptions.preview.$post({
          // The service validates the filters as backtest does here.
          json: { filters: filters as z.input<typeof FiltersSchema>, limit, since: since?.toISOString(), until: until?.toISOString() },
        }),
      );
      // The service's JSON, checked as the database's rows are.
      return { ...found, changeSets: found.changeSets.map((set) => ({ ...set, events: set.events.map(decodeStoredEvent) })) };
    },
  );
  io.stdout(options.json ? json(result) : formatBacktest(result));
}
