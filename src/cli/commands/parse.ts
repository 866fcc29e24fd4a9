import { lazy, type DefineCommand } from '../io.ts';
import { collectAttachment } from '../options.ts';

export const parse: DefineCommand = (cli, context) => {
  cli
    .command('parse')
    .description('parse a capture and print {"board", "entries"} as JSON (nothing is stored)')
    .argument('<board>', 'board id, e.g. lmarena-text')
    .argument('<file>', 'capture file (- for standard input)')
    .option('--attach <name=file>', 'a companion document the format needs, e.g. categories=categories_2026_01_08.json (repeatable)', collectAttachment, {})
    .action(lazy(context, () => import('../run/parse.ts')));
};
