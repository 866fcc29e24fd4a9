import { and, asc, eq, exists, gt, inArray, isNull, lte, notExists, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { findBoard } from '../../scrapers/index.ts';
import type { Direction } from '../entry.ts';
import { InvalidInputError, NotFoundError } from '../errors.ts';

/** Models asked for by name that the board never listed: a 404, naming the parameter. */
export class UnknownModelsError extends NotFoundError {
  readonly parameter = 'models';
}
import type { Identity } from '../identity/identity.ts';
import type { Db } from './client.ts';
import { boardSnapshots, KeptReads, standingsAt, type Standing } from './queries.ts';
import { boards, standings } from './schema.ts';

/**
 * The queries people ask of one leaderboard's history: rank/score series of many models at once,
 * the largest movers between two times, and the models that entered in a window. Each is one or
 * two SQL queries over the interval-encoded standings (src/db/schema.ts), served by the
 * `(board_id, model, valid_from)` and `(board_id, valid_from, valid_to)` indexes.
 */

/** Most models one series request may name. */
export const MAX_SERIES_MODELS = 100;
/** Longest window in days (`days` of movers). */
export const MAX_WINDOW_DAYS = 3660;

const DAY_MS = 86_400_000;
const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

/** A time window: `since` and `until` as given, or `days` back from `until` (default now). */
export interface WindowInput {
  since?: Date | undefined;
  until?: Date | undefined;
  days?: number | undefined;
}

/** Reads a window strictly: `days` or `since` (not both), `since` before `until`; errors name the parameter. */
export function resolveWindow(input: WindowInput, now: Date, defaultDays: number): { since: Date; until: Date } {
  if (input.days !== undefined && input.since !== undefined) throw new InvalidInputError('days', 'give days or since, not both');
  if (input.days !== undefined && (!Number.isInteger(input.days) || input.days < 1 || input.days > MAX_WINDOW_DAYS)) {
    throw new InvalidInputError('days', `expected a whole number of days from 1 to ${MAX_WINDOW_DAYS}, got ${input.days}`);
  }
  const until = input.until ?? now;
  const since = input.since ?? new Date(until.getTime() - (input.days ?? defaultDays) * DAY_MS);
  if (since.getTime() >= until.getTime()) {
    throw new InvalidInputError('since', `must be before until (${until.toISOString()}), got ${since.toISOString()}`);
  }
  return { since, until };
}

/** The board's direction from the registry (stored boards outside it: higher is better). */
function directionOf(board: string): Direction {
  return findBoard(board)?.board.direction ?? 'higher';
}

/** The `models` query parameter: comma lists, repeatable (`?models=a,b&models=c`), blanks and repeats dropped. */
export function modelList(values: readonly string[]): string[] {
  return [...new Set(values.flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean))];
}

/** A model on one board as a series request resolved it. */
export interface ResolvedModel {
  /** The board's key of the model. */
  model: string;
  /** Its canonical id (model identity). */
  id: string;
  /** The spellings of the request that named it, in request order. */
  requested: string[];
}

/** What a list of model spellings names on a board: keys in request order, and the spellings naming nothing. */
export interface ModelResolution {
  models: ResolvedModel[];
  unknown: string[];
}

/**
 * Resolves model spellings on one board the way `/v1/models/:id/history` does (src/identity/store.ts
 * `keysOf`): a board key, a key a capture's format published, a canonical id, or any spelling model
 * identity reads as one. Stored keys are looked up first (an index lookup); only spellings naming
 * none of them read the board's distinct keys and resolve each through model identity.
 */
