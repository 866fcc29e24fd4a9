import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listEvents } from '../../src/db/queries.ts';
import type { StoredEvent } from '../../src/diff/events.ts';
import { importFile, planImport } from '../../src/ingest/run.ts';
import { HAVE_SHARED, SHARED } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// The nine OpenRouter captures, read in place. Listed prices follow the current primary provider
// and flip back and forth; the board's settling window (6 hours) announces a price only once a
// later capture, at least 6 hours on, still shows it.
const FOLDER = join(SHARED, 'openrouter/api-v1-models');
const BOARD = 'openrouter-prices';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  if (!HAVE_SHARED) return;
  const files = readdirSync(FOLDER).filter((name) => name.endsWith('.json')).map((name) => join(FOLDER, name));
  expect(files).toHaveLength(9);
  for (const item of planImport(files)) await importFile(database.db, BOARD, item);
});
afterAll(async () => database.drop());

/** `time model old>new`, prices per 1M input/output tokens. */
const line = (event: StoredEvent) =>
  event.kind === 'price_changed'
    ? `${event.capturedAt.slice(0, 16)} ${event.model} ${event.old.priceInput}/${event.old.priceOutput}>${event.new.priceInput}/${event.new.priceOutput}`
    : `${event.capturedAt.slice(0, 16)} ${event.model} ${event.kind}`;
const prices = async (status: StoredEvent['status'][]) =>
  (await listEvents(database.db, { board: BOARD, kind: ['price_changed'], status, limit: 1000 })).map((event) => (status.length > 1 ? `${event.status} ${line(event)}` : line(event))).sort();

