import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { helm } from '../../scrapers/helm.ts';
import { makeEntry, type Entry } from '../../src/entry.ts';
import { ParseError } from '../../src/errors.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/helm/${name}`, import.meta.url), 'utf8');
const parse = (name: string, board: string) => helm.parse(fixture(name), { board, fileName: name });

/** rank, model, name, organization, score */
type Row = [number | null, string, string, string | null, number | null];
const rows = (entries: Entry[]): Row[] => entries.map((e) => [e.rank, e.model, e.name, e.organization, e.score]);

describe('HELM parse: a board per leaderboard table of a release\'s group files', () => {
  it.each<[string, string, string, Row[]]>([
    [
      // Unsorted rows ranked by Mean win rate with ties shared; a model without a win rate keeps its row, unranked;
      // the id comes from the run specs of the other cells; a row without run specs is keyed by its display name.
      'safety/safety_scenarios.json',
      'helm-safety',
      'Mean win rate',
      [
        [1, 'meta/llama-9-70b-chat', 'Llama 9 Chat (70B)', 'Meta', 0.75],
        [2, 'acme/rocket-1', 'Rocket 1 (Acme)', null, 0.5],
        [2, 'qwen/qwen9-72b-instruct', 'Qwen9 Instruct (72B)', 'Qwen', 0.5],
        [4, 'mistralai/mixtral-nova-9x9b', 'Mixtral Nova (9x9B)', 'Mistral AI', 0.25],
        [5, 'Local Baseline', 'Local Baseline', null, 0.125],
        [null, 'writer/palmyra-zed', 'Palmyra Zed', 'Writer', null],
      ],
    ],
    [
      // A single-scenario group: the headline is its first metric column; the id sits on the name cell.
      'safety/harm_bench.json',
      'helm-safety-harmbench',
      'first metric column',
      [
        [1, 'qwen/qwen9-72b-instruct', 'Qwen9 Instruct (72B)', 'Qwen', 0.96],
        [2, 'acme/rocket-1', 'Rocket 1 (Acme)', null, 0.815],
        [2, 'mistralai/mixtral-nova-9x9b', 'Mixtral Nova (9x9B)', 'Mistral AI', 0.815],
        [4, 'meta/llama-9-70b-chat', 'Llama 9 Chat (70B)', 'Meta', 0.7125],
        [null, 'writer/palmyra-zed', 'Palmyra Zed', 'Writer', null],
      ],
    ],
    [
      // bbq.json holds a table per subject: the board reads "subject: all", not the first table.
      'safety/bbq.json',
      'helm-safety-bbq',
      'the subject: all table',
      [
        [1, 'meta/llama-9-70b-chat', 'Llama 9 Chat (70B)', 'Meta', 0.92],
        [2, 'acme/rocket-1', 'Rocket 1 (Acme)', null, 0.9],
        [3, 'qwen/qwen9-72b-instruct', 'Qwen9 Instruct (72B)', 'Qwen', 0.76],
      ],
    ],
    [
      'lite/core_scenarios.json',
      'helm-lite',
      'Mean win rate, run specs with several arguments',
      [
        [1, 'anthropic/claude-tau', 'Claude Tau', 'Anthropic', 0.95],
        [2, 'openai/gpt-zeta-2031-01-01', 'GPT Zeta (2031-01-01)', 'OpenAI', 0.9],
        [3, 'ai21/jamba-mu', 'Jamba Mu', 'AI21 Labs', 0.6],
        [3, 'google/gemini-rho', 'Gemini Rho', 'Google', 0.6],
      ],
    ],
    [
      'capabilities/core_scenarios.json',
      'helm-capabilities',
      'Mean score',
      [
        [1, 'xai/grok-kappa', 'Grok Kappa', 'xAI', 0.768],
        [2, 'deepseek-ai/deepseek-omega', 'DeepSeek Omega', 'DeepSeek', 0.712],
        [3, 'amazon/nova-sigma', 'Nova Sigma', 'Amazon', 0.55],
      ],
    ],
  ])('%s → %s (%s)', (name, board, _what, expected) => {
    const parsed = parse(name, board);
    expect(parsed.format).toBe('helm-groups-json');
    expect(parsed.publishedAt).toBeNull();
    expect(rows(parsed.entries)).toEqual(expected);
  });

  it('returns complete normalized entries (no votes, interval or prices)', () => {
    expect(parse('safety/safety_scenarios.json', 'helm-safety').entries[0]).toEqual(
      makeEntry({ rank: 1, model: 'meta/llama-9-70b-chat', name: 'Llama 9 Chat (70B)', organization: 'Meta', score: 0.75 }),
    );
  });

  it('honours lower_is_better on the headline column', () => {
    const tables = JSON.parse(fixture('safety/harm_bench.json')) as { header: { lower_is_better?: boolean }[] }[];
    tables[0]!.header[1]!.lower_is_better = true;
    const parsed = helm.parse(JSON.stringify(tables), { board: 'helm-safety-harmbench', fileName: 'harm_bench.json' });
    expect(rows(parsed.entries).map(([rank, model, , , score]) => [rank, model, score])).toEqual([
      [1, 'meta/llama-9-70b-chat', 0.7125],
      [2, 'acme/rocket-1', 0.815],
      [2, 'mistralai/mixtral-nova-9x9b', 0.815],
      [4, 'qwen/qwen9-72b-instruct', 0.96],
      [null, 'writer/palmyra-zed', null],
    ]);
  });

  it('takes a path or a dated copy ending in the group file, and no file name at all', () => {
    const body = fixture('safety/safety_scenarios.json');
    for (const fileName of ['releases/v1.17.0/groups/safety_scenarios.json', 'v4_safety_scenarios.json', undefined]) {
      expect(helm.parse(body, { board: 'helm-safety', fileName }).entries).toHaveLength(6);
    }
  });

  it('board ids are static; live URLs name a release of the public bucket, fetched daily', () => {
    expect(helm.boards.map((b) => b.id)).toEqual([
      'helm-safety',
      'helm-safety-harmbench',
      'helm-safety-simple-safety-tests',
      'helm-safety-bbq',
      'helm-safety-anthropic-red-team',
      'helm-safety-xstest',
      'helm-lite',
      'helm-capabilities',
    ]);
    expect(helm.boards[0]?.live?.url).toMatch(/^https:\/\/storage\.googleapis\.com\/crfm-helm-public\/safety\/benchmark_output\/releases\/v\d+\.\d+\.\d+\/groups\/safety_scenarios\.json$/);
    for (const board of helm.boards) expect(board.live?.schedule).toMatch(/^\d+ \d+ \* \* \*$/);
  });
});

