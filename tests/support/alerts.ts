// Sample alerts for the chat channels' tests, built by hand with events shaped as the diff engine
// stores them.
import type { EventKind, StoredEvent } from '../../src/diff/events.ts';
import type { Alert, AlertChangeSet } from '../../src/notify/alert.ts';

export const CAPTURED = '2026-11-23T14:05:00.000Z';
let nextEventId = 1;

export function stored(board: string, kind: EventKind, fields: { model?: string | null } & Record<string, unknown>): StoredEvent {
  const model = fields.model === undefined ? 'model' : fields.model;
  return {
    id: nextEventId++,
    key: `${board}/${kind}/${model ?? 'board'}/${nextEventId}`,
    board,
    capturedAt: CAPTURED,
    snapshotId: 42,
    status: 'published',
    settledAt: '2026-11-23T14:35:00.000Z',
    kind,
    model,
    name: model,
    old: null,
    new: null,
    ...fields,
  } as StoredEvent;
}

export const newLeader = (board: string, model = 'gemini-2.5-pro', name = 'Gemini-2.5-Pro') =>
  stored(board, 'new_leader', {
    model,
    name,
    old: { rank: 2 },
    new: { rank: 1, score: 1467 },
    data: { previousLeaders: ['gpt-5'], sharedWith: [], significant: true, margin: 3.2, passed: ['gpt-5'] },
  });
export const rankMove = (board: string, model: string, from: number, to: number) =>
  stored(board, 'rank_changed', { model, name: model, old: { rank: from }, new: { rank: to }, data: { delta: from - to, significant: true, margin: 2.5, passed: ['claude-opus-4'] } });
export const entered = (board: string, model: string, rank: number) =>
  stored(board, 'entered', { model, name: model, new: { rank, score: 1390, scoreLower: 1384, scoreUpper: 1396, votes: 5210, organization: null } });
export const scrapeFailed = (board: string) =>
  stored(board, 'scrape_failed', { model: null, name: board, data: { error: 'HTTP 503', httpStatus: 503, source: 'https://lmarena.example/' } });

export function changeSet(id: number, board: string, events: StoredEvent[], extra: Partial<AlertChangeSet> = {}): AlertChangeSet {
  return { id, board, capturedAt: CAPTURED, summary: `${board}: ${events.length} changes`, bulkRemoval: false, methodologyChanged: false, url: `https://rankwatch.example/v1/changes/${id}`, events, ...extra };
}

export function alertOf(changeSets: AlertChangeSet[], extra: Partial<Alert> = {}): Alert {
  return { id: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', type: changeSets.length > 1 ? 'digest.published' : 'change_set.published', timestamp: CAPTURED, changeSets, ...extra };
}

/** One change set of `count` events: a new #1, then entries and rank moves of models named by `name`. */
export function bigChangeSet(count: number, name: (i: number) => string = (i) => `model-${String(i).padStart(3, '0')}`, id = 7, board = 'lmarena-text'): AlertChangeSet {
  const events = [newLeader(board)];
  for (let i = 0; events.length < count; i++) events.push(i % 3 === 0 ? entered(board, name(i), 50 + i) : rankMove(board, name(i), 10 + i, 9 + i));
  return changeSet(id, board, events, { summary: `${board}: new #1 Gemini-2.5-Pro; ${count - 1} changes` });
}

/** A digest of `count` change sets, the first flagged, sizes from 2 to 80 events. */
export function digest(count: number): Alert {
  const sets = Array.from({ length: count }, (_, i) => {
    const board = `board-${i}`;
    const events = Array.from({ length: [2, 5, 80, 12][i % 4]! }, (__, j) => rankMove(board, `a-rather-long-model-name-${j}-preview-2026-11-23`, j + 3, j + 2));
    return changeSet(300 + i, board, events, { summary: `${board}: ${events.length} rank moves`, bulkRemoval: i === 0, methodologyChanged: i === 0 });
  });
  return alertOf(sets, { type: 'digest.published', title: 'daily digest, 2026-11-23 UTC' });
}

/** Model names that would turn into markup if they were not escaped (HTML, Markdown, entities). */
export const HOSTILE = ['<b>bold</b>', 'R&D &amp; co', '</a><a href="https://evil.example">click</a>', '*gpt*_4_', '[link](https://evil.example)', '"quoted" \'single\'', '&#60;script&#62;', '<tg-spoiler>x</tg-spoiler>'];
