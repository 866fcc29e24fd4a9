import { lazy, type DefineCommand } from '../io.ts';

export const unsubscribe: DefineCommand = (cli, context) => {
  cli
    .command('unsubscribe')
    .description('delete a subscription and its pending deliveries')
    .argument('<id>', 'the subscription id')
    .action(lazy(context, () => import('../run/unsubscribe.ts')));
};
