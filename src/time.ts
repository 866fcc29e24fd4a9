/**
 * Strict reading of calendar dates and times. Every time rankwatch reads from a person (API
 * parameters, CLI options, request bodies, capture times in file names) goes through here:
 * `new Date('2024-02-30')` silently becomes 1 March, and a history query or an import placed a day
 * off is worse than an error naming the parameter.
 */

/** A date-time as written: fields as numbers, absent time fields zero, the offset in minutes east of UTC. */
export interface TimeFields {
  year: number;
  month: number;
  day: number;
  hour?: number | undefined;
  minute?: number | undefined;
  second?: number | undefined;
  millisecond?: number | undefined;
  offsetMinutes?: number | undefined;
}

/** A date-time, or why the text is not one. */
export type TimeReading = { ok: true; date: Date } | { ok: false; reason: string };

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'] as const;

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in a month of the proleptic Gregorian calendar (month 1–12). */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/**
 * The instant the fields name, or the first field out of range. Nothing rolls over: day 30 of
 * February, hour 24, minute 60 and leap second 60 are all refused.
 */
export function timeFromFields(fields: TimeFields): TimeReading {
  const { year, month, day, hour = 0, minute = 0, second = 0, millisecond = 0, offsetMinutes = 0 } = fields;
  const numbers = [year, month, day, hour, minute, second, millisecond, offsetMinutes];
  if (!numbers.every(Number.isInteger)) return { ok: false, reason: 'not a whole-number date' };
  if (year < 1 || year > 9999) return { ok: false, reason: `year ${year} is out of range (0001–9999)` };
  if (month < 1 || month > 12) return { ok: false, reason: `there is no month ${pad(month)} (01–12)` };
  const days = daysInMonth(year, month);
  if (day < 1 || day > days) return { ok: false, reason: `there is no day ${pad(day)} in ${MONTHS[month - 1]} ${pad(year, 4)} (it has ${days} days)` };
  if (hour < 0 || hour > 23) return { ok: false, reason: `there is no hour ${pad(hour)} (00–23)` };
  if (minute < 0 || minute > 59) return { ok: false, reason: `there is no minute ${pad(minute)} (00–59)` };
  if (second < 0 || second > 59) return { ok: false, reason: `there is no second ${pad(second)} (00–59)` };
  if (millisecond < 0 || millisecond > 999) return { ok: false, reason: `millisecond ${millisecond} is out of range` };
  if (Math.abs(offsetMinutes) >= 24 * 60) return { ok: false, reason: 'the UTC offset is out of range (at most ±23:59)' };
  // setUTCFullYear, unlike Date.UTC, does not read years 0–99 as 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millisecond);
  return { ok: true, date: new Date(date.getTime() - offsetMinutes * 60_000) };
}

/** `Z`, `+02:00`, `-0530` (or absent: UTC) as minutes east of UTC; null when the minutes are not 00–59 or the hours not 00–23. */
export function offsetFromText(zone: string | undefined): number | null {
  if (!zone || zone === 'Z' || zone === 'z') return 0;
  const match = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (!match) return null;
  const hours = Number(match[2]);
  const minutes = Number(match[3]);
  if (hours > 23 || minutes > 59) return null;
  return (match[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

/** A fraction of a second as written (`5`, `123456`) as whole milliseconds, truncated. */
export function fractionToMilliseconds(fraction: string | undefined): number {
  return fraction ? Number(fraction.padEnd(3, '0').slice(0, 3)) : 0;
}

// A date, or a date-time with seconds optional, a fraction optional and the zone required: a
// time without a zone would mean the reader's local time, which differs between machines.
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * An ISO 8601 date (`2024-06-19`, midnight UTC) or date-time with a zone
 * (`2024-06-19T12:00:00Z`, `2024-06-19T14:00+02:00`), strictly: the calendar must have the day.
 */
export function readIsoTime(text: string): TimeReading {
  const match = ISO_TIME.exec(text);
  if (!match) return { ok: false, reason: 'not an ISO 8601 date or date-time' };
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  const offsetMinutes = offsetFromText(zone);
  if (offsetMinutes === null) return { ok: false, reason: `the UTC offset ${zone} is out of range (at most ±23:59)` };
  return timeFromFields({
    year: Number(year),
    month: Number(month),
    day: Number(day),
    hour: hour === undefined ? 0 : Number(hour),
    minute: minute === undefined ? 0 : Number(minute),
    second: second === undefined ? 0 : Number(second),
    millisecond: fractionToMilliseconds(fraction),
    offsetMinutes,
  });
}

const MONTH_ABBREVIATIONS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const MONTH = `(${MONTH_ABBREVIATIONS.join('|')})`;
const CLOCK = '(\\d{2}):(\\d{2}):(\\d{2})';
const IMF_FIXDATE = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\\d{2}) ${MONTH} (\\d{4}) ${CLOCK} GMT$`);
const RFC_850 = new RegExp(`^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\\d{2})-${MONTH}-(\\d{2}) ${CLOCK} GMT$`);
const ASCTIME = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ${MONTH} ( \\d|\\d{2}) ${CLOCK} (\\d{4})$`);

/**
 * An HTTP date (RFC 9110 §5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime forms a
 * recipient must still read), strictly: `Fri, 30 Feb 2024 …` is null, not 1 March. A two-digit
 * RFC 850 year more than 50 years ahead of `now` is in the previous century.
 */
export function readHttpDate(text: string, now: Date = new Date()): Date | null {
  const trimmed = text.trim();
  const month = (name: string | undefined) => MONTH_ABBREVIATIONS.indexOf(name as (typeof MONTH_ABBREVIATIONS)[number]) + 1;
  let fields: TimeFields | null = null;
  let match = IMF_FIXDATE.exec(trimmed);
  if (match) fields = { day: Number(match[1]), month: month(match[2]), year: Number(match[3]), hour: Number(match[4]), minute: Number(match[5]), second: Number(match[6]) };
  if (!fields && (match = RFC_850.exec(trimmed))) {
    let year = 2000 + Number(match[3]);
    if (year > now.getUTCFullYear() + 50) year -= 100;
    fields = { day: Number(match[1]), month: month(match[2]), year, hour: Number(match[4]), minute: Number(match[5]), second: Number(match[6]) };
  }
  if (!fields && (match = ASCTIME.exec(trimmed))) {
    fields = { month: month(match[1]), day: Number(match[2]?.trim()), hour: Number(match[3]), minute: Number(match[4]), second: Number(match[5]), year: Number(match[6]) };
  }
  if (!fields) return null;
  const reading = timeFromFields(fields);
  return reading.ok ? reading.date : null;
}
