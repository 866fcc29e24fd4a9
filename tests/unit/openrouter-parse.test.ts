import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openrouter, pricePerMillion } from '../../scrapers/openrouter.ts';
import { makeEntry, type Entry } from '../../src/entry.ts';
import { ParseError } from '../../src/errors.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/openrouter/${name}`, import.meta.url), 'utf8');
const parse = (body: string) => openrouter.parse(body, { board: 'openrouter-prices', fileName: 'models' });

/** rank, model, name, organization, score, priceInput, priceOutput */
type Row = [number | null, string, string, string | null, number | null, number | null, number | null];
const rows = (entries: Entry[]): Row[] => entries.map((e) => [e.rank, e.model, e.name, e.organization, e.score, e.priceInput, e.priceOutput]);

describe('OpenRouter parse: the /api/v1/models catalogue as a price board', () => {
  it('gives every model, sorted by key, with prices per 1M tokens and no rank or score', () => {
    const parsed = parse(fixture('models.json'));
    expect(parsed.format).toBe('openrouter-models-json');
    expect(parsed.publishedAt).toBeNull();
    expect(rows(parsed.entries)).toEqual<Row[]>([
      [null, 'acme/nova-ultra', 'Acme: Nova Ultra', 'acme', null, 3, 15],
      // A `:free` variant is its own model with its own (zero) price.
      [null, 'acme/nova-ultra:free', 'Acme: Nova Ultra (free)', 'acme', null, 0, 0],
      [null, 'kestrel/kestrel-2', 'Kestrel Labs: Kestrel 2', 'kestrel', null, 0.1, 3.3],
      [null, 'kestrel/kestrel-2-mini', 'Kestrel Labs: Kestrel 2 Mini', 'kestrel', null, 0.025, 0.01703012],
      // "-1" is a variable price (a router): null, not a price.
      [null, 'openrouter/auto', 'Auto Router', 'openrouter', null, null, null],
      // A name without the "Org: " prefix: the organization still comes from the id.
      [null, 'owl/owl-13b', 'Owl 13B', 'owl', null, 0.9, 0.9],
    ]);
  });

  it('returns complete normalized entries', () => {
    expect(parse(fixture('models.json')).entries[0]).toEqual(makeEntry({ model: 'acme/nova-ultra', name: 'Acme: Nova Ultra', organization: 'acme', priceInput: 3, priceOutput: 15 }));
  });

  it('reads the compact wire form and a BOM the same way', () => {
    const compact = JSON.stringify(JSON.parse(fixture('models.json')));
    expect(parse(`\uFEFF${compact}`)).toEqual(parse(fixture('models.json')));
  });

  it('keeps a model without a price key, as null prices', () => {
    const doc = JSON.parse(fixture('models.json')) as { data: { id: string; pricing: Record<string, string> }[] };
    delete doc.data.find((model) => model.id === 'owl/owl-13b')!.pricing.completion;
    expect(parse(JSON.stringify(doc)).entries.find((entry) => entry.model === 'owl/owl-13b')).toMatchObject({ priceInput: 0.9, priceOutput: null });
  });

  it('declares a keyless hourly price board, lower is better', () => {
    expect(openrouter.boards).toHaveLength(1);
    expect(openrouter.boards[0]).toMatchObject({
      id: 'openrouter-prices',
      direction: 'lower',
      live: { url: 'https://openrouter.ai/api/v1/models', schedule: '0 * * * *' },
    });
    expect(openrouter.boards[0]!.live!.apiKey).toBeUndefined();
  });
});

