import { lazy, type DefineCommand } from '../io.ts';
import { filterOptions } from '../options.ts';

export const subscribe: DefineCommand = (cli, context) => {
  filterOptions(
    cli
      .command('subscribe')
      .description('subscribe a chat (Slack, Discord, Telegram, Teams, Mattermost), ntfy topic, mailbox or signed webhook to alerts')
      .option('--channel <channel>', 'slack, discord, webhook, telegram, email, teams, ntfy or mattermost (left out with an Apprise-style URL such as tgram://…)')
      .requiredOption('--url <url>', 'the https URL (public address) or an Apprise-style URL (tgram://, mailtos://, ntfys://, …)')
      .option('--mode <mode>', 'immediate (default), hourly or daily digest', 'immediate')
      .option('--timezone <tz>', 'time zone of digest windows (IANA name)', 'UTC')
      .option('--description <text>', 'a note for yourself')
      .option('--json', 'print one JSON document'),
  ).action(lazy(context, () => import('../run/subscribe.ts')));
};
