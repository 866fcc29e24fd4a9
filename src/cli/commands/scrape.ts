import { lazy, type DefineCommand } from '../io.ts';

export const scrape: DefineCommand = (cli, context) => {
  cli
    .command('scrape')
    .description('fetch boards from their live URLs now (default: every watched board with a URL and, where needed, an API key)')
    .argument('[board...]', 'board ids')
    .option('--json', 'print one JSON array of outcomes')
    .action(lazy(context, () => import('../run/scrape.ts')));
};
