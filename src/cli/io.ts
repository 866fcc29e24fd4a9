import type { Command } from 'commander';

/** Where the CLI reads and writes; injected so tests run it in-process. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  /** True when stderr is a terminal (progress is redrawn in place). */
  stderrIsTty: boolean;
  /**
   * Subscribes to the process's SIGINT and SIGTERM while a long command runs (serve, scrape,
   * import), which then stops in good order; returns the unsubscribe. Commands that do not
   * subscribe leave the signals at their default: the process ends at once.
   */
  onShutdown?: (handler: (signal: string) => void) => () => void;
}

/** Exit codes: 0 ok, 1 failure, 2 usage error. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** What a command's implementation gets: the streams and a way to set the exit code. */
export interface CliContext {
  io: CliIo;
  setExit: (code: number) => void;
}

/** A command's implementation module: `run` gets the context, then commander's arguments and options. */
export interface CommandModule {
  run: (context: CliContext, ...args: never[]) => Promise<void>;
}

/**
 * The action of a command whose implementation is imported only when the command runs: the
 * definitions (names, arguments, options: all `--help` needs) stay light, and e.g. `events` never
 * loads the HTTP server, the scrapers' parsers or the feeds.
 */
export function lazy(context: CliContext, load: () => Promise<CommandModule>): (...args: unknown[]) => Promise<void> {
  return async (...args) => {
    const { run } = await load();
    // Commander passes the declared arguments, the options, then the command itself.
    await run(context, ...(args.slice(0, -1) as never[]));
  };
}

/** Defines one command (its arguments and options) on the program. */
export type DefineCommand = (cli: Command, context: CliContext) => void;