describe('HELM parse: bad input is a ParseError that says what it expected and found', () => {
  it.each<[string, string, string, string | undefined, RegExp]>([
    ['empty', '', 'helm-safety', undefined, /expected HELM groups\/safety_scenarios.json, found an empty document/],
    ['error page', 'broken/error-page.html', 'helm-safety', undefined, /expected HELM groups\/safety_scenarios.json, found an HTML page titled "Error 503 \(Service Unavailable\)!!1"/],
    ['storage error (release not published)', 'broken/gcs-nosuchkey.xml', 'helm-safety', undefined, /found a storage error document \(NoSuchKey: The specified key does not exist\.\)/],
    ['Cloudflare challenge', 'broken/cloudflare.html', 'helm-safety', undefined, /found a Cloudflare challenge page \("Just a moment\.\.\."\)/],
    ['JSON cut off', 'broken/truncated.json', 'helm-safety', undefined, /expected HELM groups\/safety_scenarios.json, found malformed JSON/],
    ['an error object instead of tables', 'broken/object.json', 'helm-safety', undefined, /an array of tables, found an object with keys "error"/],
    ['table keys renamed', 'broken/renamed-keys.json', 'helm-safety', undefined, /expected HELM groups\/safety_scenarios.json: \[0\]\.header an array, found no "header" among keys "title, name, columns, data"/],
    ['a group file without the board\'s table', 'broken/no-board-table.json', 'helm-safety', undefined, /with a table named like \/\^accuracy\$\/, found tables "efficiency", "general_information"/],
    ['headline column renamed', 'broken/renamed-headline.json', 'helm-safety', undefined, /a "Mean win rate" or "Mean score" column, found columns "Model\/adapter \| Win rate \(mean\) \| HarmBench/],
    ['headline column without values', 'broken/no-values.json', 'helm-safety', undefined, /values in the Mean win rate column, found 6 rows, none with a value/],
    ['a score that is text', 'broken/text-score.json', 'helm-safety', undefined, /a number or no value in the Mean win rate column, found row 2 \(Llama 9 Chat \(70B\)\): "\{\\"value\\":\\"0.75 \(bold\)\\"/],
    ['another group file for the board', 'safety/harm_bench.json', 'helm-safety', 'harm_bench.json', /expected HELM groups\/safety_scenarios.json for board helm-safety, found a file named "harm_bench.json"/],
    ['the same table name in another file', 'lite/core_scenarios.json', 'helm-safety', 'core_scenarios.json', /found a file named "core_scenarios.json"/],
    ['plain text', 'Forbidden', 'helm-lite', undefined, /expected HELM groups\/core_scenarios.json, found text starting "Forbidden"/],
    ['an unknown board', 'safety/harm_bench.json', 'helm-nope', undefined, /expected one of the HELM boards .* found board "helm-nope"/],
  ])('%s', (_name, input, board, fileName, message) => {
    const body = /\.(json|html|xml)$/.test(input) ? fixture(input) : input;
    const attempt = () => helm.parse(body, { board, fileName });
    expect(attempt).toThrow(ParseError);
    expect(attempt).toThrow(message);
  });

  it('refuses a row whose cells name two different models', () => {
    const body = fixture('safety/safety_scenarios.json').replace('simple_safety_tests:model=meta_llama-9-70b-chat', 'simple_safety_tests:model=meta_llama-9-8b-chat');
    expect(() => helm.parse(body, { board: 'helm-safety' })).toThrow(/one model per row, found row 2 \(Llama 9 Chat \(70B\)\): run specs of meta_llama-9-70b-chat, meta_llama-9-8b-chat/);
  });
});
