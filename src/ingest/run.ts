import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { and, desc, eq, inArray, or, isNotNull } from 'drizzle-orm';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { scrapes } from '../db/schema.ts';
import { AppError, describeError, FetchError, InvalidInputError, NotFoundError, ParseError } from '../errors.ts';
import { findBoard } from '../../scrapers/index.ts';
import type { FetchDeps } from './fetch.ts';
import { fetchShared, type TickFetches } from './shared-fetch.ts';
import { RobotsCache, robotsAllow } from './robots.ts';
import { announcerWith, boardKeyWith, identityFor } from '../context.ts';
import { attributionFor, loadIdentity, type Identity } from '../identity/identity.ts';
import { sha256 } from './hash.ts';
import { applyCapture, recordScrape } from './store.ts';
import type { CaptureInput, CaptureResult, ScrapeOutcome } from './capture.ts';
import { importBatch, type BatchOutcome } from './import-batch.ts';
import { readCaptureTime } from './capture-time.ts';
import type { SettleWindow } from '../diff/settle.ts';

/** What a run needs from the outside world. */
export interface IngestDeps {
  db: Db;
  config: Config;
  fetch: FetchDeps;
  now: () => Date;
  /** robots.txt rules already read (default: one cache for the process). */
  robots?: RobotsCache;
  /** Where board definitions come from (default: the registry of scrapers/index.ts). */
  findBoard?: typeof findBoard;
  /** Model identity (default: the shipped tables plus the configured files). */
  identity?: Identity;
  /** The scheduled tick's fetches, shared with the other boards of the tick that read the same document. */
  shared?: TickFetches;
}

export type { ScrapeOutcome } from './capture.ts';

async function lastValidators(db: Db, board: string): Promise<{ etag: string | null; lastModified: string | null }> {
  const [row] = await db
    .select({ etag: scrapes.etag, lastModified: scrapes.lastModified })
    .from(scrapes)
    .where(
      and(
        eq(scrapes.boardId, board),
        eq(scrapes.origin, 'live'),
        inArray(scrapes.status, ['first', 'changed', 'unchanged', 'not_modified']),
        or(isNotNull(scrapes.etag), isNotNull(scrapes.lastModified)),
      ),
    )
    .orderBy(desc(scrapes.ranAt), desc(scrapes.id))
    .limit(1);
  return { etag: row?.etag ?? null, lastModified: row?.lastModified ?? null };
}

/** One robots.txt cache for the process: a site's rules are read at most once a day. */
const sharedRobots = new RobotsCache();

/**
 * Fetches a board from its live URL (and its attachments), parses it and stores it. Never throws
 * for a failed fetch or a malformed page: those are logged in the scrape log and returned as `failed`.
 * `signal` abandons the fetches (the request in flight, the wait before a retry); a capture whose
 * fetches are done is still parsed and stored.
 */
