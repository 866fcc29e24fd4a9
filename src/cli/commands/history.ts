import { lazy, type DefineCommand } from '../io.ts';

export const history: DefineCommand = (cli, context) => {
  cli
    .command('history')
    .description("show every period of a model's rank and score, per board")
    .argument('<model>', 'model key as the board stores it, e.g. "GPT-4o-2024-05-13"')
    .option('--board <board>', 'only this board')
    .option('--json', 'print one JSON array')
    .action(lazy(context, () => import('../run/history.ts')));
};