export async function resolveBoardModels(db: Db, identity: Identity, board: string, spellings: readonly string[]): Promise<ModelResolution> {
  const source = findBoard(board)?.scraper.id ?? board;
  const wanted = [...new Set(spellings.map((spelling) => spelling.trim()).filter(Boolean))];
  const found = new Map<string, Set<string>>();
  const add = (spelling: string, key: string) => found.set(spelling, (found.get(spelling) ?? new Set()).add(key));

  const direct = async (names: readonly string[]) =>
    names.length === 0
      ? []
      : db
          .selectDistinct({ model: standings.model, sourceKey: standings.sourceKey })
          .from(standings)
          .where(and(eq(standings.boardId, board), or(inArray(standings.model, [...names]), inArray(standings.sourceKey, [...names]))));
  for (const row of await direct(wanted)) {
    for (const spelling of wanted) if (spelling === row.model || spelling === row.sourceKey) add(spelling, row.model);
  }

  // A spelling of a canonical id (`GPT-4o-2024-05-13`): boards keyed by identity store the id itself.
  let missing = wanted.filter((spelling) => !found.has(spelling));
  const spelled = new Map(missing.map((spelling) => [spelling, identity.resolve('', { model: spelling, name: spelling, organization: null }).id]));
  for (const row of await direct([...new Set(spelled.values())])) {
    for (const [spelling, id] of spelled) if (id === row.model) add(spelling, row.model);
  }

  // Last resort: every key of the board through model identity (a board keyed by its source's own keys).
  missing = wanted.filter((spelling) => !found.has(spelling));
  const canonical = new Map<string, string>();
  if (missing.length > 0) {
    const known = await db
      .select({ model: standings.model, name: sql<string>`max(${standings.name})`, organization: sql<string | null>`max(${standings.organization})` })
      .from(standings)
      .where(eq(standings.boardId, board))
      .groupBy(standings.model);
    for (const row of known) canonical.set(row.model, identity.resolve(source, row).id);
    for (const spelling of missing) {
      const id = spelled.get(spelling);
      for (const [model, resolved] of canonical) if (resolved === spelling || resolved === id) add(spelling, model);
    }
  }

  const models = new Map<string, ResolvedModel>();
  for (const spelling of wanted) {
    for (const model of [...(found.get(spelling) ?? [])].sort()) {
      const entry = models.get(model) ?? { model, id: canonical.get(model) ?? identity.resolve(source, { model, name: model, organization: null }).id, requested: [] };
      entry.requested.push(spelling);
      models.set(model, entry);
    }
  }
  return { models: [...models.values()], unknown: wanted.filter((spelling) => !found.has(spelling)) };
}

/** One period of a series: the values a model held on the board from `from` until `to` (null: still). */
export interface SeriesPoint {
  from: string;
  to: string | null;
  rank: number | null;
  score: number | null;
  scoreLower: number | null;
  scoreUpper: number | null;
  votes: number | null;
  priceInput: number | null;
  priceOutput: number | null;
  /** The display name in that period (names change). */
  name: string;
}

/** One model's series on a board. */
export interface ModelSeries {
  model: string;
  id: string;
  requested: string[];
  /** Its latest display name and organization in the window (null: no period in it). */
  name: string | null;
  organization: string | null;
  /** The periods overlapping the window, oldest first; a gap between two periods is time off the board. */
  points: SeriesPoint[];
}

/** A board's series for several models. */
export interface BoardSeries {
  board: string;
  direction: Direction;
  since: string | null;
  until: string | null;
  series: ModelSeries[];
}

/** Filter of `boardSeries`: model spellings (see `resolveBoardModels`) and an optional window. */
export interface SeriesFilter {
  models: readonly string[];
  since?: Date | undefined;
  until?: Date | undefined;
}

/**
 * The rank/score series of several models on one board: for each, the periods overlapping
 * [since, until] (a period holding at `since`, or starting at `until`, is in), unclipped. One query
 * for the periods after the model lookup. Throws InvalidInputError naming `models` for an empty or
 * too long list and naming `since` for an empty window, UnknownModelsError (404) for a spelling
 * naming no model of the board. Kept until the board's next snapshot: the result is shared between
 * callers, who must not change it.
 */
export async function boardSeries(db: Db, identity: Identity, board: string, filter: SeriesFilter): Promise<BoardSeries> {
  // Kept until the board's next snapshot, like its standings (what a series and its model lookup read).
  const key = JSON.stringify([board, filter.models, filter.since, filter.until]);
  return seriesKept(identity).get(db, key, await boardSnapshots(db, board), () => readBoardSeries(db, identity, board, filter));
}

const seriesByIdentity = new WeakMap<Identity, KeptReads<BoardSeries>>();
function seriesKept(identity: Identity): KeptReads<BoardSeries> {
  const kept = seriesByIdentity.get(identity) ?? new KeptReads<BoardSeries>(64);
  seriesByIdentity.set(identity, kept);
  return kept;
}