export async function scrapeBoard(deps: IngestDeps, boardId: string, signal?: AbortSignal): Promise<ScrapeOutcome> {
  const found = (deps.findBoard ?? findBoard)(boardId);
  if (!found) throw new NotFoundError(`unknown board: ${boardId}`);
  const settings = deps.config.boards.get(boardId);
  const url = settings?.url ?? null;
  if (!url || !settings) return { board: boardId, status: 'not_configured', message: `${boardId} has no live URL` };
  if (settings.notConfigured) return { board: boardId, status: 'not_configured', message: settings.notConfigured };
  const ranAt = deps.now();
  const started = Date.now();
  const validators = await lastValidators(deps.db, boardId);
  const common = { userAgent: deps.config.userAgent, headers: settings.headers, ...deps.config.fetch, signal };
  let fetched = false;
  let httpStatus: number | null = null;
  let contentHash: string | null = null;
  try {
    const identity = deps.identity ?? identityFor(deps.config);
    if (found.board.live?.page) {
      for (const target of [url, ...Object.values(settings.attachments)]) {
        const verdict = await robotsAllow(deps.fetch, deps.robots ?? sharedRobots, target, common);
        if (!verdict.allowed) throw new FetchError('robots', target, verdict.reason);
      }
    }
    const response = await fetchShared(
      deps.fetch,
      { ...common, url, accept: found.board.live?.accept, etag: validators.etag, lastModified: validators.lastModified },
      deps.shared,
    );
    httpStatus = response.httpStatus;
    if (response.status === 'not_modified') {
      await recordScrape(deps.db, {
        board: boardId,
        status: 'not_modified',
        origin: 'live',
        capturedAt: ranAt,
        ranAt,
        source: url,
        httpStatus: 304,
        etag: response.etag ?? validators.etag,
        lastModified: response.lastModified ?? validators.lastModified,
        settling: {
          direction: found.board.direction,
          attribute: attributionFor(identity, found.scraper.id),
          window: settings.settle,
        },
        onAnnounced: announcerWith(identity),
        durationMs: Date.now() - started,
      });
      return { board: boardId, status: 'not_modified', httpStatus: 304 };
    }
    // Attachments are fetched whole each time the main document changed (their own 304s are not tracked).
    const attachments: Record<string, string> = {};
    for (const [name, attachmentUrl] of Object.entries(settings.attachments)) {
      const attachment = await fetchShared(deps.fetch, { ...common, url: attachmentUrl }, deps.shared);
      if (attachment.status !== 'ok') throw new FetchError('http', attachmentUrl, `GET ${attachmentUrl}: HTTP 304 to an unconditional request`);
      attachments[name] = attachment.body;
    }
    fetched = true;
    contentHash = contentHashOf(response.body, attachments);
    const parsed = found.scraper.parse(response.body, {
      board: boardId,
      fileName: basename(new URL(response.finalUrl).pathname),
      contentType: response.contentType,
      attachments,
    });
    const result = await applyCapture(deps.db, {
      board: boardId,
      capturedAt: ranAt,
      ranAt,
      entries: parsed.entries,
      origin: 'live',
      source: response.finalUrl,
      contentHash,
      format: parsed.format,
      parserVersion: found.scraper.parserVersion,
      publishedAt: parsed.publishedAt ? new Date(parsed.publishedAt) : null,
      httpStatus: response.httpStatus,
      etag: response.etag,
      lastModified: response.lastModified,
      durationMs: Date.now() - started,
      health: { direction: found.board.direction, thresholds: found.board.health },
      columns: parsed.columns ?? null,
      attribute: attributionFor(identity, found.scraper.id),
      settle: settings.settle,
      onAnnounced: announcerWith(identity),
      boardKey: boardKeyWith(identity, found.scraper),
    });
    return { board: boardId, httpStatus: response.httpStatus, ...result };
  } catch (error) {
    if (error instanceof FetchError) httpStatus = error.status;
    const message = describeError(error);
    if (signal?.aborted && !fetched) {
      // Not a failure of the source: recording one would raise scrape_failed (and scrape_recovered
      // after the restart) for our own shutdown. The next scrape asks again.
      return { board: boardId, status: 'abandoned', error: message, reason: typeof signal.reason === 'string' ? signal.reason : 'cancelled', httpStatus };
    }
    await recordScrape(deps.db, {
      board: boardId,
      status: 'failed',
      origin: 'live',
      capturedAt: ranAt,
      ranAt,
      source: url,
      httpStatus,
      contentHash,
      error: error instanceof ParseError || error instanceof FetchError ? message : `unexpected: ${message}`,
      durationMs: Date.now() - started,
      onAnnounced: announcerWith(null),
    });
    return { board: boardId, status: 'failed', error: message, httpStatus };
  }
}

/** sha256 of a capture: the body alone, or the body and its attachments in name order. */
function contentHashOf(body: string, attachments: Readonly<Record<string, string>>): string {
  const names = Object.keys(attachments).sort();
  if (names.length === 0) return sha256(body);
  return sha256(JSON.stringify([body, ...names.map((name) => [name, attachments[name]])]));
}

/** One file on its way into `import`. */
export interface ImportItem {
  path: string;
  capturedAt: Date;
}

/** Orders files by capture time, taken from `at` or from each file name; throws naming a file without one. */
export function planImport(paths: readonly string[], at?: Date): ImportItem[] {
  if (at && paths.length > 1) throw new InvalidInputError('--at', 'applies to one file; name files by date to import several');
  const items = paths.map((path) => {
    const reading = at ? null : readCaptureTime(path);
    if (reading && !reading.ok) throw new InvalidInputError('FILE', `${path}: ${reading.text} in its name is not a date: ${reading.reason}; rename it or pass --at`);
    const capturedAt = at ?? reading?.date;
    if (!capturedAt) {
      throw new InvalidInputError(
        'FILE',
        `cannot tell when ${path} was captured: put a date in its name (2024-06-19, 20240619, 2025-12-23T03-23-53Z) or pass --at`,
      );
    }
    return { path, capturedAt };
  });
  return items.sort((a, b) => a.capturedAt.getTime() - b.capturedAt.getTime() || a.path.localeCompare(b.path));
}

/** Parses one file for a board (with its attachments, name → path) and stores it as a capture taken at `capturedAt`. */
export async function importFile(
  db: Db,
  boardId: string,
  item: ImportItem,
  attachmentPaths: Readonly<Record<string, string>> = {},
  identity: Identity = loadIdentity(),
  settle?: SettleWindow,
): Promise<CaptureResult> {
  const attachments = await readAttachments(attachmentPaths);
  return applyCapture(db, await importInput(boardId, item, attachments, identity, settle));
}

