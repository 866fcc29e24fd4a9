import { makeEntry, type Entry } from '../src/entry.ts';
import { ParseError } from '../src/errors.ts';
import { finishEntries } from './lib/entries.ts';
import { sniff, unexpectedBody } from './lib/sniff.ts';
import { competitionRanks } from './lib/rank.ts';
import { excerpt, parseNumber } from './lib/values.ts';
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

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The submitting organization: the first `Org: ...` tag (later era); the early era names none. */
function organizationOf(tags: unknown): string | null {
  if (!Array.isArray(tags)) return null;
  for (const tag of tags) {
    const match = typeof tag === 'string' ? /^Org:\s*(.+)$/.exec(tag.trim()) : null;
    if (match?.[1]) return match[1].trim();
  }
  return null;
}

function resultRow(raw: unknown, where: string): { folder: string; name: string; resolved: number; organization: string | null } {
  if (!isObject(raw)) throw new ParseError(`${WHAT}: an object per result`, `${where}: ${excerpt(JSON.stringify(raw))}`);
  const folder = typeof raw.folder === 'string' ? raw.folder.trim() : '';
  if (!folder) throw new ParseError(`${WHAT}: a "folder" (submission id) in every result`, `${where}: keys ${excerpt(Object.keys(raw).join(', '))}`);
  const resolved = parseNumber(raw.resolved);
  if (resolved === undefined || resolved === null) {
    const found = 'resolved' in raw ? excerpt(JSON.stringify(raw.resolved)) : `no "resolved" among keys ${excerpt(Object.keys(raw).join(', '))}`;
    throw new ParseError(`${WHAT}: a numeric "resolved" (% resolved) in every result`, `${where} (${folder}): ${found}`);
  }
  if (resolved < 0 || resolved > 100) throw new ParseError(`${WHAT}: "resolved" as a percentage (0-100)`, `${where} (${folder}): ${resolved}`);
  const name = typeof raw.name === 'string' && raw.name.trim() ? raw.name.trim() : folder;
  return { folder, name, resolved, organization: organizationOf(raw.tags) };
}

function parseDocument(text: string, chosen: SwebenchBoard): ParsedSnapshot {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ParseError(WHAT, `malformed JSON (${(error as Error).message})`, { cause: error });
  }
  if (!isObject(document) || !Array.isArray(document.leaderboards)) {
    const found = isObject(document) ? `keys ${excerpt(Object.keys(document).join(', '))}` : excerpt(text);
    throw new ParseError(`${WHAT}: an object with a "leaderboards" array`, found);
  }
  const tabs = document.leaderboards.filter(isObject);
  const names = tabs.map((tab) => (typeof tab.name === 'string' ? tab.name : '?'));
  const wanted = chosen.tabs.map((tab) => tab.toLowerCase());
  const tab = tabs.find((candidate) => typeof candidate.name === 'string' && wanted.includes(candidate.name.trim().toLowerCase()));
  if (!tab) {
    throw new ParseError(`${WHAT} with a "${chosen.tabs[0]}" leaderboard`, names.length > 0 ? `leaderboards ${names.map((name) => JSON.stringify(name)).join(', ')}` : 'no leaderboards');
  }
  const label = `${WHAT} "${String(tab.name)}"`;
  if (!Array.isArray(tab.results)) throw new ParseError(`${label}: a "results" array`, `keys ${excerpt(Object.keys(tab).join(', '))}`);
  const rows = tab.results.map((raw, i) => resultRow(raw, `result ${i + 1}`));
  const ranks = competitionRanks(
    rows.map((row) => row.resolved),
    chosen.definition.direction,
  );
  const entries: Entry[] = rows.map((row, i) =>
    makeEntry({ rank: ranks[i] ?? null, model: row.folder, name: row.name, organization: row.organization, score: row.resolved }),
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
