import { Command, CommanderError } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import { AppError, describeError } from '../errors.ts';
import { aggregates } from './commands/aggregates.ts';
import { backtest } from './commands/backtest.ts';
import { boards } from './commands/boards.ts';
import { changes } from './commands/changes.ts';
import { events } from './commands/events.ts';
import { history } from './commands/history.ts';
import { importCommand } from './commands/import.ts';
import { migrate } from './commands/migrate.ts';
import { models } from './commands/models.ts';
import { parse } from './commands/parse.ts';
import { quarantine } from './commands/quarantine.ts';
import { scrape } from './commands/scrape.ts';
import { serve } from './commands/serve.ts';
import { subscribe } from './commands/subscribe.ts';
import { subscriptions } from './commands/subscriptions.ts';
import { unsubscribe } from './commands/unsubscribe.ts';
import { EXIT, type CliContext, type CliIo, type DefineCommand } from './io.ts';

export { EXIT, type CliIo } from './io.ts';

/** Every command, in the order `--help` lists them: each defines its options, its implementation is loaded when it runs. */
const COMMANDS: readonly DefineCommand[] = [migrate, serve, boards, scrape, parse, importCommand, events, history, models, aggregates, changes, quarantine, subscribe, subscriptions, unsubscribe, backtest];

/** Builds the commander program; every action resolves to an exit code. */
function program(context: CliContext): Command {
  const cli = new Command('rankwatch')
    .description('Watch public AI-model leaderboards and report rank, score and price changes.')
    .version(pkg.version)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: context.io.stdout, writeErr: context.io.stderr })
    .exitOverride();
  for (const define of COMMANDS) define(cli, context);
  return cli;
}

/** Runs the CLI with `argv` (without the node and script paths) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let code: number = EXIT.ok;
  const cli = program({
    io,
    setExit: (value) => {
      code = value;
    },
  });
  try {
    await cli.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    // Loaded already when a command read its configuration (and only then can it have failed so).
    const { ConfigError } = await import('../config.ts');
    const known = error instanceof AppError || error instanceof ConfigError;
    io.stderr(`rankwatch: ${known ? (error as Error).message : describeError(error)}\n`);
    if (!known && error instanceof Error && error.stack && io.env.RANKWATCH_DEBUG) {
      io.stderr(`${error.stack}\n`);
    }
    return error instanceof AppError && error.code === 'invalid_parameter' ? EXIT.usage : EXIT.failure;
  }
}
