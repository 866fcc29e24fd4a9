import { lazy, type DefineCommand } from '../io.ts';

export const aggregates: DefineCommand = (cli, context) => {
  cli
    .command('aggregates')
    .description('the best model of each organization (the lab ranking) or country on a board, and the US–China gap')
    .argument('<board>', 'board id')
    .option('--by <group>', 'organization or country', 'organization')
    .option('--at <time>', 'as the board stood at this ISO 8601 time (default: now)')
    .option('--history', 'the US–China gap at every snapshot instead, newest first')
    .option('--limit <n>', 'with --history: at most this many snapshots (1-1000)', '100')
    .option('--json', 'print one JSON document')
    .action(lazy(context, () => import('../run/aggregates.ts')));
};
