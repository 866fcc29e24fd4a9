import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { swebench } from '../../scrapers/swebench.ts';
import { makeEntry, type Entry } from '../../src/entry.ts';
import { ParseError } from '../../src/errors.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/swebench/${name}`, import.meta.url), 'utf8');
const parse = (name: string, board: string) => swebench.parse(fixture(name), { board, fileName: name.split('/').at(-1) });

/** rank, model (folder), name, organization, score (% resolved) */
type Row = [number | null, string, string, string | null, number | null];
const rows = (entries: Entry[]): Row[] => entries.map((e) => [e.rank, e.model, e.name, e.organization, e.score]);

describe('SWE-bench parse: every board of both eras of leaderboards.json', () => {
  it.each<[string, string, Row[]]>([
    [
      // Early era (oss/verified/org_logo, no tags): no organization; ties at 40.6 share rank 2; display names repeat, folders do not.
      'leaderboards-2025-05.json',
      'swebench-verified',
      [
        [1, '20250201_bolt_coder', 'Bolt Coder', null, 65.4],
        [2, '20241105_cobalt', 'Cobalt', null, 40.6],
        [2, '20250101_acme_agent_v1', 'Acme Agent v1', null, 40.6],
        [4, '20240912_cobalt', 'Cobalt', null, 38.2],
        [5, '20231010_rag_dune', 'Dune RAG baseline', null, 1.4],
      ],
    ],
    ['leaderboards-2025-05.json', 'swebench-lite', [[1, '20250201_bolt_coder', 'Bolt Coder', null, 55], [2, '20250101_acme_agent_v1', 'Acme Agent v1', null, 48.33]]],
    // The `Test` tab is the board the site calls Full.
    ['leaderboards-2025-05.json', 'swebench-full', [[1, '20250201_bolt_coder', 'Bolt Coder', null, 33.83], [2, '20250101_acme_agent_v1', 'Acme Agent v1', null, 30.5]]],
    ['leaderboards-2025-05.json', 'swebench-multimodal', [[1, '20250110_eagle_vision', 'Eagle Vision Agent', null, 29.59]]],
    [
      // Later era: organization from the first `Org:` tag; an entry without one has none; a tie at the top.
      'leaderboards-2025-09.json',
      'swebench-verified',
      [
        [1, '20250701_harbor_agent_ice-1', 'Harbor Agent', null, 74.4],
        [1, '20250920_harbor_agent_frost-2', 'Harbor Agent', 'Harbor AI', 74.4],
        [3, '20250901_mini-v1.13.0_frost-2', 'Frost 2 (20250901)', 'Frost Labs', 70.6],
        [4, '20250815_mini-v1.9.1_glacier-30b', 'Glacier Open 30B', 'Glacier', 55],
      ],
    ],
    [
      'leaderboards-2025-09.json',
      'swebench-bash-only',
      [
        [1, '20250901_mini-v1.13.0_frost-2', 'Frost 2 (20250901)', 'Frost Labs', 67.6],
        [2, '20250815_mini-v1.9.1_glacier-30b', 'Glacier Open 30B', 'Glacier', 52.1],
      ],
    ],
    ['leaderboards-2025-09.json', 'swebench-full', [[1, '20250201_bolt_coder', 'Bolt Coder', 'Bolt', 33.83]]],
    ['leaderboards-2025-09.json', 'swebench-lite', [[1, '20250201_bolt_coder', 'Bolt Coder', 'Bolt', 55]]],
    ['leaderboards-2025-09.json', 'swebench-multimodal', [[1, '20250110_eagle_vision', 'Eagle Vision Agent', 'Eagle', 35.98]]],
  ])('%s → %s', (name, board, expected) => {
    const parsed = parse(name, board);
    expect(parsed.format).toBe('swebench-leaderboards-json');
    expect(parsed.publishedAt).toBeNull();
    expect(rows(parsed.entries)).toEqual(expected);
  });

  it('returns complete normalized entries (no votes, no interval, no prices: run costs are not token prices)', () => {
    expect(parse('leaderboards-2025-09.json', 'swebench-bash-only').entries[0]).toEqual(
      makeEntry({ rank: 1, model: '20250901_mini-v1.13.0_frost-2', name: 'Frost 2 (20250901)', organization: 'Frost Labs', score: 67.6 }),
    );
  });

  it('every board is static, kebab-case, fetched daily from the raw GitHub file', () => {
    expect(swebench.boards.map((b) => b.id)).toEqual(['swebench-verified', 'swebench-lite', 'swebench-full', 'swebench-multimodal', 'swebench-bash-only']);
    for (const board of swebench.boards) {
      expect(board.live?.url).toBe('https://raw.githubusercontent.com/SWE-bench/swe-bench.github.io/master/data/leaderboards.json');
      expect(board.live?.schedule).toMatch(/^\d+ \d+ \* \* \*$/);
    }
  });
});

