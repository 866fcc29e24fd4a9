import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lmarena } from '../../scrapers/lmarena.ts';
import { upperBoundRanks } from '../../scrapers/lib/rank.ts';
import type { Entry } from '../../src/entry.ts';
import { assignBoardKeys, keyOverlap } from '../../src/ingest/board-keys.ts';
import { loadIdentity } from '../../src/identity/identity.ts';
import { HAVE_SHARED, SHARED } from '../support/cli.ts';

// LMArena published the text board in several formats at once: the CSV archive (display names,
// Rank (UB), whole-number scores), the arena-catalog JSON export (internal keys, full-precision
// ratings and bounds, no ranks) and the Gradio page. Read in place from ../shared/leaderboards.
const ROOT = join(SHARED, 'lmarena');
const parse = (file: string) => lmarena.parse(readFileSync(join(ROOT, file), 'utf8'), { board: 'lmarena-text', fileName: file });
const identity = loadIdentity();
const keyOf = (entry: Entry) => identity.resolve('lmarena', entry).id;

describe.skipIf(!HAVE_SHARED)('one board, several formats: the CSV archive and the JSON export of the same day', () => {
  it.each([
    ['fboulnois-llm-leaderboard-csv/lmsys/2025-03-07.csv', 'arena-catalog/leaderboard-text/2025-03-07.json', 176, 28],
    ['fboulnois-llm-leaderboard-csv/lmsys/2025-05-07.csv', 'arena-catalog/leaderboard-text/2025-05-07.json', 196, 31],
    ['fboulnois-llm-leaderboard-csv/lmsys/2025-05-23.csv', 'arena-catalog/leaderboard-text/2025-05-24.json', 202, 34],
  ])('%s and %s: one key per model, the same scores and the same Rank (UB)', (csvFile, catalogFile, models, hidden) => {
    const published = { csv: parse(csvFile).entries, catalog: parse(catalogFile).entries };
    const csv = assignBoardKeys(published.csv, [], keyOf);
    const catalog = assignBoardKeys(published.catalog, csv, keyOf);
    // The keys differ as published (`Gemini-2.5-Pro-Exp-03-25` and `gemini-2.5-pro-exp-03-25`): keyed
    // so, the JSON export would look like a board where nearly every model left and another came...
    expect(keyOverlap(published.csv, published.catalog)).toBeLessThan(0.06);
    // ...the board keys do not: every model the CSV lists is in the export under the same key.
    expect(csv).toHaveLength(models);
    expect(keyOverlap(csv, catalog)).toBe(1);
    // The export also keeps the deprecated models the page hid (claude-1, pplx-7b-online, ...).
    expect(catalog.length - csv.length).toBe(hidden);
    const byKey = new Map(catalog.map((entry) => [entry.model, entry]));
    const same = csv.map((entry) => byKey.get(entry.model)!);
    // Rounded as the page shows it, every rating is the CSV's score.
    expect(same.map((entry) => Math.round(entry.score!))).toEqual(csv.map((entry) => entry.score));
    // Over the models the page showed, Rank (UB) from the export's bounds is the CSV's published rank.
    const ranks = upperBoundRanks(same.map((entry) => ({ score: entry.score, lower: entry.scoreLower, upper: entry.scoreUpper })), 'higher');
    expect(ranks).toEqual(csv.map((entry) => entry.rank));
  });

  it('the Gradio page of 2025-03-28 and the CSV of that day: the same keys (the CSV was made from that page)', () => {
    const csv = assignBoardKeys(parse('fboulnois-llm-leaderboard-csv/lmsys/2025-03-28.csv').entries, [], keyOf);
    const page = assignBoardKeys(parse('gradio-page/2025-03-28_lmarena.ai_page_source.html').entries, csv, keyOf);
    expect(page).toHaveLength(183);
    expect(page.every((entry) => csv.some((other) => other.model === entry.model))).toBe(true);
  });
});