async function readBoardSeries(db: Db, identity: Identity, board: string, filter: SeriesFilter): Promise<BoardSeries> {
  const spellings = [...new Set(filter.models.map((model) => model.trim()).filter(Boolean))];
  if (spellings.length === 0) throw new InvalidInputError('models', 'name at least one model (a comma list or repeated)');
  if (spellings.length > MAX_SERIES_MODELS) throw new InvalidInputError('models', `at most ${MAX_SERIES_MODELS} models, got ${spellings.length}`);
  if (filter.since && filter.until && filter.since.getTime() > filter.until.getTime()) {
    throw new InvalidInputError('since', `must not be after until (${filter.until.toISOString()}), got ${filter.since.toISOString()}`);
  }
  const resolution = await resolveBoardModels(db, identity, board, spellings);
  if (resolution.unknown.length > 0) {
    throw new UnknownModelsError(`unknown model ${resolution.unknown.map((spelling) => JSON.stringify(spelling)).join(', ')} on ${board}`);
  }
  const rows = await db
    .select()
    .from(standings)
    .where(
      and(
        eq(standings.boardId, board),
        inArray(standings.model, resolution.models.map((model) => model.model)),
        filter.until ? lte(standings.validFrom, filter.until) : undefined,
        filter.since ? or(isNull(standings.validTo), gt(standings.validTo, filter.since)) : undefined,
      ),
    )
    .orderBy(asc(standings.model), asc(standings.validFrom));
  const byModel = new Map<string, (typeof rows)[number][]>();
  for (const row of rows) byModel.set(row.model, [...(byModel.get(row.model) ?? []), row]);
  return {
    board,
    direction: directionOf(board),
    since: iso(filter.since ?? null),
    until: iso(filter.until ?? null),
    series: resolution.models.map((model) => {
      const periods = byModel.get(model.model) ?? [];
      const last = periods.at(-1);
      return {
        ...model,
        name: last?.name ?? null,
        organization: last?.organization ?? null,
        points: periods.map((row) => ({
          from: row.validFrom.toISOString(),
          to: iso(row.validTo),
          rank: row.rank,
          score: row.score,
          scoreLower: row.scoreLower,
          scoreUpper: row.scoreUpper,
          votes: row.votes,
          priceInput: row.priceInput,
          priceOutput: row.priceOutput,
          name: row.name,
        })),
      };
    }),
  };
}

/** A model's rank at both ends of a window. */
export interface Mover {
  /** Place in its list by size of the move (competition ranking: equal moves share a place). */
  place: number;
  model: string;
  name: string;
  organization: string | null;
  rankThen: number;
  rankNow: number;
  /** Places gained: `rankThen - rankNow` (positive: climbed). */
  delta: number;
  scoreThen: number | null;
  scoreNow: number | null;
  /** Score change in the board's direction (positive: better), null without both scores. */
  scoreGain: number | null;
}

/** A model on the board at one end of the window only. */
export interface MoverEnd {
  model: string;
  name: string;
  organization: string | null;
  rank: number | null;
  score: number | null;
}

/** The largest rank gains and losses of a board between `since` and `until`. */
export interface Movers {
  board: string;
  direction: Direction;
  since: string;
  until: string;
  /** Models ranked at both ends that climbed, largest gain first. */
  gains: Mover[];
  /** Models ranked at both ends that fell, largest loss first. */
  losses: Mover[];
  /** With `entries`: models on the board at `until` but not at `since` (best rank first). */
  entered?: MoverEnd[];
  /** With `entries`: models on the board at `since` but not at `until` (best rank then first). */
  exited?: MoverEnd[];
}

