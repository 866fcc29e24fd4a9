import { describe, expect, it } from 'vitest';
import { parseInterval } from '../../scrapers/lib/interval.ts';
import { competitionRanks, upperBoundRanks } from '../../scrapers/lib/rank.ts';
import { parseNumber } from '../../scrapers/lib/values.ts';
import { cellText, describeHtml } from '../../scrapers/lib/html.ts';

describe('competitionRanks', () => {
  it.each([
    [[10, 9, 9, 7], 'higher', [1, 2, 2, 4]],
    [[7, 9, 10, 9], 'higher', [4, 2, 1, 2]],
    [[0.1, 0.3, 0.1], 'lower', [1, 3, 1]],
    [[5, null, 5], 'higher', [1, null, 1]],
    [[], 'higher', []],
  ] as const)('%j (%s is better) → %j', (scores, direction, ranks) => {
    expect(competitionRanks(scores, direction)).toEqual(ranks);
  });
});

describe('upperBoundRanks (LMArena Rank (UB))', () => {
  const row = (score: number | null, lower: number | null, upper: number | null) => ({ score, lower, upper });
  it.each([
    // Separated intervals rank like the scores.
    ['separated', [row(30, 29, 31), row(20, 19, 21), row(10, 9, 11)], 'higher', [1, 2, 3]],
    // Overlapping intervals share a rank; the rank after a tie counts every model above (1, 2, 2, 4).
    ['ties and a gap', [row(40, 38, 42), row(30, 25, 35), row(29, 24, 34), row(10, 9, 11)], 'higher', [1, 2, 2, 4]],
    // A wide interval reaches the top: a lower score can share #1, out of score order.
    ['out of score order', [row(100, 99, 101), row(95, 94, 96), row(90, 70, 110)], 'higher', [1, 2, 1]],
    // Lower is better (an error rate): beating means an upper bound below my lower bound.
    ['lower is better', [row(1, 0.5, 1.5), row(3, 2.5, 3.5), row(2, 1, 3)], 'lower', [1, 2, 1]],
    // A row without bounds has no rank; without any bounds the scores decide.
    ['missing bounds', [row(10, 9, 11), row(8, null, null), row(5, 4, 6)], 'higher', [1, null, 2]],
    ['no bounds at all', [row(10, null, null), row(8, null, null), row(8, null, null)], 'higher', [1, 2, 2]],
  ] as const)('%s', (_name, rows, direction, ranks) => {
    expect(upperBoundRanks(rows, direction)).toEqual(ranks);
  });

  it('equals the pairwise definition on random boards', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 50; round++) {
      const rows = Array.from({ length: 1 + Math.floor(random() * 60) }, () => {
        const score = Math.round(random() * 100);
        return row(score, score - Math.round(random() * 10), score + Math.round(random() * 10));
      });
      const pairwise = rows.map((mine) => 1 + rows.filter((other) => other !== mine && other.lower! > mine.upper!).length);
      expect(upperBoundRanks(rows, 'higher')).toEqual(pairwise);
    }
  });
});

describe('parseInterval', () => {
  it.each([
    ['+3/-4', 1000, { lower: 996, upper: 1003 }],
    ['+14 / -15', 1000, { lower: 985, upper: 1014 }],
    ['+2.0/-1.9', 82.5, { lower: 80.6, upper: 84.5 }],
    ['±7', 1452, { lower: 1445, upper: 1459 }],
    ['', 1000, null],
    ['-', 1000, null],
    ['about 3', 1000, undefined],
  ] as const)('%s around %d', (text, score, expected) => {
    const bounds = parseInterval(text, score);
    if (bounds && expected) {
      expect(bounds.lower).toBeCloseTo(expected.lower, 9);
      expect(bounds.upper).toBeCloseTo(expected.upper, 9);
    } else {
      expect(bounds).toEqual(expected);
    }
  });
});

describe('parseNumber', () => {
  it.each([
    ['1287', 1287],
    ['62,764', 62764],
    ['1,234,567', 1234567],
    [' 12.5 ', 12.5],
    [42, 42],
    ['', null],
    ['-', null],
    [null, null],
    ['12abc', undefined],
    [Number.NaN, undefined],
  ] as const)('%j → %j', (value, expected) => {
    expect(parseNumber(value)).toBe(expected);
  });
});

describe('html helpers', () => {
  it('reads names from anchors, entities and markdown links', () => {
    expect(cellText('<a href="x" style="a">GPT-4o &amp; friends</a>')).toBe('GPT-4o & friends');
    expect(cellText('[Deepseek V2.5 (FIM)](https://example.org)')).toBe('Deepseek V2.5 (FIM)');
    expect(cellText(' plain ')).toBe('plain');
  });

  it('names what a non-data page is', () => {
    expect(describeHtml('<html><title>Just a moment...</title><script src="/cdn-cgi/challenge-platform/x"></script></html>')).toMatch(/Cloudflare challenge/);
    expect(describeHtml('<html><title>Sign in</title><form><input type="password"></form></html>')).toMatch(/login page/);
    expect(describeHtml('<html><title>Oops</title></html>')).toBe('an HTML page titled "Oops"');
  });
});
