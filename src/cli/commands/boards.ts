import { lazy, type DefineCommand } from '../io.ts';

export const boards: DefineCommand = (cli, context) => {
  cli
    .command('boards')
    .description('list every board with its source, schedule, last scrape and entry count')
    .option('--json', 'print one JSON array')
    .action(lazy(context, () => import('../run/boards.ts')));
};
