import { lazy, type DefineCommand } from '../io.ts';

export const serve: DefineCommand = (cli, context) => {
  cli
    .command('serve')
    .description('run the HTTP API and the scheduled scrapes until stopped')
    .option('--port <port>', 'port to listen on (default: PORT or 8080)')
    .option('--host <host>', 'address to listen on (default: HOST or 0.0.0.0)')
    .action(lazy(context, () => import('../run/serve.ts')));
};