describe.skipIf(!HAVE_SHARED)('replaying the nine OpenRouter captures (../shared/leaderboards/openrouter)', () => {
  it('announces the 53 price changes that held, each once, from the price last announced', async () => {
    expect(await prices(['published'])).toEqual([
      '2025-12-23T03:23 aion-labs/aion-rp-llama-3.1-8b 0.2/0.2>0.8/1.6',
      '2025-12-23T03:23 deepseek/deepseek-chat-v3-0324 0.15/0.75>0.2/0.88',
      '2025-12-23T03:23 deepseek/deepseek-r1-distill-llama-70b 0.03/0.13>0.03/0.11',
      '2025-12-23T03:23 meituan/longcat-flash-chat 0.15/0.75>0.2/0.8',
      '2025-12-23T03:23 mistralai/devstral-2512 0.15/0.6>0.05/0.22',
      '2025-12-23T03:23 moonshotai/kimi-k2-thinking 0.45/2.35>0.4/1.75',
      '2025-12-23T03:23 qwen/qwen-2.5-72b-instruct 0.07/0.26>0.12/0.39',
      '2025-12-23T03:23 qwen/qwen2.5-vl-72b-instruct 0.03/0.13>0.07/0.26',
      '2025-12-23T03:23 qwen/qwen3-coder-30b-a3b-instruct 0.06/0.25>0.07/0.27',
      '2026-01-01T10:19 baidu/ernie-4.5-21b-a3b 0.056/0.224>0.07/0.28',
      '2026-01-01T10:19 baidu/ernie-4.5-21b-a3b-thinking 0.056/0.224>0.07/0.28',
      '2026-01-01T10:19 baidu/ernie-4.5-300b-a47b 0.224/0.88>0.28/1.1',
      '2026-01-01T10:19 baidu/ernie-4.5-vl-28b-a3b 0.112/0.448>0.14/0.56',
      '2026-01-01T10:19 baidu/ernie-4.5-vl-424b-a47b 0.336/1>0.42/1.25',
      '2026-01-01T10:19 deepseek/deepseek-r1-0528-qwen3-8b 0.02/0.1>0.06/0.09',
      '2026-01-01T10:19 deepseek/deepseek-r1-distill-qwen-14b 0.12/0.12>0.15/0.15',
      '2026-01-01T10:19 deepseek/deepseek-r1-distill-qwen-32b 0.24/0.24>0.27/0.27',
      '2026-01-01T10:19 google/gemma-3-27b-it 0.04/0.15>0.036/0.064',
      '2026-01-01T10:19 openai/gpt-oss-120b 0.039/0.19>0.02/0.1',
      '2026-01-01T10:19 openai/gpt-oss-20b 0.03/0.14>0.016/0.06',
      '2026-01-01T10:19 qwen/qwen3-8b 0.028/0.1104>0.035/0.138',
      '2026-01-01T10:19 qwen/qwen3-next-80b-a3b-instruct 0.09/1.1>0.06/0.6',
      '2026-01-01T10:19 qwen/qwen3-next-80b-a3b-thinking 0.12/1.2>0.15/1.2',
      '2026-01-01T10:19 qwen/qwen3-vl-30b-a3b-thinking 0.16/0.8>0.2/1',
      '2026-01-01T10:19 qwen/qwen3-vl-8b-instruct 0.064/0.4>0.08/0.5',
      '2026-01-01T10:19 thudm/glm-4.1v-9b-thinking 0.028/0.1104>0.035/0.138',
      '2026-01-01T10:19 tngtech/deepseek-r1t2-chimera 0.3/1.2>0.25/0.85',
      '2026-01-01T10:19 tngtech/tng-r1t-chimera 0.3/1.2>0.25/0.85',
      '2026-01-01T10:19 z-ai/glm-4.5v 0.48/1.44>0.6/1.8',
      '2026-01-01T10:19 z-ai/glm-4.6 0.39/1.9>0.35/1.5',
      '2026-01-04T19:13 deepseek/deepseek-chat-v3-0324 0.2/0.88>0.19/0.87',
      '2026-01-04T19:13 moonshotai/kimi-k2 0.456/1.84>0.5/2.4',
      '2026-01-04T19:13 nousresearch/hermes-4-405b 0.3/1.2>1/3',
      '2026-01-04T19:13 qwen/qwen2.5-vl-72b-instruct 0.07/0.26>0.15/0.6',
      '2026-01-04T19:13 qwen/qwen3-vl-235b-a22b-thinking 0.3/1.2>0.45/3.5',
      '2026-01-04T19:13 z-ai/glm-4.5-air 0.104/0.68>0.05/0.22',
      '2026-01-15T22:18 deepseek/deepseek-r1 0.3/1.2>0.7/2.5',
      '2026-01-15T22:18 deepseek/deepseek-r1-0528 0.4/1.75>0.45/2.15',
      '2026-01-15T22:18 deepseek/deepseek-r1-distill-qwen-32b 0.27/0.27>0.29/0.29',
      '2026-01-15T22:18 deepseek/deepseek-v3.2 0.26/0.38>0.25/0.38',
      '2026-01-15T22:18 google/gemma-3-27b-it 0.036/0.064>0.04/0.15',
      '2026-01-15T22:18 liquid/lfm-2.2-6b 0.05/0.1>0.01/0.02',
      '2026-01-15T22:18 liquid/lfm2-8b-a1b 0.05/0.1>0.01/0.02',
      '2026-01-15T22:18 meta-llama/llama-3-70b-instruct 0.3/0.4>0.4/0.4',
      '2026-01-15T22:18 meta-llama/llama-3.1-8b-instruct 0.02/0.03>0.02/0.05',
      '2026-01-15T22:18 minimax/minimax-m2.1 0.3/1.2>0.27/1.12',
      '2026-01-15T22:18 mistralai/devstral-small 0.07/0.28>0.1/0.3',
      '2026-01-15T22:18 mistralai/mistral-7b-instruct 0.028/0.054>0.2/0.2',
      '2026-01-15T22:18 openai/gpt-oss-120b 0.02/0.1>0.039/0.19',
      '2026-01-15T22:18 openai/gpt-oss-20b 0.016/0.06>0.02/0.1',
      '2026-01-15T22:18 qwen/qwen3-8b 0.035/0.138>0.05/0.25',
      '2026-01-15T22:18 qwen/qwen3-next-80b-a3b-instruct 0.06/0.6>0.09/1.1',
      '2026-01-16T14:20 qwen/qwen3-235b-a22b 0.18/0.54>0.2/0.6',
    ]);
  });

  it('drops the flip-flops: prices that went back, and values that did not hold before the next change', async () => {
    expect(await prices(['reverted', 'superseded'])).toEqual([
      'reverted 2026-01-04T19:13 moonshotai/kimi-k2-thinking 0.4/1.75>0.32/0.48',
      'reverted 2026-01-04T19:13 qwen/qwen3-vl-235b-a22b-instruct 0.2/1.2>0.12/0.56',
      'reverted 2026-01-04T19:13 z-ai/glm-4.7 0.4/1.5>0.16/0.8',
      'reverted 2026-01-15T22:18 moonshotai/kimi-k2-thinking 0.32/0.48>0.4/1.75',
      'reverted 2026-01-15T22:18 qwen/qwen3-vl-235b-a22b-instruct 0.12/0.56>0.2/1.2',
      'reverted 2026-01-15T22:18 z-ai/glm-4.7 0.16/0.8>0.4/1.5',
      'superseded 2025-12-23T11:15 deepseek/deepseek-v3.2 0.26/0.38>0.224/0.32',
      'superseded 2026-01-01T10:19 deepseek/deepseek-v3.2 0.224/0.32>0.25/0.38',
      'superseded 2026-01-01T10:19 z-ai/glm-4.5-air 0.104/0.68>0.13/0.85',
      'superseded 2026-01-04T19:13 deepseek/deepseek-r1 0.3/1.2>0.7/2.4',
      'superseded 2026-01-04T19:13 deepseek/deepseek-v3.2 0.25/0.38>0.112/0.16',
      'superseded 2026-01-04T19:13 minimax/minimax-m2.1 0.3/1.2>0.12/0.48',
    ]);
    // deepseek-v3.2 flipped between providers (0.26 → 0.224 → 0.25 → 0.112 → 0.25): one change, 0.26 → 0.25, when 0.25 held.
    const deepseek = await listEvents(database.db, { board: BOARD, model: 'deepseek/deepseek-v3.2', limit: 10 });
    expect(deepseek).toHaveLength(1);
    expect(deepseek[0]).toMatchObject({
      capturedAt: '2026-01-15T22:18:39.000Z',
      settledAt: '2026-01-16T14:20:04.000Z',
      old: { priceInput: 0.26, priceOutput: 0.38 },
      new: { priceInput: 0.25, priceOutput: 0.38 },
      data: { percentInput: -3.85, percentOutput: 0, since: '2025-12-23T11:15:58.000Z' },
    });
  });

  it('holds the last capture\'s changes until a later one confirms them', async () => {
    expect(await prices(['pending'])).toEqual([
      '2026-01-24T15:16 deepseek/deepseek-r1-0528 0.45/2.15>0.4/1.75',
      '2026-01-24T15:16 google/gemini-2.0-flash-exp:free 0/0>0.1/0.4',
      '2026-01-24T15:16 minimax/minimax-m2.1 0.27/1.12>0.27/1.1',
      '2026-01-24T15:16 nousresearch/hermes-2-pro-llama-3-8b 0.025/0.08>0.14/0.14',
      '2026-01-24T15:16 xiaomi/mimo-v2-flash 0.1/0.3>0.09/0.29',
    ]);
  });

  it('announces a change seen at 03:23 once the identical 10:19 capture, 7 hours on, shows it again', async () => {
    const [kimi] = await listEvents(database.db, { board: BOARD, model: 'moonshotai/kimi-k2-thinking', limit: 10 });
    expect(kimi).toMatchObject({ capturedAt: '2025-12-23T03:23:53.000Z', settledAt: '2025-12-23T10:19:16.000Z', status: 'published' });
  });
});