/** Options of `movers`. */
export interface MoversOptions {
  since: Date;
  until: Date;
  /** Models per list (default 10); models tied with the last one are kept, so a list may be longer. */
  limit?: number | undefined;
  /** Also list the models that entered and left between the two ends. */
  entries?: boolean | undefined;
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Cuts a sorted list at `limit`, keeping everything tied with the last kept model, and numbers places. */
function placed(list: Omit<Mover, 'place'>[], limit: number): Mover[] {
  const result: Mover[] = [];
  for (const [index, mover] of list.entries()) {
    const previous = result.at(-1);
    const tied = previous !== undefined && Math.abs(previous.delta) === Math.abs(mover.delta);
    if (index >= limit && !tied) break;
    result.push({ place: tied ? previous.place : index + 1, ...mover });
  }
  return result;
}

/**
 * Rank gains and losses between the board as it stood at `since` and at `until` (two lookups of
 * `standingsAt`), for the models ranked at both ends. Ordered by size of the move, then by score
 * gain in the board's direction, then by rank now, then key; equal moves share a place.
 */
export async function movers(db: Db, board: string, options: MoversOptions): Promise<Movers> {
  const limit = options.limit ?? 10;
  if (!Number.isInteger(limit) || limit < 1) throw new InvalidInputError('limit', `expected a whole number of at least 1, got ${limit}`);
  if (options.since.getTime() >= options.until.getTime()) {
    throw new InvalidInputError('since', `must be before until (${options.until.toISOString()}), got ${options.since.toISOString()}`);
  }
  const direction = directionOf(board);
  const [then, now] = await Promise.all([standingsAt(db, board, options.since), standingsAt(db, board, options.until)]);
  const before = new Map(then.map((row) => [row.model, row]));
  const after = new Map(now.map((row) => [row.model, row]));
  const moved: Omit<Mover, 'place'>[] = [];
  for (const row of now) {
    const old = before.get(row.model);
    if (!old || old.rank === null || row.rank === null || old.rank === row.rank) continue;
    const gain = old.score === null || row.score === null ? null : direction === 'higher' ? row.score - old.score : old.score - row.score;
    moved.push({
      model: row.model,
      name: row.name,
      organization: row.organization,
      rankThen: old.rank,
      rankNow: row.rank,
      delta: old.rank - row.rank,
      scoreThen: old.score,
      scoreNow: row.score,
      scoreGain: gain,
    });
  }
  const order = (a: Omit<Mover, 'place'>, b: Omit<Mover, 'place'>) =>
    Math.abs(b.delta) - Math.abs(a.delta) ||
    (b.scoreGain ?? -Infinity) - (a.scoreGain ?? -Infinity) ||
    a.rankNow - b.rankNow ||
    compareText(a.model, b.model);
  const lossOrder = (a: Omit<Mover, 'place'>, b: Omit<Mover, 'place'>) =>
    Math.abs(b.delta) - Math.abs(a.delta) ||
    (a.scoreGain ?? Infinity) - (b.scoreGain ?? Infinity) ||
    a.rankNow - b.rankNow ||
    compareText(a.model, b.model);
  const end = (row: Standing): MoverEnd => ({ model: row.model, name: row.name, organization: row.organization, rank: row.rank, score: row.score });
  return {
    board,
    direction,
    since: options.since.toISOString(),
    until: options.until.toISOString(),
    gains: placed(moved.filter((mover) => mover.delta > 0).sort(order), limit),
    losses: placed(moved.filter((mover) => mover.delta < 0).sort(lossOrder), limit),
    ...(options.entries
      ? {
          entered: now.filter((row) => !before.has(row.model)).map(end),
          exited: then.filter((row) => !after.has(row.model)).map(end),
        }
      : {}),
  };
}

/** A model that appeared on a board in a window, with the values it entered with. */
export interface NewEntry {
  model: string;
  name: string;
  organization: string | null;
  /** The capture time it appeared at. */
  enteredAt: string;
  rank: number | null;
  score: number | null;
  scoreLower: number | null;
  scoreUpper: number | null;
  votes: number | null;
  /** True when the model had been on the board before and came back (only with `reentries`). */
  reentry: boolean;
}

/** The models that appeared on a board in a window. */
export interface NewEntries {
  board: string;
  since: string;
  until: string;
  reentries: boolean;
  entries: NewEntry[];
}

/** Options of `newEntries`. */
export interface NewEntriesOptions {
  since: Date;
  until: Date;
  /** Count a model's return after time off the board too (default: first appearances only). */
  reentries?: boolean | undefined;
}

/**
 * Models that appeared on a board after `since`, up to and including `until`: by default only
 * their first appearance ever; with `reentries`, every return after time off the board too. The
 * models of the board's first snapshot were not entries (the board started with them). Newest
 * first, then best rank. One query: the window's period starts (the `(board_id, valid_from)`
 * index), each checked against the same model's earlier periods (the `(board_id, model,
 * valid_from)` index).
 */
export async function newEntries(db: Db, board: string, options: NewEntriesOptions): Promise<NewEntries> {
  if (options.since.getTime() >= options.until.getTime()) {
    throw new InvalidInputError('since', `must be before until (${options.until.toISOString()}), got ${options.since.toISOString()}`);
  }
  const earlier = alias(standings, 'earlier');
  const sameModel = and(eq(earlier.boardId, standings.boardId), eq(earlier.model, standings.model));
  const hadBefore = db.select({ one: sql`1` }).from(earlier).where(and(sameModel, sql`${earlier.validFrom} < ${standings.validFrom}`));
  // A period starting where an earlier one ended continues it; any other start is an appearance.
  const continues = db.select({ one: sql`1` }).from(earlier).where(and(sameModel, eq(earlier.validTo, standings.validFrom)));
  const rows = await db
    .select({ row: standings, reentry: sql<boolean>`${exists(hadBefore)}` })
    .from(standings)
    .innerJoin(boards, eq(boards.id, standings.boardId))
    .where(
      and(
        eq(standings.boardId, board),
        gt(standings.validFrom, options.since),
        lte(standings.validFrom, options.until),
        gt(standings.validFrom, boards.firstSeenAt),
        options.reentries ? notExists(continues) : notExists(hadBefore),
      ),
    )
    .orderBy(sql`${standings.validFrom} desc`, sql`${standings.rank} asc nulls last`, asc(standings.model));
  return {
    board,
    since: options.since.toISOString(),
    until: options.until.toISOString(),
    reentries: options.reentries ?? false,
    entries: rows.map(({ row, reentry }) => ({
      model: row.model,
      name: row.name,
      organization: row.organization,
      enteredAt: row.validFrom.toISOString(),
      rank: row.rank,
      score: row.score,
      scoreLower: row.scoreLower,
      scoreUpper: row.scoreUpper,
      votes: row.votes,
      reentry: Boolean(reentry),
    })),
  };
}
