import { basename, dirname } from 'node:path';

const DASHED = /(?<!\d)(\d{4})-(\d{2})-(\d{2})(?:[T_ ](\d{2})[-:](\d{2})(?:[-:](\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?(?!\d)/;
const COMPACT = /(?<!\d)(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?(Z)?)?(?!\d)/;

function build(parts: (string | undefined)[]): Date | null {
  const [year, month, day, hour = '00', minute = '00', second = '00', fraction = '', zone] = parts;
  const y = Number(year);
  const m = Number(month);
  const d = Number(day);
  if (y < 1990 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31) return null;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return null;
  const ms = fraction ? `.${fraction.padEnd(3, '0').slice(0, 3)}` : '';
  const offset = !zone || zone === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const date = new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}${ms}${offset}`);
  // Rejects 2024-02-31 and the like, which Date would silently roll over.
  if (Number.isNaN(date.getTime()) || (offset === 'Z' && date.getUTCDate() !== d)) return null;
  return date;
}

/** The capture time written in one file or folder name (`2024-06-19`, `20240619`, `2025-12-23T03-23-53Z`). */
export function captureTimeFromName(name: string): Date | null {
  for (const pattern of [DASHED, COMPACT]) {
    const match = pattern.exec(name);
    if (match) {
      const date = build(match.slice(1));
      if (date) return date;
    }
  }
  return null;
}

/**
 * The capture time of a file from its name, else from the nearest folder that names one
 * (`safety-dev-v3_2024-06-28/groups/bbq.json`). Times without a zone are UTC.
 */
export function captureTimeFromPath(path: string): Date | null {
  let current = path;
  for (let depth = 0; depth < 4; depth++) {
    const found = captureTimeFromName(basename(current));
    if (found) return found;
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return null;
}
