import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { artificialAnalysis } from '../../scrapers/artificialanalysis.ts';
import { makeEntry, type Entry } from '../../src/entry.ts';
import { ParseError } from '../../src/errors.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/artificialanalysis/${name}`, import.meta.url), 'utf8');
const parse = (body: string, board: string) => artificialAnalysis.parse(body, { board, fileName: 'models' });

const NOVA_HIGH = 'a1f0c6e2-3b4d-4e5f-8a9b-0c1d2e3f4a51';
const NOVA_LOW = 'b2e1d7f3-4c5e-4f60-9bac-1d2e3f4a5b62';
const KESTREL = 'c3d2e8a4-5d6f-4071-acbd-2e3f4a5b6c73';
const OWL = 'd4c3f9b5-6e70-4182-bdce-3f4a5b6c7d84';
const FINCH = 'e5b4a0c6-7f81-4293-cedf-4a5b6c7d8e95';
const SPARROW = 'f6a5b1d7-8092-43a4-dfe0-5b6c7d8e9fa6';

/** rank, model, name, organization, score, priceInput, priceOutput */
type Row = [number | null, string, string, string | null, number | null, number | null, number | null];
const rows = (entries: Entry[]): Row[] => entries.map((e) => [e.rank, e.model, e.name, e.organization, e.score, e.priceInput, e.priceOutput]);

describe('Artificial Analysis parse: each board reads its own index from the one API document', () => {
  it.each<[string, Row[]]>([
    [
      // Ties share a rank (1, 2, 2, 4) and are ordered by key; the unscored model is kept with rank null; all-zero pricing is "no price".
      'artificialanalysis-intelligence',
      [
        [1, NOVA_HIGH, 'Nova Ultra (high)', 'Acme AI', 61.2, 2.5, 10],
        [2, NOVA_LOW, 'Nova Ultra (low)', 'Acme AI', 48.3, 2.5, 10],
        [2, KESTREL, 'Kestrel 2', 'Kestrel Labs', 48.3, 0.3, 1.2],
        [4, OWL, 'Owl Mini (Reasoning)', 'Owl Research', 30, null, null],
        [5, SPARROW, 'Sparrow 7B', 'Owl Research', 12.4, 0.02, 0.04],
        [null, FINCH, 'Finch Preview', 'Kestrel Labs', null, 1.25, 5],
      ],
    ],
    [
      'artificialanalysis-coding',
      [
        [1, NOVA_HIGH, 'Nova Ultra (high)', 'Acme AI', 70.5, 2.5, 10],
        [2, KESTREL, 'Kestrel 2', 'Kestrel Labs', 55.1, 0.3, 1.2],
        [3, NOVA_LOW, 'Nova Ultra (low)', 'Acme AI', 48.3, 2.5, 10],
        [4, SPARROW, 'Sparrow 7B', 'Owl Research', 5, 0.02, 0.04],
        [null, OWL, 'Owl Mini (Reasoning)', 'Owl Research', null, null, null],
        [null, FINCH, 'Finch Preview', 'Kestrel Labs', null, 1.25, 5],
      ],
    ],
    [
      'artificialanalysis-math',
      [
        [1, NOVA_HIGH, 'Nova Ultra (high)', 'Acme AI', 95, 2.5, 10],
        [1, KESTREL, 'Kestrel 2', 'Kestrel Labs', 95, 0.3, 1.2],
        [3, OWL, 'Owl Mini (Reasoning)', 'Owl Research', 70.4, null, null],
        [null, NOVA_LOW, 'Nova Ultra (low)', 'Acme AI', null, 2.5, 10],
        [null, FINCH, 'Finch Preview', 'Kestrel Labs', null, 1.25, 5],
        [null, SPARROW, 'Sparrow 7B', 'Owl Research', null, 0.02, 0.04],
      ],
    ],
  ])('%s', (board, expected) => {
    const parsed = parse(fixture('models.json'), board);
    expect(parsed.format).toBe('aa-llms-json');
    expect(parsed.publishedAt).toBeNull();
    expect(rows(parsed.entries)).toEqual(expected);
  });

  it('returns complete normalized entries (no interval, no votes)', () => {
    expect(parse(fixture('models.json'), 'artificialanalysis-intelligence').entries[0]).toEqual(
      makeEntry({ rank: 1, model: NOVA_HIGH, name: 'Nova Ultra (high)', organization: 'Acme AI', score: 61.2, priceInput: 2.5, priceOutput: 10 }),
    );
  });

  it('reads the compact wire form the same as the re-indented capture form', () => {
    const compact = JSON.stringify(JSON.parse(fixture('models.json')));
    expect(parse(compact, 'artificialanalysis-math')).toEqual(parse(fixture('models.json'), 'artificialanalysis-math'));
    expect(parse(`\uFEFF${compact}`, 'artificialanalysis-math').entries).toHaveLength(6);
  });

  it('keys models by their UUID, not the slug AA reuses for a newer model', () => {
    // As on 2026-07-23: the slug `kestrel-2` passes to a new model and the old one becomes `kestrel-2-preview`.
    const later = JSON.parse(fixture('models.json')) as { data: Record<string, unknown>[] };
    const old = later.data.find((model) => model.id === KESTREL)!;
    old.slug = 'kestrel-2-preview';
    later.data.push({ ...old, id: '07b6c5d4-e3f2-4a10-9b8c-7d6e5f4a3b21', slug: 'kestrel-2', name: 'Kestrel 2', evaluations: { artificial_analysis_intelligence_index: 52 } });
    const entries = parse(JSON.stringify(later), 'artificialanalysis-intelligence').entries;
    expect(entries.find((entry) => entry.model === KESTREL)).toMatchObject({ score: 48.3, rank: 3 });
    expect(entries.find((entry) => entry.model === '07b6c5d4-e3f2-4a10-9b8c-7d6e5f4a3b21')).toMatchObject({ score: 52, rank: 2 });
  });

  it('keeps a zero price when only one side is zero (only an all-zero pricing means "not priced")', () => {
    const doc = JSON.parse(fixture('models.json')) as { data: { id: string; pricing: Record<string, number> }[] };
    doc.data.find((model) => model.id === SPARROW)!.pricing.price_1m_input_tokens = 0;
    const sparrow = parse(JSON.stringify(doc), 'artificialanalysis-intelligence').entries.find((entry) => entry.model === SPARROW);
    expect(sparrow).toMatchObject({ priceInput: 0, priceOutput: 0.04 });
  });

  it('declares the keyed API, hourly, for all three boards', () => {
    expect(artificialAnalysis.boards.map((board) => board.id)).toEqual(['artificialanalysis-intelligence', 'artificialanalysis-coding', 'artificialanalysis-math']);
    for (const board of artificialAnalysis.boards) {
      expect(board.live).toMatchObject({
        url: 'https://artificialanalysis.ai/api/v2/data/llms/models',
        schedule: '0 * * * *',
        apiKey: { env: 'RANKWATCH_ARTIFICIALANALYSIS_API_KEY', header: 'x-api-key' },
      });
      expect(board.direction).toBe('higher');
    }
  });
});

