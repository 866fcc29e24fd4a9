import { DEFAULT_PRICE_SETTLE } from '../src/diff/settle.ts';
import { makeEntry, type Entry } from '../src/entry.ts';
import { ParseError } from '../src/errors.ts';
import { finishEntries } from './lib/entries.ts';
import { sniff, unexpectedBody } from './lib/sniff.ts';
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

/** A value as JSON, cut short, for "found …" in parse errors. */
const show = (value: unknown, length = 80) => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > length ? `${text.slice(0, length)}…` : text;
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

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

function readPrice(pricing: Record<string, unknown>, key: 'prompt' | 'completion', where: string): number | null {
  const price = pricePerMillion(pricing[key]);
  if (price === undefined) throw new ParseError(`${WHAT}: pricing.${key} a decimal string (USD per token)`, `${where}: ${show(pricing[key])}`);
  return price;
}

function readModel(raw: unknown, position: number): Entry {
  if (!isObject(raw)) throw new ParseError(`${WHAT}: an object per model`, `data[${position}]: ${show(raw)}`);
  const id = typeof raw.id === 'string' ? raw.id.trim() : '';
  if (id === '') throw new ParseError(`${WHAT}: a model id in every row`, `data[${position}]: keys ${excerpt(Object.keys(raw).join(', '), 240)}`);
  const where = `model ${JSON.stringify(id)}`;
  if (!isObject(raw.pricing)) throw new ParseError(`${WHAT}: a pricing object per model`, `${where}: keys ${excerpt(Object.keys(raw).join(', '), 240)}`);
  const name = typeof raw.name === 'string' && raw.name.trim() !== '' ? raw.name.trim() : id;
  // The id's author prefix (`anthropic/…`) is the only organization field every model has; the
  // "Anthropic: " name prefix is missing on a dozen models.
  const slash = id.indexOf('/');
  return makeEntry({
    // The full id: `foo/bar:free` is its own model with its own (zero) price.
    model: id,
    name,
    organization: slash > 0 ? id.slice(0, slash) : null,
    priceInput: readPrice(raw.pricing, 'prompt', where),
    priceOutput: readPrice(raw.pricing, 'completion', where),
  });
}

function parseModels(text: string): ParsedSnapshot {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ParseError(EXPECTED, `malformed JSON (${(error as Error).message}); the response may be cut off`, { cause: error });
  }
  if (!isObject(document)) throw new ParseError(EXPECTED, `JSON ${Array.isArray(document) ? 'array' : 'value'} ${excerpt(text)}`);
  if ((document.error !== undefined && document.error !== null) || (!('data' in document) && 'message' in document)) {
    throw new ParseError(EXPECTED, `an error response ${show(document, 160)}`);
  }
  if (!Array.isArray(document.data)) throw new ParseError(EXPECTED, `keys ${excerpt(Object.keys(document).join(', '))}`);
  const data: unknown[] = document.data;
  // A model may lack a price key, but none having one means the keys were renamed.
  const priced = data.some((raw) => isObject(raw) && isObject(raw.pricing) && ('prompt' in raw.pricing || 'completion' in raw.pricing));
  if (data.length > 0 && !priced) {
    const keys = new Set(data.flatMap((raw) => (isObject(raw) && isObject(raw.pricing) ? Object.keys(raw.pricing) : [])));
    throw new ParseError(`${WHAT}: pricing.prompt and pricing.completion on the models`, `none of ${data.length} models has them (pricing keys: ${excerpt([...keys].join(', '), 160)})`);
  }
  const entries = data.map((raw, position) => readModel(raw, position));
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
