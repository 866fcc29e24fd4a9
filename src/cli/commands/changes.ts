import { lazy, type DefineCommand } from '../io.ts';

export const changes: DefineCommand = (cli, context) => {
  cli
    .command('changes')
    .description('list change sets (all events of one snapshot, summed up), newest first; with an id, that change set and its events')
    .argument('[id]', 'a change set id')
    .option('--board <board>', 'only this board')
    .option('--since <time>', 'only change sets captured at or after this ISO 8601 time')
    .option('--limit <n>', 'at most this many (1-1000)', '100')
    .option('--all', 'every matching change set (fetched a page at a time; --limit is ignored)')
    .option('--json', 'print one JSON document (a list: one array)')
    .action(lazy(context, () => import('../run/changes.ts')));
};
