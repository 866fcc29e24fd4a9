import { lazy, type DefineCommand } from '../io.ts';
import { filterOptions } from '../options.ts';

export const backtest: DefineCommand = (cli, context) => {
  filterOptions(
    cli
      .command('backtest')
      .description('replay filters over stored history: the alerts a subscription would have sent')
      .option('--since <time>', 'only changes captured at or after this ISO 8601 time')
      .option('--until <time>', 'only changes captured at or before this ISO 8601 time')
      .option('--limit <n>', 'list at most this many change sets (1-1000; the counts cover all)', '20')
      .option('--json', 'print one JSON document'),
  ).action(lazy(context, () => import('../run/backtest.ts')));
};
