import { describe, expect, it } from 'vitest';
import { readParameter } from '../../src/api/routing.ts';
import { TimeSchema } from '../../src/api/schemas.ts';
import { InvalidInputError } from '../../src/errors.ts';
import { captureTimeFromName, readCaptureTime } from '../../src/ingest/capture-time.ts';
import { retryAfterMs } from '../../src/ingest/fetch.ts';
import { daysInMonth, readHttpDate, readIsoTime } from '../../src/time.ts';

describe('readIsoTime (the one strict parser behind every time rankwatch reads)', () => {
  it.each([
    ['2024-06-19', '2024-06-19T00:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['2000-02-29', '2000-02-29T00:00:00.000Z'],
    ['2023-12-31', '2023-12-31T00:00:00.000Z'],
    ['2024-06-19T12:00:00Z', '2024-06-19T12:00:00.000Z'],
    ['2024-06-19T12:00Z', '2024-06-19T12:00:00.000Z'],
    ['2024-06-19T23:59:59.999Z', '2024-06-19T23:59:59.999Z'],
    ['2024-06-19T12:00:00.123456789Z', '2024-06-19T12:00:00.123Z'],
    ['2024-06-19T14:00:00+02:00', '2024-06-19T12:00:00.000Z'],
    ['2024-06-19T00:30:00-05:30', '2024-06-19T06:00:00.000Z'],
    ['2024-03-01T01:00:00+02:00', '2024-02-29T23:00:00.000Z'],
    ['0099-01-01', '0099-01-01T00:00:00.000Z'],
  ])('%s is %s', (text, iso) => {
    const reading = readIsoTime(text);
    expect(reading.ok && reading.date.toISOString()).toBe(iso);
  });

  it.each([
    ['2024-02-30', /no day 30 in February 2024 \(it has 29 days\)/],
    ['2023-02-29', /no day 29 in February 2023 \(it has 28 days\)/],
    ['1900-02-29', /no day 29 in February 1900/],
    ['2024-04-31', /no day 31 in April 2024 \(it has 30 days\)/],
    ['2024-13-01', /no month 13/],
    ['2024-00-10', /no month 00/],
    ['2024-06-00', /no day 00/],
    ['2024-06-19T25:00Z', /no hour 25/],
    ['2024-06-19T24:00Z', /no hour 24/],
    ['2024-06-19T12:60Z', /no minute 60/],
    ['2024-06-19T23:59:60Z', /no second 60/],
    ['2024-06-19T12:00+24:00', /offset \+24:00 is out of range/],
    ['2024-06-19T12:00+02:60', /offset \+02:60 is out of range/],
    ['2024-02-30T12:00:00+02:00', /no day 30 in February 2024/],
    ['2024-06-19T12:00:00', /not an ISO 8601/],
    ['2024-6-19', /not an ISO 8601/],
    ['19/06/2024', /not an ISO 8601/],
    ['last week', /not an ISO 8601/],
    ['', /not an ISO 8601/],
    ['2024-06-19\u0000', /not an ISO 8601/],
  ])('%j is refused: %s', (text, reason) => {
    const reading = readIsoTime(text);
    expect(reading.ok).toBe(false);
    expect(!reading.ok && reading.reason).toMatch(reason);
  });

  it('knows the length of every month, leap years included', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((month) => daysInMonth(2023, month))).toEqual([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]);
    expect([1996, 2000, 2024, 1900, 2100, 2023].map((year) => daysInMonth(year, 2))).toEqual([29, 29, 29, 28, 28, 28]);
  });
});

describe('TimeSchema (API parameters, CLI options, request bodies)', () => {
  it('refuses a rolled-over date naming the parameter and the reason', () => {
    const error = (() => {
      try {
        readParameter(TimeSchema, 'since', '2024-02-30');
      } catch (caught) {
        return caught;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).parameter).toBe('since');
    expect((error as InvalidInputError).message).toMatch(/^since: expected an ISO 8601 date .* got "2024-02-30": there is no day 30 in February 2024/);
  });

  it('reads a good value with surrounding blanks', () => {
    expect(readParameter(TimeSchema, 'at', ' 2024-02-29 ')?.toISOString()).toBe('2024-02-29T00:00:00.000Z');
  });
});

describe('capture times in file names are read strictly too', () => {
  it.each(['2024-02-30.csv', '2023-02-29.json', '20240230.csv', '2024-06-19T25-00-00Z.json', '2024-06-19T12-60Z.json', '2024-06-19T12-00-00+2500.json'])(
    '%s names no date, and says which text is not one',
    (name) => {
      expect(captureTimeFromName(name)).toBeNull();
      const reading = readCaptureTime(`/captures/${name}`);
      expect(reading?.ok).toBe(false);
      expect(!reading?.ok && name.includes(reading?.text ?? '\u0000')).toBe(true);
    },
  );

  it('an impossible date in a file name is not replaced by the date of its folder', () => {
    expect(readCaptureTime('/captures/2024-06-28/2024-02-30.csv')).toMatchObject({ ok: false, text: '2024-02-30' });
    expect(readCaptureTime('/captures/2024-06-28/board.csv')).toMatchObject({ ok: true, date: new Date('2024-06-28T00:00:00Z') });
  });

  it('still reads every good form', () => {
    expect(captureTimeFromName('2024-02-29.csv')?.toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect(captureTimeFromName('2025-12-23T03-23-53+0200.json')?.toISOString()).toBe('2025-12-23T01:23:53.000Z');
    expect(captureTimeFromName('2025-12-23T03-23-53.5Z.json')?.toISOString()).toBe('2025-12-23T03:23:53.500Z');
  });
});

describe('readHttpDate (Retry-After), strictly', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  it.each([
    ['Thu, 01 Jan 2026 00:01:00 GMT', '2026-01-01T00:01:00.000Z'],
    ['Thursday, 01-Jan-26 00:01:00 GMT', '2026-01-01T00:01:00.000Z'],
    ['Sunday, 06-Nov-94 08:49:37 GMT', '1994-11-06T08:49:37.000Z'],
    ['Thu Jan  1 00:01:00 2026', '2026-01-01T00:01:00.000Z'],
    ['Thu, 29 Feb 2024 12:00:00 GMT', '2024-02-29T12:00:00.000Z'],
  ])('%s is %s', (text, iso) => {
    expect(readHttpDate(text, now)?.toISOString()).toBe(iso);
  });

  it.each(['Fri, 30 Feb 2024 00:00:00 GMT', 'Wed, 29 Feb 2023 00:00:00 GMT', 'Thu, 01 Jan 2026 25:00:00 GMT', 'Thu, 31 Apr 2026 00:00:00 GMT', 'Thu Feb 30 00:00:00 2024', 'soon', '2026-01-01T00:01:00Z'])(
    '%s is no HTTP date',
    (text) => {
      expect(readHttpDate(text, now)).toBeNull();
    },
  );

  it('a Retry-After naming an impossible date is unreadable, not a wait until 1 March', () => {
    expect(retryAfterMs('Fri, 30 Feb 2026 00:00:00 GMT', now)).toBeNull();
    expect(retryAfterMs('Sat, 28 Feb 2026 00:00:00 GMT', now)).toBe(58 * 86_400_000);
  });
});
