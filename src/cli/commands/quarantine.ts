import { lazy, type DefineCommand } from '../io.ts';

export const quarantine: DefineCommand = (cli, context) => {
  cli
    .command('quarantine')
    .description('list captures held back by the sanity checks, with the reasons (with an id: that capture and its entries)')
    .argument('[id]', 'a quarantined capture id')
    .option('--board <board>', 'only this board')
    .option('--limit <n>', 'at most this many (1-1000)', '100')
    .option('--all', 'every matching capture (fetched a page at a time; --limit is ignored)')
    .option('--json', 'print one JSON document (a list: one array)')
    .action(lazy(context, () => import('../run/quarantine.ts')));
};
