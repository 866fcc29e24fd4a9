import { makeEntry, type Entry } from '../src/entry.ts';
import { ParseError } from '../src/errors.ts';
import { finishEntries } from './lib/entries.ts';
import { sniff, unexpectedBody } from './lib/sniff.ts';
import { competitionRanks } from './lib/rank.ts';
import { excerpt } from './lib/values.ts';
import type { BoardDefinition, ParseContext, ParsedSnapshot, Scraper } from './scraper.ts';

/**
 * Artificial Analysis (artificialanalysis.ai). One format: `aa-llms-json`, the body of
 * `GET /api/v2/data/llms/models` (`{status, prompt_options, data: [model…]}`), which carries every
 * index of every model, so each board reads its own index from the same document.
 */

/** Per board: the key of its index under `evaluations`. */
interface AaBoard {
  definition: BoardDefinition;
  index: string;
}

const API_URL = 'https://artificialanalysis.ai/api/v2/data/llms/models';

function live() {
  return {
    url: API_URL,
    format: 'aa-llms-json',
    // Prices move with providers; three boards hourly is 72 requests a day, within the free tier.
    schedule: '0 * * * *',
    accept: 'application/json',
    apiKey: { env: 'RANKWATCH_ARTIFICIALANALYSIS_API_KEY', header: 'x-api-key' },
  };
}

// Every model is kept (null score, null rank when unscored), so all three boards are ~550+ rows.
const HEALTH = { minEntries: 250, maxDropFraction: 0.2, ranksFollowScores: true };

const BOARDS: readonly AaBoard[] = [
  {
    definition: {
      id: 'artificialanalysis-intelligence',
      name: 'Artificial Analysis Intelligence Index',
      direction: 'higher',
      scoreLabel: 'Artificial Analysis Intelligence Index (0-100)',
      live: live(),
      health: HEALTH,
    },
    index: 'artificial_analysis_intelligence_index',
  },
  {
    definition: {
      id: 'artificialanalysis-coding',
      name: 'Artificial Analysis Coding Index',
      direction: 'higher',
      scoreLabel: 'Artificial Analysis Coding Index (0-100)',
      live: live(),
      health: HEALTH,
    },
    index: 'artificial_analysis_coding_index',
  },
  {
    definition: {
      id: 'artificialanalysis-math',
      name: 'Artificial Analysis Math Index',
      direction: 'higher',
      scoreLabel: 'Artificial Analysis Math Index (0-100)',
      live: live(),
      health: HEALTH,
    },
    index: 'artificial_analysis_math_index',
  },
];

const WHAT = 'Artificial Analysis models JSON';
const EXPECTED = `${WHAT} (GET /api/v2/data/llms/models: {"status": 200, "data": [...]})`;

function boardOf(context: ParseContext): AaBoard {
  const board = BOARDS.find((candidate) => candidate.definition.id === context.board);
  if (!board) throw new ParseError(`one of the Artificial Analysis boards (${BOARDS.map((b) => b.definition.id).join(', ')})`, `board ${JSON.stringify(context.board)}`);
  return board;
}

/** A value as JSON, cut short, for "found …" in parse errors. */
const show = (value: unknown, length = 80) => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > length ? `${text.slice(0, length)}…` : text;
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The `data` array of the response, or a ParseError describing what came instead (error JSON, 401 body...). */
function modelsOf(text: string): unknown[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ParseError(EXPECTED, `malformed JSON (${(error as Error).message}); the response may be cut off`, { cause: error });
  }
  if (!isObject(document)) throw new ParseError(EXPECTED, `JSON ${Array.isArray(document) ? 'array' : 'value'} ${excerpt(text)}`);
  const status = document.status;
  // An auth failure or rate limit can arrive as a JSON body with its own status or an error message.
  const failed = (typeof status === 'number' && status !== 200) || (document.error !== undefined && document.error !== null);
  if (failed || (!('data' in document) && 'message' in document)) {
    throw new ParseError(EXPECTED, `an error response ${show(document, 160)}`);
  }
  if (!Array.isArray(document.data)) throw new ParseError(EXPECTED, `keys ${excerpt(Object.keys(document).join(', '))}`);
  return document.data;
}

interface AaModel {
  id: string;
  name: string;
  organization: string | null;
  score: number | null;
  priceInput: number | null;
  priceOutput: number | null;
}

