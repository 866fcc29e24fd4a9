#!/usr/bin/env node
import { runCli } from './cli/main.ts';

// The thin entry point: real process streams, environment and signals.
const shutdownSignal = new Promise<string>((resolve) => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve(signal));
});

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  stderrIsTty: Boolean(process.stderr.isTTY),
  shutdownSignal,
});
process.exitCode = code;
