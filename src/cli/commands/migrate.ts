import { lazy, type DefineCommand } from '../io.ts';

export const migrate: DefineCommand = (cli, context) => {
  cli
    .command('migrate')
    .description('apply pending database migrations (also done at every start)')
    .action(lazy(context, () => import('../run/migrate.ts')));
};
