import { lazy, type DefineCommand } from '../io.ts';
import { filterOptions } from '../options.ts';

export const subscribe: DefineCommand = (cli, context) => {
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
  ).action(lazy(context, () => import('../run/subscribe.ts')));
};
