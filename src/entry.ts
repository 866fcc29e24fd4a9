import { z } from 'zod';

export const DIRECTIONS = ['higher', 'lower'] as const;
/** Whether a higher or a lower score is better on a board. */
export type Direction = (typeof DIRECTIONS)[number];
export const DirectionSchema = z.enum(DIRECTIONS);

const nullableNumber = z.number().finite().nullable();

/** One row of a board as every scraper returns it (see DESIGN.md, "Normalized entry"). */
export const EntrySchema = z
  .object({
    rank: z.number().int().positive().nullable(),
    model: z.string().min(1),
    name: z.string().min(1),
    organization: z.string().min(1).nullable(),
    score: nullableNumber,
    scoreLower: nullableNumber,
    scoreUpper: nullableNumber,
    votes: z.number().int().nonnegative().nullable(),
    priceInput: z.number().finite().nonnegative().nullable(),
    priceOutput: z.number().finite().nonnegative().nullable(),
  })
  .strict();
export type Entry = z.infer<typeof EntrySchema>;

/** The fields of an entry, in the order they are printed and hashed. */
export const ENTRY_FIELDS = [
  'rank',
  'model',
  'name',
  'organization',
  'score',
  'scoreLower',
  'scoreUpper',
  'votes',
  'priceInput',
  'priceOutput',
] as const satisfies readonly (keyof Entry)[];

/**
 * An entry as a board stores it: `model` is the board's key of the model, the same whatever format
 * a capture came in; `sourceKey` is the key the capture's format published, when it differs.
 */
export interface StoredEntry extends Entry {
  sourceKey?: string | null;
}

/** An entry with every absent value set to null, so callers can spread partial rows. */
export function makeEntry(values: Partial<Entry> & Pick<Entry, 'model' | 'name'>): Entry {
  return {
    rank: values.rank ?? null,
    model: values.model,
    name: values.name,
    organization: values.organization ?? null,
    score: values.score ?? null,
    scoreLower: values.scoreLower ?? null,
    scoreUpper: values.scoreUpper ?? null,
    votes: values.votes ?? null,
    priceInput: values.priceInput ?? null,
    priceOutput: values.priceOutput ?? null,
  };
}

/** True when two entries hold the same values in every field (and, stored, under the same source key). */
export function sameEntry(a: StoredEntry, b: StoredEntry): boolean {
  return ENTRY_FIELDS.every((field) => a[field] === b[field]) && (a.sourceKey ?? null) === (b.sourceKey ?? null);
}
