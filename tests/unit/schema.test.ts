import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatPath, parseJson, validate, type JsonFormat } from '../../scrapers/lib/schema.ts';
import { ParseError } from '../../src/errors.ts';

const Models = z.object({
  models: z.array(z.looseObject({ id: z.string().min(1), price: z.number(), tier: z.union([z.literal('free'), z.number()]).optional() })),
});
const FORMAT: JsonFormat<z.infer<typeof Models>> = { what: 'Test models JSON', schema: Models };
const models = (...rows: object[]) => JSON.stringify({ models: rows });

describe('parseJson: one helper turns a zod mismatch into a ParseError naming the path, what was expected and what was found', () => {
  it('returns the validated document', () => {
    expect(parseJson(models({ id: 'a', price: 1, extra: true }), FORMAT)).toEqual({ models: [{ id: 'a', price: 1, extra: true }] });
  });

  it.each([
    ['a wrong type deep in the document', models({ id: 'a', price: 1 }, { id: 'b', price: 2 }, { id: 'c', price: 3 }, { id: 'd', price: 'abc' }), FORMAT, 'expected Test models JSON: models[3].price a number, found "abc"'],
    ['a missing key, with the keys that are there', models({ id: 'a', cost: 1 }), FORMAT, 'expected Test models JSON: models[0].price a number, found no "price" among keys "id, cost"'],
    ['an empty string', models({ id: '', price: 1 }), FORMAT, 'expected Test models JSON: models[0].id a non-empty string, found ""'],
    ['a union', models({ id: 'a', price: 1, tier: 'gold' }), FORMAT, 'expected Test models JSON: models[0].tier one of "free" or a number, found "gold"'],
    ['an object where an array belongs', JSON.stringify({ models: { a: 1 } }), FORMAT, 'expected Test models JSON: models an array, found an object with keys "a"'],
    ['a document of the wrong kind', '[1, 2]', FORMAT, 'expected Test models JSON: an object, found JSON array "[1, 2]"'],
    ['a document of the wrong kind, in the format\'s own words', '"hello"', { ...FORMAT, expected: 'Test models JSON ({"models": [...]})' }, 'expected Test models JSON ({"models": [...]}), found JSON value "\\"hello\\""'],
    ['the schema\'s own words', models({ id: 'a', price: -1 }), { ...FORMAT, schema: z.object({ models: z.array(z.object({ price: z.number().min(0, { error: 'a price (USD, 0 or more)' }) })) }) }, 'expected Test models JSON: models[0].price a price (USD, 0 or more), found -1'],
    ['a row named by its key', models({ id: 'acme/nova', price: '$3' }), { ...FORMAT, rows: { key: 'id', noun: 'model' } }, 'expected Test models JSON: models[0].price a number, found model "acme/nova": "$3"'],
    ['malformed JSON', '{"models": [', FORMAT, /^expected Test models JSON, found malformed JSON \(.*\); the response may be cut off$/],
  ])('%s', (_name, text, format, message) => {
    let error: unknown;
    try {
      parseJson(text, format as JsonFormat<unknown>);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ParseError);
    if (typeof message === 'string') expect((error as ParseError).message).toBe(message);
    else expect((error as ParseError).message).toMatch(message);
  });

  it('gives the whole path of a part validated on its own', () => {
    const tab = { results: [{ id: 'x', price: null }] };
    const Tab = z.object({ results: z.array(z.object({ id: z.string(), price: z.number() })) });
    expect(() => validate(tab, { what: 'Test JSON', schema: Tab, at: ['tabs', 2], rows: { key: 'id', noun: 'result' } })).toThrow(
      'expected Test JSON: tabs[2].results[0].price a number, found result "x": null',
    );
  });

  it('writes paths as JavaScript would', () => {
    expect(formatPath(['data', 3, 'pricing', 'prompt'])).toBe('data[3].pricing.prompt');
    expect(formatPath([0, 'header'])).toBe('[0].header');
    expect(formatPath([])).toBe('');
    expect(formatPath(['categories', 'Data Analysis', 0])).toBe('categories["Data Analysis"][0]');
  });
});
