import { lazy, type DefineCommand } from '../io.ts';

export const subscriptions: DefineCommand = (cli, context) => {
  cli
    .command('subscriptions')
    .description('list subscriptions (never their secrets)')
    .option('--json', 'print one JSON array')
    .action(lazy(context, () => import('../run/subscriptions.ts')));
};
