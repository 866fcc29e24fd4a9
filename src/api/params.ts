import { z } from 'zod';
import { EVENT_KINDS, type EventKind } from '../diff/events.ts';
import { EVENT_STATUSES, type EventStatus } from '../diff/settle.ts';
import { InvalidInputError } from '../errors.ts';
import { readIsoTime } from '../time.ts';

/**
 * An ISO 8601 date (`2024-06-19`, read as UTC midnight) or date-time with a zone, read strictly
 * (src/time.ts): `2024-02-30` or `T25:00` is refused naming the parameter, never rolled over.
 */
export function parseTime(parameter: string, value: string): Date {
  const reading = readIsoTime(value.trim());
  if (!reading.ok) {
    throw new InvalidInputError(
      parameter,
      `expected an ISO 8601 date or date-time such as 2024-06-19 or 2024-06-19T12:00:00Z, got ${JSON.stringify(value)}: ${reading.reason}`,
    );
  }
  return reading.date;
}

/** Event kinds from `a,b` lists (repeatable); rejects unknown names. */
export function parseKinds(parameter: string, values: readonly string[]): EventKind[] {
  const kinds = values.flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean);
  const result = z.array(z.enum(EVENT_KINDS)).safeParse(kinds);
  if (!result.success) {
    const bad = kinds.filter((kind) => !(EVENT_KINDS as readonly string[]).includes(kind));
    throw new InvalidInputError(parameter, `unknown event kind ${bad.map((kind) => JSON.stringify(kind)).join(', ')}; expected one of ${EVENT_KINDS.join(', ')}`);
  }
  return result.data;
}

/**
 * Event statuses from `a,b` lists (repeatable; `all` for every one); none given means the announced
 * (`published`) events only. Rejects unknown names.
 */
export function parseStatuses(parameter: string, values: readonly string[]): EventStatus[] {
  const given = values.flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean);
  if (given.length === 0) return ['published'];
  if (given.includes('all')) return [...EVENT_STATUSES];
  const bad = given.filter((status) => !(EVENT_STATUSES as readonly string[]).includes(status));
  if (bad.length > 0) {
    throw new InvalidInputError(parameter, `unknown event status ${bad.map((status) => JSON.stringify(status)).join(', ')}; expected all or one of ${EVENT_STATUSES.join(', ')}`);
  }
  return given as EventStatus[];
}

/** A whole number within bounds. */
export function parseLimit(parameter: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1 || Number(value) > max) {
    throw new InvalidInputError(parameter, `expected a whole number from 1 to ${max}, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/** A numeric row id from a path segment; 400 naming the parameter otherwise. */
export function parseId(parameter: string, value: string, what: string): number {
  if (!/^\d{1,15}$/.test(value)) throw new InvalidInputError(parameter, `expected ${what} (a whole number), got ${JSON.stringify(value)}`);
  return Number(value);
}
