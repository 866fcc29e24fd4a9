import { basename, dirname } from 'node:path';
import { fractionToMilliseconds, offsetFromText, timeFromFields, type TimeReading } from '../time.ts';

const DASHED = /(?<!\d)(\d{4})-(\d{2})-(\d{2})(?:[T_ ](\d{2})[-:](\d{2})(?:[-:](\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?(?!\d)/;
const COMPACT = /(?<!\d)(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?(Z)?)?(?!\d)/;

/** A date found in a name: the instant, or the text that looked like a date and why it is not one. */
export type CaptureTimeReading = { ok: true; date: Date } | { ok: false; text: string; reason: string };

/** The date the matched parts name; null when the year is implausible (not a capture date at all). */
function build(parts: (string | undefined)[]): TimeReading | null {
  const [year, month, day, hour = '00', minute = '00', second = '00', fraction, zone] = parts;
  // Beyond these years a number in a file name is not a capture date (a build number, a size).
  if (Number(year) < 1990 || Number(year) > 2200) return null;
  const offsetMinutes = offsetFromText(zone);
  if (offsetMinutes === null) return { ok: false, reason: `the UTC offset ${zone} is out of range (at most ±23:59)` };
  // Strict (src/time.ts): 2024-02-30 or 25-00 in a name is refused, never read as 1 March.
  return timeFromFields({
    year: Number(year),
    month: Number(month),
    day: Number(day),
    hour: Number(hour),
    minute: Number(minute),
    second: Number(second),
    millisecond: fractionToMilliseconds(fraction),
    offsetMinutes,
  });
}

/** The capture time written in one file or folder name, or the date-like text in it that is not a date; null when it names none. */
export function readCaptureTimeFromName(name: string): CaptureTimeReading | null {
  let refused: CaptureTimeReading | null = null;
  for (const pattern of [DASHED, COMPACT]) {
    const match = pattern.exec(name);
    if (!match) continue;
    const reading = build(match.slice(1));
    if (!reading) continue;
    if (reading.ok) return reading;
    refused ??= { ok: false, text: match[0], reason: reading.reason };
  }
  return refused;
}

/** The capture time written in one file or folder name (`2024-06-19`, `20240619`, `2025-12-23T03-23-53Z`). */
export function captureTimeFromName(name: string): Date | null {
  const reading = readCaptureTimeFromName(name);
  return reading?.ok ? reading.date : null;
}

/**
 * The capture time of a file from its name, else from the nearest folder that names one
 * (`safety-dev-v3_2024-06-28/groups/bbq.json`). Times without a zone are UTC. The nearest name
 * with a date-like text decides: `2024-02-30.csv` is refused even inside a dated folder.
 */
export function readCaptureTime(path: string): CaptureTimeReading | null {
  let current = path;
  for (let depth = 0; depth < 4; depth++) {
    const found = readCaptureTimeFromName(basename(current));
    if (found) return found;
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return null;
}

/** The capture time of a file (see readCaptureTime); null when it names none or names an impossible date. */
export function captureTimeFromPath(path: string): Date | null {
  const reading = readCaptureTime(path);
  return reading?.ok ? reading.date : null;
}
