import { lazy, type DefineCommand } from '../io.ts';
import { collectAttachment } from '../options.ts';

export const importCommand: DefineCommand = (cli, context) => {
  cli
    .command('import')
    .description('store captures of a board, oldest first, as if they had been scraped at their capture time')
    .argument('<board>', 'board id')
    .argument('<file...>', 'capture files; the capture time comes from --at or a date in each name')
    .option('--at <time>', 'capture time of a single file (ISO 8601)')
    .option('--attach <name=file>', 'a companion document every file is parsed with, e.g. categories=FILE (repeatable)', collectAttachment, {})
    .option('--fail-fast', 'stop at the first file that cannot be imported (missing, unreadable or malformed); by default such files are listed and the others imported')
    .option('--json', 'print one JSON array of results')
    .action(lazy(context, () => import('../run/import.ts')));
};