describe('Artificial Analysis parse: bad input is a ParseError that says what it expected and found', () => {
  it.each<[string, string, RegExp]>([
    ['empty', '', /expected Artificial Analysis models JSON.*found an empty document/],
    ['whitespace', ' \n\t', /found an empty document/],
    ['error page', 'broken/error-page.html', /expected Artificial Analysis models JSON.*found an HTML page titled "503 Service Temporarily Unavailable"/],
    ['Cloudflare challenge', 'broken/cloudflare.html', /found a Cloudflare challenge page \("Just a moment\.\.\."\)/],
    ['login wall', 'broken/login.html', /found a login page \("Sign in - Artificial Analysis"\)/],
    ['401 error JSON', 'broken/unauthorized.json', /expected Artificial Analysis models JSON.*found an error response \{"error":"Invalid API key"\}/],
    ['429 body with a status', 'broken/rate-limited.json', /found an error response .*Daily request limit exceeded/],
    ['JSON cut off', 'broken/truncated.json', /expected Artificial Analysis models JSON.*found malformed JSON .*the response may be cut off/],
    ['data renamed', 'broken/renamed-data.json', /expected Artificial Analysis models JSON: data an array, found no "data" among keys "status, prompt_options, models"/],
    ['index key renamed', 'broken/renamed-index.json', /expected Artificial Analysis models JSON: evaluations\.artificial_analysis_intelligence_index on some model, found none of 6 models has it \(evaluation keys: .*intelligence_index/],
    ['index as a string', 'broken/bad-score.json', /expected Artificial Analysis models JSON: data\[2\]\.evaluations\.artificial_analysis_intelligence_index a number or null, found model "c3d2e8a4-.*": "48\.3"/],
    ['no models', 'broken/empty-data.json', /expected Artificial Analysis models JSON with at least one model, found no rows/],
    ['a JSON array', '[1, 2]', /found JSON array "\[1, 2\]"/],
    ['plain text', 'Unauthorized', /found text starting "Unauthorized"/],
  ])('%s', (_name, input, message) => {
    const body = input.startsWith('broken/') ? fixture(input) : input;
    const attempt = () => parse(body, 'artificialanalysis-intelligence');
    expect(attempt).toThrow(ParseError);
    expect(attempt).toThrow(message);
  });

  it('refuses a model without its id or name', () => {
    const doc = JSON.parse(fixture('models.json')) as { data: Record<string, unknown>[] };
    delete doc.data[1]!.id;
    expect(() => parse(JSON.stringify(doc), 'artificialanalysis-math')).toThrow(/expected Artificial Analysis models JSON: data\[1\]\.id a model id, found no "id" among keys "name, /);
    const unnamed = JSON.parse(fixture('models.json')) as { data: Record<string, unknown>[] };
    unnamed.data[0]!.name = '';
    expect(() => parse(JSON.stringify(unnamed), 'artificialanalysis-math')).toThrow(/expected Artificial Analysis models JSON: data\[0\]\.name a model name, found model "a1f0c6e2-.*": ""/);
  });

  it('refuses another document that has a data array (e.g. the OpenRouter catalogue)', () => {
    const body = JSON.stringify({ data: [{ id: 'acme/nova', name: 'Acme: Nova', pricing: { prompt: '0.000001', completion: '0.000002' } }] });
    expect(() => parse(body, 'artificialanalysis-coding')).toThrow(/expected Artificial Analysis models JSON: data\[0\]\.evaluations an evaluations object, found model "acme\/nova": no "evaluations" among keys "id, name, pricing"/);
  });

  it('refuses a board it does not know', () => {
    expect(() => parse(fixture('models.json'), 'artificialanalysis-nope')).toThrow(/expected one of the Artificial Analysis boards .*found board "artificialanalysis-nope"/);
  });
});
