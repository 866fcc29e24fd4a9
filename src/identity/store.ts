import { and, asc, count, desc, eq, gt, gte, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import { findBoard } from '../../scrapers/index.ts';
import type { Db } from '../db/client.ts';
import { snapshots, standings } from '../db/schema.ts';
import { KeptReads, standingsAt, toStanding, type OrganizationModels, type Standing } from '../db/queries.ts';
import { bestByGroup, countryGap, type Attribution, type Gap, type GroupBest } from '../diff/aggregates.ts';
import type { Entry } from '../entry.ts';
import { attributionFor, type Identity, type UnmappedItem } from './identity.ts';

/** A board's model key with the canonical identity model identity gives it. */
export interface KnownModel {
  board: string;
  model: string;
  name: string;
  /** Keys the board's captures published for it where they differ from `model`. */
  sourceKeys: string[];
  id: string;
  organization: string | null;
  country: string | null;
}

/** The scraper id of a board (identity rules are per source), or the board id when unknown. */
function sourceOf(board: string): string {
  return findBoard(board)?.scraper.id ?? board;
}

/** Every (board, model key) ever stored, resolved to its canonical id, organization and country. */
export async function knownModels(db: Db, identity: Identity): Promise<KnownModel[]> {
  return (await modelIndex(db, identity)).all;
}

/** The known models with the canonical ids of each stored and published key. */
interface ModelIndex {
  all: KnownModel[];
  /** Canonical ids by stored key and by published key. */
  idsByKey: Map<string, Set<string>>;
}

/**
 * Known models per database and identity, with the count of snapshots they were read at. Standings
 * are written only together with a snapshot (src/ingest/store.ts: a changed capture, or one
 * inserted before stored history), and snapshots are never deleted, so while the count stays the
 * same no (board, key) was added and no name changed: resolving every stored key through model
 * identity is done once per change of the data, not per request.
 */
const modelIndexes = new WeakMap<Db, WeakMap<Identity, { snapshots: number; index: ModelIndex }>>();

async function modelIndex(db: Db, identity: Identity): Promise<ModelIndex> {
  return (await countedModelIndex(db, identity)).index;
}

/** The index with the count of snapshots it was read at (what results derived from it are kept under). */
async function countedModelIndex(db: Db, identity: Identity): Promise<{ snapshots: number; index: ModelIndex }> {
  const [counted] = await db.select({ n: count() }).from(snapshots);
  const version = counted?.n ?? 0;
  const perDb = modelIndexes.get(db) ?? new WeakMap();
  modelIndexes.set(db, perDb);
  const cached = perDb.get(identity);
  if (cached && cached.snapshots === version) return cached;
  const index = indexModels(await readKnownModels(db, identity));
  // Read after the count: a capture committed in between is in the index and moves the count, so
  // the next request reads again; the index is never older than its count.
  const kept = { snapshots: version, index };
  perDb.set(identity, kept);
  return kept;
}

function indexModels(all: KnownModel[]): ModelIndex {
  const idsByKey = new Map<string, Set<string>>();
  const addKey = (key: string, id: string) => {
    const ids = idsByKey.get(key);
    if (ids) ids.add(id);
    else idsByKey.set(key, new Set([id]));
  };
  for (const known of all) {
    addKey(known.model, known.id);
    for (const key of known.sourceKeys) addKey(key, known.id);
  }
  return { all, idsByKey };
}

async function readKnownModels(db: Db, identity: Identity): Promise<KnownModel[]> {
  const rows = await db
    .select({
      board: standings.boardId,
      model: standings.model,
      name: sql<string>`max(${standings.name})`,
      organization: sql<string | null>`max(${standings.organization})`,
      sourceKeys: sql<string[] | null>`array_agg(distinct ${standings.sourceKey}) filter (where ${standings.sourceKey} is not null)`,
    })
    .from(standings)
    .groupBy(standings.boardId, standings.model)
    .orderBy(asc(standings.boardId), asc(standings.model));
  return rows.map(({ sourceKeys, ...row }) => ({ ...row, sourceKeys: sourceKeys ?? [], ...identity.resolve(sourceOf(row.board), row) }));
}

/**
 * Every stored (board, key) of one model, named by its canonical id, by any key it is stored
 * under or was published under, or by any spelling model identity reads as its canonical id
 * (`GPT-4o-2024-05-13` finds the catalog's `gpt-4o-2024-05-13` and OpenRouter's key too).
 */
export async function keysOf(db: Db, identity: Identity, id: string, board?: string): Promise<KnownModel[]> {
  return keysIn(await modelIndex(db, identity), identity, id, board);
}

/** keysOf over an index already read. */
function keysIn(index: ModelIndex, identity: Identity, id: string, board?: string): KnownModel[] {
  const spelled = identity.resolve('', { model: id, name: id, organization: null }).id;
  const ids = new Set([id, spelled, ...(index.idsByKey.get(id) ?? [])]);
  // In the order of knownModels (board, then key).
  return index.all.filter((known) => ids.has(known.id) && (!board || known.board === board));
}

/**
 * The stored models of an organization named by its id or any spelling model identity knows
 * (`openai`, `OpenAI`), on one board or all: every (board, key) whose identity is that
 * organization's. An organization only the stored data names (an `organization` text identity
 * does not know) makes no model its own, for a subscription's `organizations` filter either: it
 * has none. Null when neither knows it.
 */
export async function organizationModels(db: Db, identity: Identity, organization: string, board?: string): Promise<OrganizationModels | null> {
  const known = identity.organizationOf(organization);
  if (known) {
    const index = await modelIndex(db, identity);
    return { id: known.id, models: index.all.filter((model) => model.organization === known.id && (!board || model.board === board)) };
  }
  const [stored] = await db
    .select({ id: standings.id })
    .from(standings)
    .where(sql`lower(${standings.organization}) = lower(${organization.trim()})`)
    .limit(1);
  return stored ? { id: organization.trim().toLowerCase(), models: [] } : null;
}

/** A model across boards: its canonical id, maker, country and current standings. */
export interface ModelStanding {
  id: string;
  organization: string | null;
  country: string | null;
  boards: Standing[];
}

/** A model by canonical id or stored key with its current standing on every board, or null when on none now. */
export async function modelAcrossBoards(db: Db, identity: Identity, id: string): Promise<ModelStanding | null> {
  const keys = await keysOf(db, identity, id);
  const [known] = keys;
  const boards = await currentStandings(db, keys);
  if (!known || boards.length === 0) return null;
  return { id: known.id, organization: known.organization, country: known.country, boards };
}

/** The current standing of each (board, key) of one model (see keysOf). */
async function currentStandings(db: Db, keys: readonly { board: string; model: string }[]): Promise<Standing[]> {
  if (keys.length === 0) return [];
  const rows = await db
    .select()
    .from(standings)
    .where(and(isNull(standings.validTo), or(...keys.map((key) => and(eq(standings.boardId, key.board), eq(standings.model, key.model))))))
    .orderBy(asc(standings.boardId));
  return rows.map(toStanding);
}

/**
 * Every period of a canonical model (or a stored key) across boards, oldest first per board. The
 * rows are shared between callers (frozen) until the next snapshot: copy before changing them.
 */
export async function canonicalHistory(db: Db, identity: Identity, id: string, board?: string): Promise<readonly Standing[]> {
  // Kept like the index, by the count of snapshots (standings are written only with one).
  const { snapshots: version, index } = await countedModelIndex(db, identity);
  const kept = histories.get(identity) ?? new KeptReads<readonly Standing[]>(256);
  histories.set(identity, kept);
  return kept.get(db, `${id}\u0000${board ?? ''}`, version, async () =>
    Object.freeze((await readCanonicalHistory(db, keysIn(index, identity, id, board))).map((row) => Object.freeze(row))),
  );
}

/** Model histories read, per identity (and database: KeptReads), by model and board (see canonicalHistory). */
const histories = new WeakMap<Identity, KeptReads<readonly Standing[]>>();

async function readCanonicalHistory(db: Db, keys: readonly KnownModel[]): Promise<Standing[]> {
  if (keys.length === 0) return [];
  const rows = await db
    .select()
    .from(standings)
    .where(and(inArray(standings.boardId, [...new Set(keys.map((key) => key.board))]), or(...keys.map((key) => and(eq(standings.boardId, key.board), eq(standings.model, key.model))))))
    .orderBy(asc(standings.boardId), asc(standings.validFrom));
  return rows.map(toStanding);
}

/** Organizations and model keys of the current boards that resolve to no organization or country. */
export async function unmappedModels(db: Db, identity: Identity, board?: string): Promise<UnmappedItem[]> {
  const rows = await db
    .select({ board: standings.boardId, model: standings.model, name: standings.name, organization: standings.organization })
    .from(standings)
    .where(and(isNull(standings.validTo), board ? eq(standings.boardId, board) : undefined));
  return identity.unmapped(rows.map((row) => ({ ...row, source: sourceOf(row.board) })));
}

/** The best model per organization or country on a board at a time, and the US–China gap. */
export interface BoardAggregates {
  board: string;
  at: string;
  by: 'organization' | 'country';
  groups: GroupBest[];
  gap: (Gap & { countries: string[] }) | null;
}

/** Aggregates of a board as it stood at `at` (default now); null when the board is unknown. */
export async function boardAggregates(db: Db, identity: Identity, board: string, by: 'organization' | 'country', at?: Date): Promise<BoardAggregates | null> {
  const found = findBoard(board);
  if (!found) return null;
  const entries = await standingsAt(db, board, at);
  const attribute = attributionFor(identity, found.scraper.id);
  const direction = found.board.direction;
  const gap = countryGap(bestByGroup(entries, attribute, 'country', direction), 'US', 'CN', direction);
  return {
    board,
    at: (at ?? new Date()).toISOString(),
    by,
    groups: bestByGroup(entries, attribute, by, direction),
    gap: gap ? { countries: ['US', 'CN'], ...gap } : null,
  };
}

/**
 * The aggregates at every snapshot of a board captured from `since` to `until` (both included),
 * newest first, at most `limit`: the same as `boardAggregates` at each snapshot's capture time, in
 * two queries whatever the number of snapshots (their times, then every period overlapping them),
 * the board at each time read from the periods in memory.
 */
export async function aggregatesHistory(
  db: Db,
  identity: Identity,
  board: string,
  by: 'organization' | 'country',
  filter: { since?: Date | undefined; until?: Date | undefined; limit: number },
): Promise<BoardAggregates[]> {
  const found = findBoard(board);
  if (!found) return [];
  const times = (
    await db
      .select({ capturedAt: snapshots.capturedAt })
      .from(snapshots)
      .where(and(eq(snapshots.boardId, board), filter.since ? gte(snapshots.capturedAt, filter.since) : undefined, filter.until ? lte(snapshots.capturedAt, filter.until) : undefined))
      .orderBy(desc(snapshots.capturedAt))
      .limit(filter.limit)
  ).map((row) => row.capturedAt);
  const [newest, oldest] = [times[0], times.at(-1)];
  if (!newest || !oldest) return [];
  // Only what an entry holds (the aggregates read no more), unordered: the grouping orders them itself.
  const periods = await db
    .select({
      rank: standings.rank,
      model: standings.model,
      name: standings.name,
      organization: standings.organization,
      score: standings.score,
      scoreLower: standings.scoreLower,
      scoreUpper: standings.scoreUpper,
      votes: standings.votes,
      priceInput: standings.priceInput,
      priceOutput: standings.priceOutput,
      validFrom: standings.validFrom,
      validTo: standings.validTo,
    })
    .from(standings)
    .where(and(eq(standings.boardId, board), lte(standings.validFrom, newest), or(isNull(standings.validTo), gt(standings.validTo, oldest))));
  const rows = periods.map(({ validFrom, validTo, ...entry }) => ({ from: validFrom.getTime(), to: validTo?.getTime() ?? null, entry: entry satisfies Entry }));

  // A period's entry is the same object at every time it holds: model identity reads it once.
  const attributed = new Map<Entry, ReturnType<Attribution>>();
  const resolve = attributionFor(identity, found.scraper.id);
  const attribute: Attribution = (entry) => attributed.get(entry) ?? attributed.set(entry, resolve(entry)).get(entry)!;
  const direction = found.board.direction;
  // A sweep over the times, oldest first: a period holds at `at` from its start until its end.
  const starting = [...rows].sort((a, b) => a.from - b.from);
  const ending = rows.filter((row) => row.to !== null).sort((a, b) => a.to! - b.to!);
  const holding = new Set<Entry>();
  let started = 0;
  let ended = 0;
  const history: BoardAggregates[] = [];
  for (const at of [...times].reverse()) {
    const time = at.getTime();
    while (started < starting.length && starting[started]!.from <= time) holding.add(starting[started++]!.entry);
    while (ended < ending.length && ending[ended]!.to! <= time) holding.delete(ending[ended++]!.entry);
    const entries = [...holding];
    const byCountry = bestByGroup(entries, attribute, 'country', direction);
    const gap = countryGap(byCountry, 'US', 'CN', direction);
    history.push({ board, at: at.toISOString(), by, groups: by === 'country' ? byCountry : bestByGroup(entries, attribute, by, direction), gap: gap ? { countries: ['US', 'CN'], ...gap } : null });
  }
  return history.reverse();
}
