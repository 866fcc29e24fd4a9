import { z } from 'zod';
import { makeEntry, type Entry } from '../src/entry.ts';
import { ParseError } from '../src/errors.ts';
import { finishEntries } from './lib/entries.ts';
import { sniff, unexpectedBody } from './lib/sniff.ts';
import { competitionRanks } from './lib/rank.ts';
import { parseJson, validate } from './lib/schema.ts';
import { parseNumber } from './lib/values.ts';
import type { BoardDefinition, HealthThresholds, ParseContext, ParsedSnapshot, Scraper } from './scraper.ts';

/**
 * SWE-bench (swebench.com). The site is built from `data/leaderboards.json` in
 * SWE-bench/swe-bench.github.io: `{"leaderboards": [{"name": "Verified", "results": [...]}, ...]}`,
 * one object per tab. Each result is a submission (agent + model) keyed by its `folder`; `resolved`
 * is the % of instances resolved, the only ranking score. No rank is published, so ranks are
 * competition ranks of `resolved` (ties are frequent: one decimal on 500 instances).
 * Two eras of result keys are read the same way: up to mid-2025 (`oss`, `verified`, `org_logo`),
 * later (`os_model`, `os_system`, `checked`, `tags` with `Org: ...`, costs).
 */

// The raw file in the site's repository. SOURCE.md notes the file grew to several MB after
// 2025-11-19 and later left `data/`; if the path moves, the board's URL is overridden by environment.
const DATA_URL = 'https://raw.githubusercontent.com/SWE-bench/swe-bench.github.io/master/data/leaderboards.json';
const FORMAT = 'swebench-leaderboards-json';
const WHAT = 'SWE-bench leaderboards.json';

/** Per board: the `name` of its tab in leaderboards.json (matched case-insensitively). */
interface SwebenchBoard {
  definition: BoardDefinition;
  tabs: readonly string[];
}

function board(id: string, name: string, tabs: readonly string[], health: HealthThresholds): SwebenchBoard {
  return {
    definition: {
      id,
      name,
      direction: 'higher',
      scoreLabel: '% resolved',
      live: { url: DATA_URL, format: FORMAT, schedule: '40 6 * * *', accept: 'application/json' },
      health,
    },
    tabs,
  };
}

// Floors well below the captured sizes (Verified 69-150, Lite 66-84, Test 20-22, Multimodal 13-21, bash-only 12-22).
const BOARDS: readonly SwebenchBoard[] = [
  board('swebench-verified', 'SWE-bench Verified', ['Verified'], { minEntries: 30, maxDropFraction: 0.3 }),
  board('swebench-lite', 'SWE-bench Lite', ['Lite'], { minEntries: 30, maxDropFraction: 0.3 }),
  // The site labels the `Test` tab "Full" (all 2294 test instances).
  board('swebench-full', 'SWE-bench Full', ['Test', 'Full'], { minEntries: 8, maxDropFraction: 0.3 }),
  board('swebench-multimodal', 'SWE-bench Multimodal', ['Multimodal'], { minEntries: 5, maxDropFraction: 0.3 }),
  board('swebench-bash-only', 'SWE-bench Bash Only', ['bash-only', 'Bash Only'], { minEntries: 5, maxDropFraction: 0.3 }),
];

function boardOf(context: ParseContext): SwebenchBoard {
  const found = BOARDS.find((candidate) => candidate.definition.id === context.board);
  if (!found) throw new ParseError(`one of the SWE-bench boards (${BOARDS.map((b) => b.definition.id).join(', ')})`, `board ${JSON.stringify(context.board)}`);
  return found;
}

/** A percentage, as a number or a numeric string. */
const PERCENT = z.preprocess(
  (value) => parseNumber(value) ?? value,
  z.number({ error: 'a number (% resolved)' }).min(0, { error: 'a percentage (0-100)' }).max(100, { error: 'a percentage (0-100)' }),
);

/** One submission of a tab; two eras of keys (`oss`, `verified`, then `os_model`, `tags`, costs) are read alike. */
const ResultSchema = z.object({
  folder: z.string({ error: 'a "folder" (submission id)' }).trim().min(1, { error: 'a "folder" (submission id)' }),
  name: z.string().trim().optional().catch(undefined),
  resolved: PERCENT,
  tags: z.array(z.unknown()).optional().catch(undefined),
});

const DocumentSchema = z.object({
  leaderboards: z.array(z.looseObject({ name: z.string().trim().optional().catch(undefined) })),
});

const TabSchema = z.looseObject({ results: z.array(ResultSchema) });

/** The submitting organization: the first `Org: ...` tag (later era); the early era names none. */
function organizationOf(tags: readonly unknown[] | undefined): string | null {
  for (const tag of tags ?? []) {
    const match = typeof tag === 'string' ? /^Org:\s*(.+)$/.exec(tag.trim()) : null;
    if (match?.[1]) return match[1].trim();
  }
  return null;
}

function parseDocument(text: string, chosen: SwebenchBoard): ParsedSnapshot {
  const { leaderboards } = parseJson(text, { what: WHAT, schema: DocumentSchema });
  const wanted = chosen.tabs.map((tab) => tab.toLowerCase());
  const at = leaderboards.findIndex((candidate) => candidate.name !== undefined && wanted.includes(candidate.name.toLowerCase()));
  if (at < 0) {
    const names = leaderboards.map((tab) => JSON.stringify(tab.name ?? '?'));
    throw new ParseError(`${WHAT} with a "${chosen.tabs[0]}" leaderboard`, names.length > 0 ? `leaderboards ${names.join(', ')}` : 'no leaderboards');
  }
  const tab = leaderboards[at]!;
  const label = `${WHAT} "${String(tab.name)}"`;
  const { results } = validate(tab, { what: WHAT, schema: TabSchema, at: ['leaderboards', at], rows: { key: 'folder', noun: 'result' } });
  const ranks = competitionRanks(
    results.map((result) => result.resolved),
    chosen.definition.direction,
  );
  const entries: Entry[] = results.map((result, i) =>
    makeEntry({ rank: ranks[i] ?? null, model: result.folder, name: result.name || result.folder, organization: organizationOf(result.tags), score: result.resolved }),
  );
  return { entries: finishEntries(entries, label, chosen.definition.direction), format: FORMAT, publishedAt: null };
}

/** Recognises leaderboards.json, and names what arrived instead (HTML page, empty body, other text). */
function parse(body: string, context: ParseContext): ParsedSnapshot {
  const chosen = boardOf(context);
  const sniffed = sniff(body);
  if (sniffed.kind !== 'json') throw unexpectedBody(WHAT, sniffed);
  return parseDocument(sniffed.text, chosen);
}

/** The SWE-bench source: one board per leaderboard tab of leaderboards.json. */
export const swebench: Scraper = {
  id: 'swebench',
  name: 'SWE-bench',
  homepage: 'https://www.swebench.com/',
  terms:
    'Results published openly by the SWE-bench team in the public repository SWE-bench/swe-bench.github.io (the data file ' +
    'the swebench.com site is built from). rankwatch reads that one JSON file once a day from raw.githubusercontent.com, ' +
    'never the site pages, and links back to swebench.com.',
  parserVersion: '1',
  boards: BOARDS.map((entry) => entry.definition),
  docs: {
    formats: '`data/leaderboards.json`',
    live: 'the GitHub file',
  },
  parse,
};
