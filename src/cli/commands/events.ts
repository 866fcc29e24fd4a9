import { lazy, type DefineCommand } from '../io.ts';
import { collect } from '../options.ts';

export const events: DefineCommand = (cli, context) => {
  cli
    .command('events')
    .description('list stored change events, newest first')
    .option('--board <board>', 'only this board')
    .option('--model <model>', 'only this model key')
    .option('--organization <org>', 'only models of this organization (id or name, e.g. openai), by model identity')
    .option('--kind <kind>', 'only these kinds (comma-separated, repeatable)', collect)
    .option('--significant', 'rank, score and leader moves only when significant given the published intervals; other kinds pass (as --significant-only for a subscription)')
    .option('--since <time>', 'only events captured at or after this ISO 8601 time')
    .option('--status <status>', 'published (default), pending, reverted, superseded or all (comma-separated)', collect)
    .option('--limit <n>', 'at most this many (1-10000)', '100')
    .option('--all', 'every matching event, however many (fetched a page at a time; --limit is ignored)')
    .option('--json', 'print one JSON array')
    .action(lazy(context, () => import('../run/events.ts')));
};
