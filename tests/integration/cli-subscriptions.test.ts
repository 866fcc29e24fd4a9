import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rankwatch } from '../support/cli.ts';
import { createCliEnvironment } from '../support/db.ts';

let env: Record<string, string>;
let cleanup: () => Promise<void>;
let scratch: string;
beforeAll(async () => {
  ({ env, cleanup } = await createCliEnvironment());
  env = { ...env, RANKWATCH_WEBHOOK_ALLOW_HOSTS: '127.0.0.1', RANKWATCH_SETTLE_LMARENA_TEXT: '1' };
  scratch = await mkdtemp(join(tmpdir(), 'rankwatch-cli-subs-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
  await cleanup();
});

const arena = (ratings: Record<string, number>) =>
  JSON.stringify({ full: Object.fromEntries(Object.entries(ratings).map(([model, rating]) => [model, { rating, rating_q975: rating + 2, rating_q025: rating - 2 }])) });

describe('rankwatch subscribe, subscriptions, backtest, unsubscribe', () => {
  it('subscribes with filter options, shows the secret once, lists, backtests and unsubscribes', async () => {
    const created = await rankwatch(['subscribe', '--channel', 'webhook', '--url', 'http://127.0.0.1:9/hook', '--kind', 'new_leader', '--board', 'lmarena-text', '--top', '5'], env);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^subscription (\d+): webhook http:\/\/127\.0\.0\.1:9\/hook\nsigning secret \(shown once; verify webhook-signature with it\): whsec_\S+\n$/);
    const id = /^subscription (\d+)/.exec(created.stdout)![1];

    const listed = await rankwatch(['subscriptions'], env);
    expect(listed.stdout).toMatch(/^ID\s+CHANNEL\s+MODE\s+STATE\s+URL\s+FILTERS\n/);
    expect(listed.stdout).toContain('{"boards":["lmarena-text"],"kinds":["new_leader"],"topN":5}');
    expect(listed.stdout).not.toContain('whsec_');

    await writeFile(join(scratch, '2025-01-01.json'), arena({ a: 1300, b: 1290, c: 1280 }));
    await writeFile(join(scratch, '2025-01-02.json'), arena({ b: 1310, a: 1300, c: 1280 }));
    await writeFile(join(scratch, '2025-01-03.json'), arena({ c: 1320, b: 1310, a: 1300 }));
    expect((await rankwatch(['import', 'lmarena-text', join(scratch, '2025-01-01.json'), join(scratch, '2025-01-02.json'), join(scratch, '2025-01-03.json')], env)).code).toBe(0);
    const backtest = await rankwatch(['backtest', '--kind', 'new_leader'], env);
    expect(backtest.stdout).toMatch(/^2 messages \(2 events\) would have been sent\n/);
    expect(backtest.stdout).toContain('c takes #1 on lmarena-text');
    const since = JSON.parse((await rankwatch(['backtest', '--kind', 'new_leader', '--since', '2025-01-03', '--json'], env)).stdout);
    expect(since).toMatchObject({ messages: 1, events: 1 });

    const bad = await rankwatch(['subscribe', '--channel', 'webhook', '--url', 'https://192.168.0.10/hook'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/192\.168\.0\.10 \(private\)/);
    const badFilter = await rankwatch(['backtest', '--filters', '{"kinds": ["nope"]}'], env);
    expect(badFilter.code).toBe(2);
    expect(badFilter.stderr).toMatch(/kinds/);

    expect((await rankwatch(['unsubscribe', id!], env)).stdout).toBe(`subscription ${id} deleted\n`);
    expect((await rankwatch(['subscriptions'], env)).stdout).toBe('no subscriptions\n');
    const missing = await rankwatch(['unsubscribe', id!], env);
    expect(missing.stderr).toMatch(new RegExp(`unknown subscription: ${id}`));
  }, 120_000);
});