describe('SWE-bench parse: bad input is a ParseError that says what it expected and found', () => {
  it.each([
    ['empty', '', 'swebench-verified', /expected SWE-bench leaderboards.json, found an empty document/],
    ['whitespace', ' \n\t', 'swebench-verified', /found an empty document/],
    ['error page', 'broken/error-page.html', 'swebench-verified', /expected SWE-bench leaderboards.json, found an HTML page titled "429 Too Many Requests"/],
    ['Cloudflare challenge', 'broken/cloudflare.html', 'swebench-verified', /found a Cloudflare challenge page \("Just a moment\.\.\."\)/],
    ['JSON cut off', 'broken/truncated.json', 'swebench-verified', /expected SWE-bench leaderboards.json, found malformed JSON/],
    ['top-level key renamed', 'broken/renamed-keys.json', 'swebench-verified', /expected SWE-bench leaderboards.json: leaderboards an array, found no "leaderboards" among keys "boards"/],
    ['score key renamed', 'broken/renamed-score.json', 'swebench-verified', /expected SWE-bench leaderboards.json: leaderboards\[\d+\]\.results\[0\]\.resolved a number \(% resolved\), found result "20250201_bolt_coder": no "resolved" among keys "name, folder, pct_resolved"/],
    ['a tab with no results', 'broken/empty-results.json', 'swebench-verified', /expected SWE-bench leaderboards.json "Verified" with at least one model, found no rows/],
    ['a file without the board\'s tab', 'leaderboards-2025-05.json', 'swebench-bash-only', /with a "bash-only" leaderboard, found leaderboards "Test", "Verified", "Lite", "Multimodal"/],
    ['plain text', 'Service unavailable', 'swebench-verified', /found text starting "Service unavailable"/],
    ['an unknown board', 'leaderboards-2025-05.json', 'swebench-nope', /expected one of the SWE-bench boards .* found board "swebench-nope"/],
  ])('%s', (_name, input, board, message) => {
    const body = /\.(json|html)$/.test(input) ? fixture(input) : input;
    const attempt = () => swebench.parse(body, { board });
    expect(attempt).toThrow(ParseError);
    expect(attempt).toThrow(message);
  });

  it('refuses a percentage outside 0-100 and two different rows under one folder', () => {
    const document = JSON.parse(fixture('leaderboards-2025-09.json')) as { leaderboards: { name: string; results: { folder: string; resolved: number }[] }[] };
    const verified = document.leaderboards.find((tab) => tab.name === 'Verified')!;
    verified.results[0]!.resolved = 744;
    expect(() => swebench.parse(JSON.stringify(document), { board: 'swebench-verified' })).toThrow(/expected SWE-bench leaderboards.json: leaderboards\[\d+\]\.results\[0\]\.resolved a percentage \(0-100\), found result "20250920_harbor_agent_frost-2": 744/);
    verified.results[0]!.resolved = 74.4;
    verified.results[1]!.folder = verified.results[0]!.folder;
    expect(() => swebench.parse(JSON.stringify(document), { board: 'swebench-verified' })).toThrow(/one row per model, found "20250920_harbor_agent_frost-2" twice/);
  });
});
