#!/usr/bin/env node
import { runCli } from './cli/main.ts';

// The thin entry point: real process streams, environment and signals.
const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  stderrIsTty: Boolean(process.stderr.isTTY),
  // Only while a long command listens: a quick command keeps the default (Ctrl-C ends it at once).
  onShutdown: (handler) => {
    for (const signal of SHUTDOWN_SIGNALS) process.on(signal, handler);
    return () => {
      for (const signal of SHUTDOWN_SIGNALS) process.off(signal, handler);
    };
  },
});
process.exitCode = code;