/** A number or null from an optional numeric field; anything else is a ParseError naming the model and field. */
function numberOrNull(value: unknown, field: string, where: string): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw new ParseError(`${WHAT}: ${field} a number or null`, `${where}: ${show(value)}`);
}

function readModel(raw: unknown, position: number, index: string): AaModel {
  if (!isObject(raw)) throw new ParseError(`${WHAT}: an object per model`, `data[${position}]: ${show(raw)}`);
  const { id, name } = raw;
  if (typeof id !== 'string' || id.trim() === '') throw new ParseError(`${WHAT}: a model id in every row`, `data[${position}]: ${show(raw)}`);
  const where = `model ${JSON.stringify(id)}`;
  if (typeof name !== 'string' || name.trim() === '') throw new ParseError(`${WHAT}: a model name in every row`, `${where}: name ${show(name)}`);
  if (!isObject(raw.evaluations)) throw new ParseError(`${WHAT}: an evaluations object per model`, `${where}: keys ${Object.keys(raw).join(', ')}`);
  const creator = isObject(raw.model_creator) && typeof raw.model_creator.name === 'string' ? raw.model_creator.name.trim() : '';
  const pricing = isObject(raw.pricing) ? raw.pricing : {};
  let priceInput = numberOrNull(pricing.price_1m_input_tokens, 'pricing.price_1m_input_tokens', where);
  let priceOutput = numberOrNull(pricing.price_1m_output_tokens, 'pricing.price_1m_output_tokens', where);
  // AA fills 0 for models it has no priced endpoint for (GPT-5.5 Pro, Gemini 3 Deep Think, open
  // weights without a host): "no price", not "free".
  if (priceInput === 0 && priceOutput === 0) {
    priceInput = null;
    priceOutput = null;
  }
  return {
    id: id.trim(),
    name: name.trim(),
    organization: creator || null,
    score: numberOrNull(raw.evaluations[index], `evaluations.${index}`, where),
    priceInput,
    priceOutput,
  };
}

function parseModels(text: string, board: AaBoard): ParsedSnapshot {
  const data = modelsOf(text);
  const models = data.map((raw, position) => readModel(raw, position, board.index));
  // Unscored models are kept, but a board where no model has the index means the key was renamed.
  if (models.length > 0 && models.every((model) => model.score === null)) {
    const keys = new Set(data.flatMap((raw) => (isObject(raw) && isObject(raw.evaluations) ? Object.keys(raw.evaluations) : [])));
    throw new ParseError(`${WHAT}: evaluations.${board.index} on some model`, `none of ${models.length} models has it (evaluation keys: ${excerpt([...keys].join(', '), 160)})`);
  }
  const ranks = competitionRanks(
    models.map((model) => model.score),
    board.definition.direction,
  );
  const entries: Entry[] = models.map((model, i) =>
    makeEntry({
      rank: ranks[i] ?? null,
      // The UUID: AA reuses slugs (on 2026-07-23 `hy3` moved to a new model, the old one became `hy3-preview`).
      model: model.id,
      name: model.name,
      organization: model.organization,
      score: model.score,
      priceInput: model.priceInput,
      priceOutput: model.priceOutput,
    }),
  );
  return { entries: finishEntries(entries, WHAT, board.definition.direction), format: 'aa-llms-json', publishedAt: null };
}

/** Recognises the API's JSON; HTML (error page, challenge, login) and other text are ParseErrors. */
function parse(body: string, context: ParseContext): ParsedSnapshot {
  const board = boardOf(context);
  const sniffed = sniff(body);
  if (sniffed.kind !== 'json') throw unexpectedBody(EXPECTED, sniffed);
  return parseModels(sniffed.text, board);
}

/** The Artificial Analysis source. */
export const artificialAnalysis: Scraper = {
  id: 'artificialanalysis',
  name: 'Artificial Analysis',
  homepage: 'https://artificialanalysis.ai/leaderboards/models',
  terms:
    'Official free Data API (key from the AA Insights platform, x-api-key header, 1,000 requests/day on the free tier); ' +
    'attribution to artificialanalysis.ai is required wherever the data is shown. rankwatch only calls the API, ' +
    'one request per board per hour, and never scrapes the website.',
  parserVersion: '1',
  boards: BOARDS.map((board) => board.definition),
  docs: {
    formats: '`GET /api/v2/data/llms/models`',
    live: 'the same API, with `RANKWATCH_ARTIFICIALANALYSIS_API_KEY` (without it the boards are "not configured")',
  },
  parse,
};
