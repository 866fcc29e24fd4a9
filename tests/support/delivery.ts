// Captures for the delivery tests: entries of one board imported as change sets whose events
// are announced at once (settled after one scrape), so their alerts are queued.
import { announcerWith } from '../../src/context.ts';
import { makeEntry, type Entry } from '../../src/entry.ts';
import { loadIdentity } from '../../src/identity/identity.ts';
import { applyCapture } from '../../src/ingest/store.ts';
import type { TestDatabase } from './db.ts';

/** The board the delivery tests capture. */
export const BOARD = 'lmarena-text';

/** An entry with a ±3 interval and 5,000 votes. */
export const e = (model: string, rank: number, score: number, organization = 'OpenAI'): Entry =>
  makeEntry({ model, name: model, rank, score, scoreLower: score - 3, scoreUpper: score + 3, votes: 5000, organization });

/** One capture of BOARD at midnight UTC of `day`, announced at once. */
export async function capture(database: TestDatabase, day: string, entries: Entry[]): Promise<void> {
  await applyCapture(database.db, {
    board: BOARD,
    capturedAt: new Date(`${day}T00:00:00Z`),
    entries,
    origin: 'import',
    source: `${day}.csv`,
    contentHash: day,
    format: 'test',
    parserVersion: '1',
    publishedAt: null,
    settle: { scrapes: 1 },
    onAnnounced: announcerWith(loadIdentity()),
  });
}

/** Two snapshots of BOARD: its first sighting, then qwen-max takes #1 (a small change set). */
export async function importTwo(database: TestDatabase): Promise<void> {
  await capture(database, '2025-01-01', [e('gpt-4o', 1, 1300), e('claude-3.5-sonnet', 2, 1290, 'Anthropic'), e('qwen-max', 3, 1280, 'Alibaba')]);
  await capture(database, '2025-01-08', [e('qwen-max', 1, 1320, 'Alibaba'), e('gpt-4o', 2, 1300), e('claude-3.5-sonnet', 3, 1290, 'Anthropic')]);
}
