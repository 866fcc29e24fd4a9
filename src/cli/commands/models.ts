import { lazy, type DefineCommand } from '../io.ts';

export const models: DefineCommand = (cli, context) => {
  cli
    .command('models')
    .description("a model's canonical id, organization, country and current standing on every board; --unmapped lists what identity does not know")
    .argument('[id]', 'canonical model id or a key as a board stores it')
    .option('--unmapped', 'organizations and model keys on the current boards with no organization or country (add them with RANKWATCH_ORGANIZATIONS_FILE)')
    .option('--board <board>', 'only this board (with --unmapped)')
    .option('--json', 'print one JSON document')
    .action(lazy(context, () => import('../run/models.ts')));
};