describe('OpenRouter prices: USD per token strings to USD per 1M tokens, exactly', () => {
  it.each<[unknown, number | null]>([
    // Each of these multiplied by 1e6 in floating point is off in the last digits (0.09999999999999999, 3.3000000000000003…).
    ['0.0000001', 0.1],
    ['0.0000009', 0.9],
    ['0.0000033', 3.3],
    ['0.00000215', 2.15],
    ['0.00000057', 0.57],
    ['0.000000025', 0.025],
    ['0.0000064', 6.4],
    ['0.000003', 3],
    ['0.00000026', 0.26],
    ['0.000000224', 0.224],
    ['0.00000001703012', 0.01703012],
    ['0.00000008333333333333334', 0.08333333333333334],
    ['0.0006', 600],
    ['0', 0],
    ['0.0', 0],
    ['3e-6', 3],
    ['1.5E-7', 0.15],
    [' 0.000002 ', 2],
    [0.0000033, 3.3],
    [1e-7, 0.1],
    ['-1', null],
    [null, null],
    [undefined, null],
  ])('%j → %j', (value, expected) => {
    expect(pricePerMillion(value)).toBe(expected);
  });

  it('the naive product really is off, so the cases above test something', () => {
    expect(Number('0.0000001') * 1e6).not.toBe(0.1);
    expect(Number('0.0000033') * 1e6).not.toBe(3.3);
  });

  it.each([['free'], ['$0.000003'], [''], ['.'], ['1.2.3'], [true], [{}], ['-x']])('%j is not a price', (value) => {
    expect(pricePerMillion(value)).toBeUndefined();
  });
});

describe('OpenRouter parse: bad input is a ParseError that says what it expected and found', () => {
  it.each<[string, string, RegExp]>([
    ['empty', '', /expected OpenRouter models JSON \(GET \/api\/v1\/models.*found an empty document/],
    ['whitespace', '\n  \n', /found an empty document/],
    ['error page', 'broken/error-page.html', /expected OpenRouter models JSON.*found an HTML page titled "502 Bad Gateway"/],
    ['Cloudflare challenge', 'broken/cloudflare.html', /expected OpenRouter models JSON.*found a Cloudflare challenge page \("Just a moment\.\.\."\)/],
    ['401 error JSON', 'broken/unauthorized.json', /expected OpenRouter models JSON.*found an error response \{"error":\{"message":"No auth credentials found","code":401\}\}/],
    ['JSON cut off', 'broken/truncated.json', /expected OpenRouter models JSON.*found malformed JSON .*the response may be cut off/],
    ['data renamed', 'broken/renamed-data.json', /expected OpenRouter models JSON: data an array, found no "data" among keys "models"/],
    ['price keys renamed', 'broken/renamed-price-keys.json', /expected OpenRouter models JSON: pricing\.prompt and pricing\.completion on the models, found none of 6 models has them \(pricing keys: ".*\binput, output\b/],
    ['id renamed', 'broken/no-id.json', /expected OpenRouter models JSON: data\[2\]\.id a model id, found no "id" among keys "canonical_slug, .*model_id"/],
    ['price not a number', 'broken/bad-price.json', /expected OpenRouter models JSON: data\[\d+\]\.pricing\.completion a decimal string \(USD per token\), found model "kestrel\/kestrel-2": "\$3\.30"/],
    ['no models', 'broken/empty-data.json', /expected OpenRouter models JSON with at least one model, found no rows/],
    ['a JSON array', '[]', /found JSON array "\[\]"/],
    ['plain text', 'Service Unavailable', /found text starting "Service Unavailable"/],
  ])('%s', (_name, input, message) => {
    const body = input.startsWith('broken/') ? fixture(input) : input;
    const attempt = () => parse(body);
    expect(attempt).toThrow(ParseError);
    expect(attempt).toThrow(message);
  });

  it('refuses a model without a pricing object', () => {
    const doc = JSON.parse(fixture('models.json')) as { data: Record<string, unknown>[] };
    delete doc.data[0]!.pricing;
    expect(() => parse(JSON.stringify(doc))).toThrow(/expected OpenRouter models JSON: data\[0\]\.pricing a pricing object, found model "owl\/owl-13b": no "pricing" among keys "id, /);
  });

  it('refuses the same id twice with different prices', () => {
    const doc = JSON.parse(fixture('models.json')) as { data: { id: string; pricing: Record<string, string> }[] };
    doc.data.push({ ...doc.data[0]!, pricing: { prompt: '0.000001', completion: '0.000001' } });
    expect(() => parse(JSON.stringify(doc))).toThrow(/one row per model, found "owl\/owl-13b" twice, with different values/);
  });

  it('refuses a board it does not know', () => {
    expect(() => openrouter.parse(fixture('models.json'), { board: 'openrouter-nope' })).toThrow(/expected the OpenRouter board \(openrouter-prices\), found board "openrouter-nope"/);
  });
});
