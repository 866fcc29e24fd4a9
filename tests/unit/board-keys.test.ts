import { describe, expect, it } from 'vitest';
import { makeEntry, type Entry, type StoredEntry } from '../../src/entry.ts';
import { assignBoardKeys, keyOverlap } from '../../src/ingest/board-keys.ts';
import { loadIdentity } from '../../src/identity/identity.ts';

const row = (model: string, extra: Partial<StoredEntry> = {}): StoredEntry => ({ ...makeEntry({ model, name: model, rank: 1, score: 1000 }), ...extra });
/** A stand-in for model identity: lower case, spaces and underscores as dashes. */
const canonical = (entry: Entry) => entry.model.toLowerCase().replace(/[\s_]+/g, '-');
const keys = (entries: readonly StoredEntry[]) => entries.map((entry) => [entry.model, entry.sourceKey ?? null]);

describe('assignBoardKeys: one key per model, whatever the format', () => {
  it('a board new to rankwatch takes the canonical ids, the published key kept beside', () => {
    expect(keys(assignBoardKeys([row('GPT 4o'), row('claude-3')], [], canonical))).toEqual([
      ['gpt-4o', 'GPT 4o'],
      ['claude-3', null],
    ]);
  });

  it('another format of the same models lands on the same keys', () => {
    const stored = assignBoardKeys([row('GPT 4o'), row('Claude_3')], [], canonical);
    expect(keys(assignBoardKeys([row('gpt-4o'), row('claude-3'), row('new model')], stored, canonical))).toEqual([
      ['gpt-4o', null],
      ['claude-3', null],
      ['new-model', 'new model'],
    ]);
  });

  it('a model keeps the key it has on the board: stored before board keys existed, or under tables edited since', () => {
    // Stored under the published key (as rankwatch stored keys before), matched by that key...
    const legacy = [row('GPT 4o'), row('Claude 3')];
    expect(keys(assignBoardKeys([row('GPT 4o'), row('Claude 3')], legacy, canonical))).toEqual([
      ['GPT 4o', null],
      ['Claude 3', null],
    ]);
    // ...and a capture in another format maps onto those keys through the canonical id.
    expect(keys(assignBoardKeys([row('gpt-4o'), row('claude-3')], legacy, canonical))).toEqual([
      ['GPT 4o', 'gpt-4o'],
      ['Claude 3', 'claude-3'],
    ]);
  });

  it('two rows the tables merge stay two models, each under a key of its own', () => {
    const merged = assignBoardKeys([row('GPT 4o'), row('gpt-4o'), row('GPT_4o')], [], canonical);
    expect(keys(merged)).toEqual([
      ['gpt-4o', 'GPT 4o'],
      ['gpt-4o [2]', 'gpt-4o'],
      ['GPT_4o', null],
    ]);
    expect(new Set(merged.map((entry) => entry.model)).size).toBe(3);
  });

  it("a stored row's own key wins over another entry's canonical id", () => {
    // `b` is stored under "a-key"; a new entry whose canonical id is "a-key" must not take it from `b`.
    const stored = [row('a-key', { sourceKey: 'b' })];
    expect(keys(assignBoardKeys([row('A Key'), row('b')], stored, canonical))).toEqual([
      ['A Key', null],
      ['a-key', 'b'],
    ]);
  });

  it('with the shipped identity tables, LMArena CSV names and arena-catalog keys meet', () => {
    const identity = loadIdentity();
    const keyOf = (entry: Entry) => identity.resolve('lmarena', entry).id;
    const csv = assignBoardKeys([row('Gemini-2.5-Pro'), row('ChatGPT-4o-latest (2025-03-26)'), row('Claude 3.7 Sonnet (thinking-32k)')], [], keyOf);
    const catalog = assignBoardKeys([row('gemini-2.5-pro'), row('chatgpt-4o-latest-20250326'), row('claude-3-7-sonnet-20250219-thinking-32k')], csv, keyOf);
    expect(catalog.map((entry) => entry.model)).toEqual(csv.map((entry) => entry.model));
    expect(keyOverlap(csv, catalog)).toBe(1);
  });
});

describe('keyOverlap', () => {
  it('is the share of the last snapshot listed again under the same key', () => {
    expect(keyOverlap([row('a'), row('b'), row('c'), row('d')], [row('a'), row('b'), row('x')])).toBe(0.5);
    expect(keyOverlap([], [row('a')])).toBe(1);
  });
});
