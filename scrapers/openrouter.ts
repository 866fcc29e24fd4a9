import { DEFAULT_PRICE_SETTLE } from '../src/diff/settle.ts';
import { z } from 'zod';
import { makeEntry } from '../src/entry.ts';
import { ParseError } from '../src/errors.ts';
import { finishEntries } from './lib/entries.ts';
import { sniff, unexpectedBody } from './lib/sniff.ts';
import { JsonObjectSchema, parseJson, refuseErrorBody, validate } from './lib/schema.ts';
import { excerpt } from './lib/values.ts';
import type { BoardDefinition, ParseContext, ParsedSnapshot, Scraper } from './scraper.ts';

/**
 * OpenRouter's model catalogue. One format: `openrouter-models-json`, the body of
 * `GET /api/v1/models` (`{data: [model…]}`). It is a price list, not a leaderboard: no rank, no
 * score, prices per 1M tokens, lower is better.
 */

const BOARD: BoardDefinition = {
  id: 'openrouter-prices',
  name: 'OpenRouter prices',
  direction: 'lower',
  scoreLabel: 'none (price list: USD per 1M input and output tokens)',
  live: {
    url: 'https://openrouter.ai/api/v1/models',
    format: 'openrouter-models-json',
    schedule: '0 * * * *',
    accept: 'application/json',
  },
  // ~330-355 models in the captures; bulk removals of ~16 at once happen, halving never.
  health: { minEntries: 150, maxDropFraction: 0.25 },
  // Listed prices follow the current primary provider and flip back and forth within hours.
  settle: DEFAULT_PRICE_SETTLE,
};

const WHAT = 'OpenRouter models JSON';
const EXPECTED = `${WHAT} (GET /api/v1/models: {"data": [...]})`;

const DECIMAL = /^(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/;

/**
 * USD per token (a decimal string such as `"0.00000026"`) as USD per 1M tokens. The decimal point
 * is moved in the text, so `"0.000003"` gives exactly 3 (multiplying by 1e6 gives 2.9999999999999996).
 * Negative values (`"-1"`) mark a variable price (router models): null, not a price. Undefined when
 * the value is not a number.
 */
export function pricePerMillion(value: unknown): number | null | undefined {
  if (value === null || value === undefined) return null;
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : undefined;
  if (text === undefined || text === '') return undefined;
  if (text.startsWith('-')) return Number.isFinite(Number(text)) ? null : undefined;
  const match = DECIMAL.exec(text.replace(/^\+/, ''));
  const whole = match?.[1] ?? '';
  const fraction = match?.[2] ?? '';
  if (!match || whole + fraction === '') return undefined;
  const result = Number(`${whole}${fraction}e${Number(match[3] ?? 0) - fraction.length + 6}`);
  return Number.isFinite(result) ? result : undefined;
}

/** A price per token as USD per 1M tokens (null: variable). */
const PRICE = z.unknown().transform((value, context) => {
  const price = pricePerMillion(value);
  if (price !== undefined) return price;
  context.addIssue({ code: 'custom', message: 'a decimal string (USD per token)' });
  return z.NEVER;
});

/** GET /api/v1/models: a model lacking a price key is allowed; every price present must be a decimal. */
const ModelsSchema = z.object({
  data: z.array(
    z.object({
      id: z.string({ error: 'a model id' }).trim().min(1, { error: 'a model id' }),
      // A missing or odd name falls back to the id.
      name: z.string().trim().optional().catch(undefined),
      pricing: z.object({ prompt: PRICE.optional(), completion: PRICE.optional() }, { error: 'a pricing object' }),
    }),
  ),
});

/** The pricing keys the models have, to name them when the price keys were renamed. */
const PricingKeysSchema = z.object({ data: z.array(z.object({ pricing: z.record(z.string(), z.unknown()) })) });

const MODELS = { what: WHAT, expected: EXPECTED, schema: ModelsSchema, rows: { key: 'id', noun: 'model' } };

function parseModels(text: string): ParsedSnapshot {
  const document = parseJson(text, { what: WHAT, expected: EXPECTED, schema: JsonObjectSchema });
  refuseErrorBody(document, EXPECTED);
  const models = validate(document, MODELS).data;
  // A model may lack a price key, but none having one means the keys were renamed.
  if (models.length > 0 && !models.some((model) => 'prompt' in model.pricing || 'completion' in model.pricing)) {
    const keys = new Set(validate(document, { ...MODELS, schema: PricingKeysSchema }).data.flatMap((model) => Object.keys(model.pricing)));
    throw new ParseError(`${WHAT}: pricing.prompt and pricing.completion on the models`, `none of ${models.length} models has them (pricing keys: ${excerpt([...keys].join(', '), 160)})`);
  }
  const entries = models.map((model) => {
    const id = model.id;
    // The id's author prefix (`anthropic/…`) is the only organization field every model has; the
    // "Anthropic: " name prefix is missing on a dozen models.
    const slash = id.indexOf('/');
    return makeEntry({
      // The full id: `foo/bar:free` is its own model with its own (zero) price.
      model: id,
      name: model.name || id,
      organization: slash > 0 ? id.slice(0, slash) : null,
      priceInput: model.pricing.prompt ?? null,
      priceOutput: model.pricing.completion ?? null,
    });
  });
  return { entries: finishEntries(entries, WHAT, BOARD.direction), format: 'openrouter-models-json', publishedAt: null };
}

/** Recognises the API's JSON; HTML (error page, challenge) and other text are ParseErrors. */
function parse(body: string, context: ParseContext): ParsedSnapshot {
  if (context.board !== BOARD.id) throw new ParseError(`the OpenRouter board (${BOARD.id})`, `board ${JSON.stringify(context.board)}`);
  const sniffed = sniff(body);
  if (sniffed.kind !== 'json') throw unexpectedBody(EXPECTED, sniffed);
  return parseModels(sniffed.text);
}

/** The OpenRouter source. */
export const openrouter: Scraper = {
  id: 'openrouter',
  name: 'OpenRouter',
  homepage: 'https://openrouter.ai/models',
  terms:
    'Public models API (no key needed for /api/v1/models), used under OpenRouter\'s terms of service; ' +
    'rankwatch reads only that documented JSON endpoint, once an hour, and never scrapes the website.',
  parserVersion: '1',
  boards: [BOARD],
  docs: {
    formats: '`GET /api/v1/models`',
    live: '`https://openrouter.ai/api/v1/models`',
  },
  parse,
};
