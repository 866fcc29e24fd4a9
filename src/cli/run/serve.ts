import { allBoards } from '../../../scrapers/index.ts';
import { loadConfig, VERSION } from '../../config.ts';
import { createLogger, resolveLogFormat } from '../../log.ts';
import { startService } from '../../server.ts';
import type { CliContext } from '../io.ts';
import { untilShutdown } from '../shared.ts';

/** Resolves when the signal fires. */
function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

export async function run({ io }: CliContext, options: { port?: string; host?: string }): Promise<void> {
  const env = { ...io.env };
  if (options.port !== undefined) env.PORT = options.port;
  if (options.host !== undefined) env.HOST = options.host;
  const settings = loadConfig(env, allBoards);
  const log = createLogger(settings.logLevel, io.stderr, { format: resolveLogFormat(settings.logFormat, io.stderrIsTty) });
  await untilShutdown(
    io,
    async (signal) => {
      const service = await startService(settings, log);
      if (!signal.aborted) io.stdout(`rankwatch ${VERSION} serving on ${service.url}\n`);
      await aborted(signal);
      const started = Date.now();
      log.info(`${String(signal.reason)}: shutting down`);
      await service.stop();
      log.info(`stopped in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    },
    (again) => log.info(`${again}: already shutting down`),
  );
}
