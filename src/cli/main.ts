import { Command, CommanderError } from 'commander';
import { allBoards, findBoard } from '../../scrapers/index.ts';
import { readParameter } from '../api/routing.ts';
import { eventFilter } from '../api/event-filter.ts';
import { idSchema, KindsSchema, queryLimitSchema, StatusesSchema, TimeSchema, type EventQuery } from '../api/schemas.ts';
import { ConfigError, loadConfig, VERSION, type Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import { readLockHolder } from '../db/lock.ts';
import {
  boardExists,
  getChangeSet,
  getQuarantine,
  listBoards,
  listChangeSets,
  listEvents,
  listQuarantines,
} from '../db/queries.ts';
import { describeCapture } from '../diff/describe.ts';
import { AppError, DatabaseBusyError, describeError, InvalidInputError, NotFoundError } from '../errors.ts';
import { defaultFetchDeps } from '../ingest/fetch.ts';
import { importFile, planImport, readAttachments, readTextFile, scrapeBoard } from '../ingest/run.ts';
import { createLogger, resolveLogFormat } from '../log.ts';
import { describeOutcome } from '../schedule/scheduler.ts';
import { startService } from '../server.ts';
import { identityFor, openStore } from '../context.ts';
import { aggregatesHistory, boardAggregates, canonicalHistory, modelAcrossBoards, unmappedModels } from '../identity/store.ts';
import {
  formatAggregates,
  formatBoards,
  formatChangeSets,
  formatEvents,
  formatGapHistory,
  formatHistory,
  formatModel,
  formatQuarantine,
  formatQuarantineDetail,
  formatUnmapped,
  shortTime,
} from './format.ts';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { answer, serviceClient } from './remote.ts';
import { byCaptureTime, collectPages, decodeCursor, pageOf } from '../db/cursor.ts';
import { addSubscriptionCommands } from './subscriptions.ts';

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

/**
 * Runs `work` with an AbortSignal that fires at the first SIGINT/SIGTERM (its reason: the
 * signal's name). Later signals only reach `repeated`: the work is already stopping, and a second
 * signal (a terminal's Ctrl-C reaches both npm and the service, and npm forwards it again) must
 * not kill the process half-way through closing the database.
 */
async function untilShutdown<T>(io: CliIo, work: (signal: AbortSignal) => Promise<T>, repeated: (signal: string) => void = () => {}): Promise<T> {
  const controller = new AbortController();
  const unsubscribe = io.onShutdown?.((signal) => (controller.signal.aborted ? repeated(signal) : controller.abort(signal))) ?? (() => {});
  try {
    return await work(controller.signal);
  } finally {
    unsubscribe();
  }
}

/** Resolves when the signal fires. */
function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function requireBoard(board: string): void {
  if (!findBoard(board)) throw new NotFoundError(`unknown board: ${board}; known boards: ${allBoards.map((b) => b.id).join(', ')}`);
}

/**
 * Runs a read against the database, or, when `rankwatch serve` holds the embedded database,
 * against the running service's HTTP API.
 */
async function readThrough<T>(config: Config, local: (database: Database) => Promise<T>, remote: (baseUrl: string) => Promise<T>): Promise<T> {
  let database: Database;
  try {
    database = await openStore(config, 'cli');
  } catch (error) {
    const holder = error instanceof DatabaseBusyError && !config.databaseUrl ? await readLockHolder(config.dataDir) : null;
    if (!holder?.url) throw error;
    try {
      return await remote(holder.url);
    } catch (remoteError) {
      if (remoteError instanceof AppError) throw remoteError;
      // The holder wrote down a URL but does not answer: it may have been killed; its lock goes stale shortly.
      throw new DatabaseBusyError(`${(error as Error).message} (the service at ${holder.url} does not answer: if it was killed, the lock frees itself within 10 seconds)`);
    }
  }
  try {
    return await local(database);
  } finally {
    await database.close();
  }
}

/** `/v1/events`'s query for the CLI's (the API gives at most 1000 at once). */
function eventQuery(query: EventQuery) {
  return {
    board: query.board,
    model: query.model,
    organization: query.organization,
    kind: query.kind.length ? query.kind.join(',') : undefined,
    significant: query.significant ? 'true' : undefined,
    since: query.since?.toISOString(),
    status: query.status.length ? query.status.join(',') : undefined,
    limit: String(Math.min(query.limit, 1000)),
  };
}

/** Builds the commander program; every action resolves to an exit code. */
function program(io: CliIo, setExit: (code: number) => void): Command {
  const config = (): Config => loadConfig(io.env, allBoards);
  const cli = new Command('rankwatch')
    .description('Watch public AI-model leaderboards and report rank, score and price changes.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();

  cli
    .command('migrate')
    .description('apply pending database migrations (also done at every start)')
    .action(async () => {
      const database = await openStore(config(), 'migrate');
      io.stdout(`database is up to date (${database.kind} ${database.location})\n`);
      await database.close();
    });

  cli
    .command('serve')
    .description('run the HTTP API and the scheduled scrapes until stopped')
    .option('--port <port>', 'port to listen on (default: PORT or 8080)')
    .option('--host <host>', 'address to listen on (default: HOST or 0.0.0.0)')
    .action(async (options: { port?: string; host?: string }) => {
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
    });

  cli
    .command('boards')
    .description('list every board with its source, schedule, last scrape and entry count')
    .option('--json', 'print one JSON array')
    .action(async (options: { json?: boolean }) => {
      const settings = config();
      const boards = await readThrough(
        settings,
        (database) => listBoards(database.db),
        async (url) => (await answer(serviceClient(url).v1.boards.$get())).boards,
      );
      const live = new Map([...settings.boards].map(([id, board]) => [id, { schedule: board.schedule, notConfigured: board.notConfigured }]));
      if (options.json) io.stdout(json(boards.map((board) => ({ ...board, schedule: live.get(board.id)?.schedule ?? null, notConfigured: live.get(board.id)?.notConfigured ?? null }))));
      else io.stdout(formatBoards(boards, live));
    });

  cli
    .command('scrape')
    .description('fetch boards from their live URLs now (default: every watched board with a URL and, where needed, an API key)')
    .argument('[board...]', 'board ids')
    .option('--json', 'print one JSON array of outcomes')
    .action(async (boards: string[], options: { json?: boolean }) => {
      const settings = config();
      boards.forEach(requireBoard);
      const targets =
        boards.length > 0 ? boards : [...settings.boards].filter(([, board]) => board.url && board.watched && !board.notConfigured).map(([id]) => id);
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
    });

  cli
    .command('parse')
    .description('parse a capture and print {"board", "entries"} as JSON (nothing is stored)')
    .argument('<board>', 'board id, e.g. lmarena-text')
    .argument('<file>', 'capture file (- for standard input)')
    .option('--attach <name=file>', 'a companion document the format needs, e.g. categories=categories_2026_01_08.json (repeatable)', collectAttachment, {})
    .action(async (board: string, file: string, options: { attach: Record<string, string> }) => {
      requireBoard(board);
      const found = findBoard(board);
      if (!found) return;
      const body = file === '-' ? await readStdin() : await readTextFile(file);
      const attachments = await readAttachments(options.attach);
      const parsed = found.scraper.parse(body, { board, fileName: file === '-' ? undefined : basename(file), attachments });
      io.stdout(json({ board, format: parsed.format, publishedAt: parsed.publishedAt, entries: parsed.entries }));
    });

  cli
    .command('import')
    .description('store captures of a board, oldest first, as if they had been scraped at their capture time')
    .argument('<board>', 'board id')
    .argument('<file...>', 'capture files; the capture time comes from --at or a date in each name')
    .option('--at <time>', 'capture time of a single file (ISO 8601)')
    .option('--attach <name=file>', 'a companion document every file is parsed with, e.g. categories=FILE (repeatable)', collectAttachment, {})
    .option('--fail-fast', 'stop at the first file that cannot be imported (missing, unreadable or malformed); by default such files are listed and the others imported')
    .option('--json', 'print one JSON array of results')
    .action(async (board: string, files: string[], options: { at?: string; attach: Record<string, string>; failFast?: boolean; json?: boolean }) => {
      requireBoard(board);
      const at = readParameter(TimeSchema, '--at', options.at);
      // A missing file is one failed file, like a malformed one: it need not have a date to be reported as missing.
      const present = files.filter((file) => existsSync(file));
      const missing = files.filter((file) => !existsSync(file));
      const plan = planImport(present, at);
      // Read once up front: every file needs them, so a missing one stops the import before anything is written.
      await readAttachments(options.attach);
      const settings = config();
      const identity = identityFor(settings);
      const results: Record<string, unknown>[] = [];
      const failures: { file: string; error: string }[] = [];
      const fail = (file: string, capturedAt: Date | null, error: unknown) => {
        const message = describeError(error);
        failures.push({ file, error: message });
        results.push({ file, capturedAt: capturedAt?.toISOString() ?? null, status: 'failed', error: message });
        io.stderr(`${capturedAt ? `${shortTime(capturedAt.toISOString())}  ` : ''}${file}  failed: ${message}\n`);
      };
      const total = files.length;
      for (const file of missing) fail(file, null, new NotFoundError(`no such file: ${file}`));
      let imported = 0;
      let quarantined = 0;
      let stoppedBy: string | null = options.failFast && failures.length > 0 ? '--fail-fast' : null;
      const started = Date.now();
      if (!stoppedBy) {
        const database = await openStore(settings, 'import');
        try {
          await untilShutdown(io, async (signal) => {
            for (const [index, item] of plan.entries()) {
              // Between files: the file being stored is always stored whole.
              if (signal.aborted) {
                stoppedBy = String(signal.reason);
                break;
              }
              progress(io, index, plan.length, item.path);
              try {
                const result = await importFile(database.db, board, item, options.attach, identity, settings.boards.get(board)?.settle);
                imported++;
                if (result.status === 'quarantined') quarantined++;
                results.push({
                  file: item.path,
                  capturedAt: item.capturedAt.toISOString(),
                  status: result.status,
                  entries: result.rowCount,
                  events: result.events.length,
                  ...(result.reasons.length > 0 ? { reasons: result.reasons } : {}),
                });
                if (!options.json) io.stdout(`${shortTime(item.capturedAt.toISOString())}  ${item.path}  ${describeCapture(result)}\n`);
              } catch (error) {
                progress(io, plan.length, plan.length, '');
                fail(item.path, item.capturedAt, error);
                if (options.failFast) {
                  stoppedBy = '--fail-fast';
                  break;
                }
              }
            }
          });
        } finally {
          progress(io, plan.length, plan.length, '');
          await database.close();
        }
      }
      if (options.json) io.stdout(json(results));
      const held = quarantined > 0 ? ` (${quarantined} quarantined: see \`rankwatch quarantine --board ${board}\`)` : '';
      if (total > 1 || quarantined > 0 || failures.length > 0) {
        io.stderr(`imported ${imported} of ${total} files into ${board}${held} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      }
      const skipped = total - imported - failures.length;
      if (stoppedBy) io.stderr(`${stoppedBy === '--fail-fast' ? 'stopped at the first failure (--fail-fast)' : `${stoppedBy}: stopped`}: ${skipped} file${skipped === 1 ? '' : 's'} not imported\n`);
      if (failures.length > 0 && total > 1) {
        io.stderr(`${failures.length} file${failures.length === 1 ? '' : 's'} failed:\n`);
        for (const { file, error } of failures) io.stderr(`  ${error.includes(file) ? error : `${file}: ${error}`}\n`);
      }
      if (failures.length > 0 || stoppedBy) setExit(EXIT.failure);
    });

  cli
    .command('events')
    .description('list stored change events, newest first')
    .option('--board <board>', 'only this board')
    .option('--model <model>', 'only this model key')
    .option('--organization <org>', 'only models of this organization (id or name, e.g. openai), by model identity')
    .option('--kind <kind>', 'only these kinds (comma-separated, repeatable)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--significant', 'rank, score and leader moves only when significant given the published intervals; other kinds pass (as --significant-only for a subscription)')
    .option('--since <time>', 'only events captured at or after this ISO 8601 time')
    .option('--status <status>', 'published (default), pending, reverted, superseded or all (comma-separated)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--limit <n>', 'at most this many (1-10000)', '100')
    .option('--all', 'every matching event, however many (fetched a page at a time; --limit is ignored)')
    .option('--json', 'print one JSON array')
    .action(async (options: { board?: string; model?: string; organization?: string; kind?: string[]; significant?: boolean; since?: string; status?: string[]; limit: string; all?: boolean; json?: boolean }) => {
      if (options.board) requireBoard(options.board);
      const query: EventQuery = {
        board: options.board,
        model: options.model,
        organization: options.organization,
        kind: readParameter(KindsSchema, '--kind', options.kind ?? []),
        significant: options.significant ?? false,
        status: readParameter(StatusesSchema, '--status', options.status ?? []),
        since: readParameter(TimeSchema, '--since', options.since),
        until: undefined,
        limit: readParameter(queryLimitSchema(100, 10_000), '--limit', options.limit),
      };
      const want = options.all ? Infinity : query.limit;
      const settings = config();
      const found = await readThrough(
        settings,
        async (database) => {
          // The API's filter, so an unknown model or organization is refused here as there.
          const filter = await eventFilter(database.db, identityFor(settings), query);
          return collectPages(want, PAGE, async (cursor, size) =>
            pageOf(await listEvents(database.db, { ...filter, after: cursor ? decodeCursor('cursor', cursor, 'time') : undefined, limit: size + 1 }), size, byCaptureTime),
          );
        },
        (url) =>
          collectPages(want, PAGE, async (cursor, size) => {
            const { events, next } = await answer(serviceClient(url).v1.events.$get({ query: { ...eventQuery({ ...query, limit: size }), ...(cursor ? { cursor } : {}) } }));
            return { items: events, next };
          }),
      );
      io.stdout(options.json ? json(found) : formatEvents(found));
    });

  cli
    .command('history')
    .description("show every period of a model's rank and score, per board")
    .argument('<model>', 'model key as the board stores it, e.g. "GPT-4o-2024-05-13"')
    .option('--board <board>', 'only this board')
    .option('--json', 'print one JSON array')
    .action(async (model: string, options: { board?: string; json?: boolean }) => {
      if (options.board) requireBoard(options.board);
      const history = await readThrough(
        config(),
        async (database) => {
          if (options.board && !(await boardExists(database.db, options.board))) throw new NotFoundError(`unknown board: ${options.board}`);
          return canonicalHistory(database.db, identityFor(config()), model, options.board);
        },
        async (url) =>
          (await answer(serviceClient(url).v1.models[':model{.+?}'].history.$get({ param: { model: encodeURIComponent(model) }, query: { board: options.board } }))).history,
      );
      if (history.length === 0) throw new NotFoundError(`unknown model: ${model}${options.board ? ` on ${options.board}` : ''} (model keys are case-sensitive; see \`rankwatch events\`)`);
      io.stdout(options.json ? json(history) : formatHistory(history));
    });

  cli
    .command('models')
    .description("a model's canonical id, organization, country and current standing on every board; --unmapped lists what identity does not know")
    .argument('[id]', 'canonical model id or a key as a board stores it')
    .option('--unmapped', 'organizations and model keys on the current boards with no organization or country (add them with RANKWATCH_ORGANIZATIONS_FILE)')
    .option('--board <board>', 'only this board (with --unmapped)')
    .option('--json', 'print one JSON document')
    .action(async (id: string | undefined, options: { unmapped?: boolean; board?: string; json?: boolean }) => {
      if (options.board) requireBoard(options.board);
      const settings = config();
      if (options.unmapped || id === undefined) {
        if (!options.unmapped) throw new InvalidInputError('id', 'give a model id, or --unmapped');
        const found = await readThrough(
          settings,
          (database) => unmappedModels(database.db, identityFor(settings), options.board),
          async (url) => (await answer(serviceClient(url).v1.identity.unmapped.$get({ query: { board: options.board } }))).unmapped,
        );
        io.stdout(options.json ? json(found) : formatUnmapped(found));
        return;
      }
      const found = await readThrough(
        settings,
        async (database) => {
          const model = await modelAcrossBoards(database.db, identityFor(settings), id);
          if (!model) throw new NotFoundError(`unknown model: ${id} (on no board now; model keys are case-sensitive, canonical ids are lower-case)`);
          return model;
        },
        (url) => answer(serviceClient(url).v1.models[':model{.+}'].$get({ param: { model: encodeURIComponent(id) }, query: {} })),
      );
      io.stdout(options.json ? json(found) : formatModel(found));
    });

  cli
    .command('aggregates')
    .description('the best model of each organization (the lab ranking) or country on a board, and the US–China gap')
    .argument('<board>', 'board id')
    .option('--by <group>', 'organization or country', 'organization')
    .option('--at <time>', 'as the board stood at this ISO 8601 time (default: now)')
    .option('--history', 'the US–China gap at every snapshot instead, newest first')
    .option('--limit <n>', 'with --history: at most this many snapshots (1-1000)', '100')
    .option('--json', 'print one JSON document')
    .action(async (board: string, options: { by: string; at?: string; history?: boolean; limit: string; json?: boolean }) => {
      requireBoard(board);
      if (options.by !== 'organization' && options.by !== 'country') throw new InvalidInputError('--by', `expected organization or country, got ${JSON.stringify(options.by)}`);
      const at = readParameter(TimeSchema, '--at', options.at);
      if (options.history) {
        const limit = readParameter(queryLimitSchema(100), '--limit', options.limit);
        const by = options.by as 'organization' | 'country';
        const history = await readThrough(
          config(),
          (database) => aggregatesHistory(database.db, identityFor(config()), board, by, { limit }),
          async (url) =>
            (await answer(serviceClient(url).v1.boards[':board'].aggregates.history.$get({ param: { board: encodeURIComponent(board) }, query: { by, limit: String(limit) } }))).history,
        );
        io.stdout(options.json ? json(history) : formatGapHistory(history));
        return;
      }
      const found = await readThrough(
        config(),
        async (database) => {
          const found = await boardAggregates(database.db, identityFor(config()), board, options.by as 'organization' | 'country', at);
          if (!found) throw new NotFoundError(`unknown board: ${board}`);
          return found;
        },
        (url) => answer(serviceClient(url).v1.boards[':board'].aggregates.$get({ param: { board: encodeURIComponent(board) }, query: { by: options.by, at: at?.toISOString() } })),
      );
      io.stdout(options.json ? json(found) : formatAggregates(found));
    });

  cli
    .command('changes')
    .description('list change sets (all events of one snapshot, summed up), newest first; with an id, that change set and its events')
    .argument('[id]', 'a change set id')
    .option('--board <board>', 'only this board')
    .option('--since <time>', 'only change sets captured at or after this ISO 8601 time')
    .option('--limit <n>', 'at most this many (1-1000)', '100')
    .option('--all', 'every matching change set (fetched a page at a time; --limit is ignored)')
    .option('--json', 'print one JSON document (a list: one array)')
    .action(async (id: string | undefined, options: { board?: string; since?: string; limit: string; all?: boolean; json?: boolean }) => {
      if (options.board) requireBoard(options.board);
      if (id !== undefined) {
        const number = readParameter(idSchema('a change set id'), 'id', id);
        const found = await readThrough(
          config(),
          (database) => getChangeSet(database.db, number),
          (url) => answer(serviceClient(url).v1.changes[':id'].$get({ param: { id: String(number) } })),
        );
        if (!found) throw new NotFoundError(`unknown change set: ${id}`);
        io.stdout(options.json ? json(found) : `${shortTime(found.capturedAt)}  ${found.summary}\n\n${formatEvents(found.events)}`);
        return;
      }
      const filter = {
        board: options.board,
        since: readParameter(TimeSchema, '--since', options.since),
        limit: readParameter(queryLimitSchema(100), '--limit', options.limit),
      };
      const want = options.all ? Infinity : filter.limit;
      const found = await readThrough(
        config(),
        (database) =>
          collectPages(want, PAGE, async (cursor, size) =>
            pageOf(await listChangeSets(database.db, { ...filter, after: cursor ? decodeCursor('cursor', cursor, 'time') : undefined, limit: size + 1 }), size, byCaptureTime),
          ),
        (url) =>
          collectPages(want, PAGE, async (cursor, size) => {
            const query = { limit: String(size), board: filter.board, since: filter.since?.toISOString(), ...(cursor ? { cursor } : {}) };
            const { changes, next } = await answer(serviceClient(url).v1.changes.$get({ query }));
            return { items: changes, next };
          }),
      );
      io.stdout(options.json ? json(found) : formatChangeSets(found));
    });

  cli
    .command('quarantine')
    .description('list captures held back by the sanity checks, with the reasons (with an id: that capture and its entries)')
    .argument('[id]', 'a quarantined capture id')
    .option('--board <board>', 'only this board')
    .option('--limit <n>', 'at most this many (1-1000)', '100')
    .option('--all', 'every matching capture (fetched a page at a time; --limit is ignored)')
    .option('--json', 'print one JSON document (a list: one array)')
    .action(async (id: string | undefined, options: { board?: string; limit: string; all?: boolean; json?: boolean }) => {
      if (options.board) requireBoard(options.board);
      if (id !== undefined) {
        const number = readParameter(idSchema('a quarantine id'), 'id', id);
        const held = await readThrough(
          config(),
          (database) => getQuarantine(database.db, number),
          (url) => answer(serviceClient(url).v1.quarantine[':id'].$get({ param: { id: String(number) } })),
        );
        if (!held) throw new NotFoundError(`unknown quarantined capture: ${id}`);
        io.stdout(options.json ? json(held) : formatQuarantineDetail(held));
        return;
      }
      const filter = { board: options.board, limit: readParameter(queryLimitSchema(100), '--limit', options.limit) };
      const want = options.all ? Infinity : filter.limit;
      const found = await readThrough(
        config(),
        (database) =>
          collectPages(want, PAGE, async (cursor, size) =>
            pageOf(await listQuarantines(database.db, { ...filter, after: cursor ? decodeCursor('cursor', cursor, 'time') : undefined, limit: size + 1 }), size, byCaptureTime),
          ),
        (url) =>
          collectPages(want, PAGE, async (cursor, size) => {
            const { quarantine, next } = await answer(serviceClient(url).v1.quarantine.$get({ query: { limit: String(size), board: filter.board, ...(cursor ? { cursor } : {}) } }));
            return { items: quarantine, next };
          }),
      );
      io.stdout(options.json ? json(found) : formatQuarantine(found));
    });

  addSubscriptionCommands(cli, { config, stdout: io.stdout, json, readThrough });

  return cli;
}

/** Rows per page when a list is read a page at a time (the API's largest page). */
const PAGE = 1000;

/** Collects repeated `--attach name=file` options into an object. */
function collectAttachment(value: string, previous: Record<string, string>): Record<string, string> {
  const match = /^([A-Za-z][\w-]*)=(.+)$/.exec(value);
  if (!match?.[1] || !match[2]) throw new InvalidInputError('--attach', `expected name=file, e.g. categories=categories_2026_01_08.json, got ${JSON.stringify(value)}`);
  return { ...previous, [match[1]]: match[2] };
}

function progress(io: CliIo, done: number, total: number, current: string): void {
  if (total < 2) return;
  if (io.stderrIsTty) {
    io.stderr(done >= total ? '\r\x1b[K' : `\r\x1b[K[${done + 1}/${total}] ${current}`);
  } else if (done > 0 && done < total && done % 10 === 0) {
    io.stderr(`import: ${done}/${total} files\n`);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Runs the CLI with `argv` (without the node and script paths) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let code: number = EXIT.ok;
  const cli = program(io, (value) => {
    code = value;
  });
  try {
    await cli.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    io.stderr(`rankwatch: ${error instanceof ConfigError || error instanceof AppError ? error.message : describeError(error)}\n`);
    if (!(error instanceof AppError) && !(error instanceof ConfigError) && error instanceof Error && error.stack && io.env.RANKWATCH_DEBUG) {
      io.stderr(`${error.stack}\n`);
    }
    return error instanceof AppError && error.code === 'invalid_parameter' ? EXIT.usage : EXIT.failure;
  }
}

