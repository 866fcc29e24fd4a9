import { identityFor, openStore } from '../../context.ts';
import { defaultFetchDeps } from '../../ingest/fetch.ts';
import { scrapeBoard } from '../../ingest/run.ts';
import { describeOutcome } from '../../schedule/scheduler.ts';
import { EXIT, type CliContext } from '../io.ts';
import { configOf, json, requireBoard, untilShutdown } from '../shared.ts';

export async function run({ io, setExit }: CliContext, boards: string[], options: { json?: boolean }): Promise<void> {
  const settings = configOf(io);
  boards.forEach(requireBoard);
  const targets = boards.length > 0 ? boards : [...settings.boards].filter(([, board]) => board.url && board.watched && !board.notConfigured).map(([id]) => id);
  const identity = identityFor(settings);
  const database = await openStore(settings, 'scrape');
  try {
    await untilShutdown(io, async (signal) => {
      const outcomes = [];
      for (const board of targets) {
        // Ctrl-C abandons the fetch in progress (a capture already fetched is still stored) and the boards after it.
        if (signal.aborted) break;
        const outcome = await scrapeBoard({ db: database.db, config: settings, fetch: defaultFetchDeps, now: () => new Date(), identity }, board, signal);
        outcomes.push(outcome);
        if (!options.json) (outcome.status === 'failed' || outcome.status === 'not_configured' || outcome.status === 'abandoned' ? io.stderr : io.stdout)(`${describeOutcome(outcome)}\n`);
      }
      if (options.json) io.stdout(json(outcomes));
      if (signal.aborted && outcomes.length < targets.length) io.stderr(`${String(signal.reason)}: ${targets.length - outcomes.length} boards not scraped\n`);
      // A board asked for by name that cannot be scraped is a failure too; a bare `scrape` only skips those.
      if (signal.aborted || outcomes.some((outcome) => outcome.status === 'failed' || (boards.length > 0 && outcome.status === 'not_configured'))) setExit(EXIT.failure);
    });
  } finally {
    await database.close();
  }
}
