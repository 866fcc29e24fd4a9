import { z } from 'zod';
import { makeEntry, type Entry } from '../src/entry.ts';
import { ParseError } from '../src/errors.ts';
import { finishEntries } from './lib/entries.ts';
import { sniff, unexpectedBody } from './lib/sniff.ts';
import { competitionRanks } from './lib/rank.ts';
import { JsonObjectSchema, parseJson, refuseErrorBody, validate } from './lib/schema.ts';
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

const NUMBER_OR_NULL = z.number({ error: 'a number or null' }).nullish();

/** GET /api/v2/data/llms/models, as a board reads it: each model's id, name, prices and the board's index under `evaluations`. */
const modelsSchema = (index: string) =>
  z.object({
    data: z.array(
      z.object({
        id: z.string({ error: 'a model id' }).trim().min(1, { error: 'a model id' }),
        name: z.string({ error: 'a model name' }).trim().min(1, { error: 'a model name' }),
        evaluations: z.object({ [index]: NUMBER_OR_NULL }, { error: 'an evaluations object' }),
        // Only the creator's name is read; an odd creator is no creator.
        model_creator: z.object({ name: z.string().trim() }).nullish().catch(null),
        pricing: z.object({ price_1m_input_tokens: NUMBER_OR_NULL, price_1m_output_tokens: NUMBER_OR_NULL }).nullish(),
      }),
    ),
  });

/** The evaluation keys the models have, to name them when a board's index was renamed. */
const EvaluationKeysSchema = z.object({ data: z.array(z.object({ evaluations: z.record(z.string(), z.unknown()) })) });

/** One schema per board, built once (building a zod schema costs more than validating a document with it). */
const SCHEMAS = new Map(BOARDS.map((board) => [board.index, modelsSchema(board.index)]));

function parseModels(text: string, board: AaBoard): ParsedSnapshot {
  const document = parseJson(text, { what: WHAT, expected: EXPECTED, schema: JsonObjectSchema });
  refuseErrorBody(document, EXPECTED);
  const { data } = validate(document, { what: WHAT, expected: EXPECTED, schema: SCHEMAS.get(board.index)!, rows: { key: 'id', noun: 'model' } });
  const scores = data.map((model) => model.evaluations[board.index] ?? null);
  // Unscored models are kept, but a board where no model has the index means the key was renamed.
  if (data.length > 0 && scores.every((score) => score === null)) {
    const keys = new Set(validate(document, { what: WHAT, schema: EvaluationKeysSchema }).data.flatMap((model) => Object.keys(model.evaluations)));
    throw new ParseError(`${WHAT}: evaluations.${board.index} on some model`, `none of ${data.length} models has it (evaluation keys: ${excerpt([...keys].join(', '), 160)})`);
  }
  const models = data.map((model, i) => {
    let priceInput = model.pricing?.price_1m_input_tokens ?? null;
    let priceOutput = model.pricing?.price_1m_output_tokens ?? null;
    // AA fills 0 for models it has no priced endpoint for (GPT-5.5 Pro, Gemini 3 Deep Think, open
    // weights without a host): "no price", not "free".
    if (priceInput === 0 && priceOutput === 0) {
      priceInput = null;
      priceOutput = null;
    }
    return { id: model.id, name: model.name, organization: model.model_creator?.name || null, score: scores[i] ?? null, priceInput, priceOutput };
  });
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
