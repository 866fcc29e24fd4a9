import type { Command } from 'commander';
import { InvalidInputError } from '../errors.ts';

/** Option parsers and option groups the command definitions share (light: loaded for every command). */

/** Collects repeated `--attach name=file` options into an object. */
export function collectAttachment(value: string, previous: Record<string, string>): Record<string, string> {
  const match = /^([A-Za-z][\w-]*)=(.+)$/.exec(value);
  if (!match?.[1] || !match[2]) throw new InvalidInputError('--attach', `expected name=file, e.g. categories=categories_2026_01_08.json, got ${JSON.stringify(value)}`);
  return { ...previous, [match[1]]: match[2] };
}

/** A repeatable option, each value kept as given. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

/** A repeatable option of comma-separated values. */
const repeat = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((item) => item.trim()).filter(Boolean)];

const positive = (name: string) => (value: string) => {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidInputError(name, `expected a positive number, got ${JSON.stringify(value)}`);
  return parsed;
};

/** The filter options of `subscribe` and `backtest`, as commander parses them. */
export interface FilterOptions {
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
export function filterOptions(command: Command): Command {
  return command
    .option('--board <board>', 'only these boards (comma-separated, repeatable)', repeat)
    .option('--model <model>', 'only these models: board keys or canonical ids (repeatable)', repeat)
    .option('--organization <org>', 'only models of these organizations (repeatable)', repeat)
    .option('--country <code>', 'only models made in these countries, e.g. US,CN (repeatable)', repeat)
    .option('--kind <kind>', 'only these event kinds (repeatable)', repeat)
    .option('--top <n>', 'only moves that touch the top N', positive('--top'))
    .option('--min-rank-delta <n>', 'rank moves of at least N places', positive('--min-rank-delta'))
    .option('--min-score-delta <x>', 'score moves of at least X points', positive('--min-score-delta'))
    .option('--min-price-percent <p>', 'price changes of at least P percent', positive('--min-price-percent'))
    .option('--significant-only', 'rank, score and leader moves only when significant')
    .option('--health', "also operator events (scrape_failed, scrape_recovered, snapshot_quarantined): the admin's subscription")
    .option('--filters <json>', 'the filters as one JSON object (README: Subscriptions); options above are added to it');
}