/** A file of an import, read and parsed: the capture to store. */
async function importInput(boardId: string, item: ImportItem, attachments: Readonly<Record<string, string>>, identity: Identity, settle?: SettleWindow): Promise<CaptureInput> {
  const found = findBoard(boardId);
  if (!found) throw new NotFoundError(`unknown board: ${boardId}`);
  const body = await readTextFile(item.path);
  const parsed = found.scraper.parse(body, { board: boardId, fileName: basename(item.path), attachments });
  return {
    board: boardId,
    capturedAt: item.capturedAt,
    entries: parsed.entries,
    origin: 'import',
    source: item.path,
    contentHash: contentHashOf(body, attachments),
    format: parsed.format,
    parserVersion: found.scraper.parserVersion,
    publishedAt: parsed.publishedAt ? new Date(parsed.publishedAt) : null,
    health: { direction: found.board.direction, thresholds: found.board.health },
    columns: parsed.columns ?? null,
    attribute: attributionFor(identity, found.scraper.id),
    settle: settle ?? found.board.settle,
    onAnnounced: announcerWith(identity),
    boardKey: boardKeyWith(identity, found.scraper),
  };
}

/** What became of one file of an import: what storing it did, or why nothing of it was stored. */
export type ImportOutcome = { item: ImportItem; result: CaptureResult; error?: undefined } | { item: ImportItem; result?: undefined; error: unknown };

/** How an import's files were stored: in batches, or alone; and why batches failed (each then stored file by file). */
export interface ImportStats {
  /** Batches opened (each a transaction that read the board's state). */
  batches: number;
  inBatches: number;
  alone: number;
  batchFailures: string[];
}

/** Files read and derived in memory before a batch is written (see importFiles). */
export const IMPORT_BATCH_FILES = 25;

/**
 * Imports files of one board in time order. A run of files newer than the board's stored history
 * is derived in memory and written a batch at a time, in one transaction each (import-batch.ts: the
 * same rows as storing them one by one, in a few statements); any other file is stored alone
 * (`applyCapture`). Each file is reported once its batch is written. `signal` stops between
 * files: a file, and a batch, is stored whole; files read but not yet written are left out.
 */
export async function importFiles(
  db: Db,
  boardId: string,
  items: readonly ImportItem[],
  options: { attachments?: Readonly<Record<string, string>>; identity?: Identity; settle?: SettleWindow | undefined; signal?: AbortSignal; batchFiles?: number },
  report: (outcome: ImportOutcome) => void,
): Promise<ImportStats> {
  const attachments = await readAttachments(options.attachments ?? {});
  const identity = options.identity ?? loadIdentity();
  const stopped = () => options.signal?.aborted ?? false;
  let queue: { item: ImportItem; input: CaptureInput }[] = [];
  const done: ImportStats = { batches: 0, inBatches: 0, alone: 0, batchFailures: [] };
  const alone = async ({ item, input }: { item: ImportItem; input: CaptureInput }) => {
    done.alone += 1;
    try {
      report({ item, result: await applyCapture(db, input) });
    } catch (error) {
      report({ item, error });
    }
  };
  // The board's newest known time, once a batch has looked: files not newer (a backfill) are stored
  // alone without opening a batch for each. Unknown again after a file stored alone for another reason.
  let newest: Date | null | undefined;
  const flush = async () => {
    while (queue.length > 0 && !stopped()) {
      if (newest !== undefined && newest !== null && queue[0]!.input.capturedAt <= newest) {
        await alone(queue.shift()!);
        continue;
      }
      let outcome: BatchOutcome;
      done.batches += 1;
      try {
        outcome = await importBatch(db, queue.map((queued) => queued.input), stopped);
      } catch (error) {
        // Nothing of the batch was written: the first file is stored alone (its own error, if it
        // has one, is reported with it), then the rest as a batch again.
        outcome = { results: [], stored: 0, stoppedBy: describeError(error), newest: null };
        done.batchFailures.push(describeError(error));
      }
      done.inBatches += outcome.stored;
      outcome.results.forEach((result, i) => report({ item: queue[i]!.item, result }));
      queue = queue.slice(outcome.stored);
      newest = outcome.newest;
      if (queue.length === 0 || stopped()) break;
      const next = queue.shift()!;
      if (!newest || next.input.capturedAt > newest) newest = undefined;
      await alone(next);
    }
    queue = [];
  };
  for (const item of items) {
    if (stopped()) break;
    let input: CaptureInput;
    try {
      input = await importInput(boardId, item, attachments, identity, options.settle);
    } catch (error) {
      await flush();
      report({ item, error });
      continue;
    }
    queue.push({ item, input });
    if (queue.length >= (options.batchFiles ?? IMPORT_BATCH_FILES)) await flush();
  }
  await flush();
  return done;
}

/** Reads attachment files named on the command line (`--attach categories=FILE`). */
export async function readAttachments(paths: Readonly<Record<string, string>>): Promise<Record<string, string>> {
  const read: Record<string, string> = {};
  for (const [name, path] of Object.entries(paths)) read[name] = await readTextFile(path);
  return read;
}

/**
 * A file named on the command line, as text. Says what went wrong in plain words (`no such file:
 * PATH`, `cannot read PATH: permission denied`) instead of ENOENT and a stack trace.
 */
export async function readTextFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new NotFoundError(`no such file: ${path}`);
    const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : describeError(error);
    throw new AppError('unreadable_file', `cannot read ${path}: ${why}`, { cause: error });
  }
}
