import { describe, expect, it } from 'vitest';
import { allBoards } from '../../scrapers/index.ts';
import { boardEnvName, ConfigError, loadConfig } from '../../src/config.ts';
import { dueBoards } from '../../src/worker.ts';

describe('loadConfig', () => {
  it('has safe defaults', () => {
    const config = loadConfig({}, allBoards);
    expect(config).toMatchObject({ databaseUrl: undefined, dataDir: './data', port: 8080, host: '0.0.0.0', scheduler: true, scrapeOnStart: true });
    expect(config.userAgent).toMatch(/^rankwatch\/\d+\.\d+\.\d+ \(\+https:\/\/.+\)$/);
    expect(config.boards.get('lmarena-text')).toEqual({
      url: 'https://raw.githubusercontent.com/lmarena/arena-catalog/main/data/leaderboard-text.json',
      schedule: '0 * * * *',
      attachments: {},
      headers: {},
      notConfigured: null,
      watched: true,
      settle: { scrapes: 2 },
    });
    expect(config.boards.get('openrouter-prices')?.settle).toEqual({ hours: 6 });
  });

  it('reads the alert delivery settings, with the Standard Webhooks retry schedule by default', () => {
    const defaults = loadConfig({}, allBoards);
    expect(defaults.adminToken).toBeUndefined();
    expect(defaults.delivery).toMatchObject({ allowHosts: [], dispatcher: true, timeoutMs: 10_000 });
    expect(defaults.delivery.retrySchedule.slice(0, 3)).toEqual([5_000, 300_000, 1_800_000]);
    const set = loadConfig(
      { RANKWATCH_ADMIN_TOKEN: 'a-long-enough-admin-token', RANKWATCH_WEBHOOK_ALLOW_HOSTS: '127.0.0.1, Hooks.Internal:8443', RANKWATCH_DELIVERY_RETRY_SCHEDULE: '500ms,2s,1.5m,1h', RANKWATCH_DISPATCHER: 'off' },
      allBoards,
    );
    expect(set.adminToken).toBe('a-long-enough-admin-token');
    expect(set.delivery).toMatchObject({ allowHosts: ['127.0.0.1', 'hooks.internal:8443'], dispatcher: false, retrySchedule: [500, 2_000, 90_000, 3_600_000] });
    expect(() => loadConfig({ RANKWATCH_ADMIN_TOKEN: 'short' }, allBoards)).toThrow(/RANKWATCH_ADMIN_TOKEN: must be at least 16 characters/);
    expect(() => loadConfig({ RANKWATCH_DELIVERY_RETRY_SCHEDULE: '5s,soon' }, allBoards)).toThrow(/RANKWATCH_DELIVERY_RETRY_SCHEDULE: expected comma-separated delays/);
  });

  it('takes a settling window per board, in scrapes or hours, and names a bad one', () => {
    const config = loadConfig({ RANKWATCH_SETTLE_LMARENA_TEXT: '1', RANKWATCH_SETTLE_OPENROUTER_PRICES: '12h', RANKWATCH_SETTLE_VOICEBENCH: '3' }, allBoards);
    expect(config.boards.get('lmarena-text')?.settle).toEqual({ scrapes: 1 });
    expect(config.boards.get('openrouter-prices')?.settle).toEqual({ hours: 12 });
    expect(config.boards.get('voicebench')?.settle).toEqual({ scrapes: 3 });
    expect(() => loadConfig({ RANKWATCH_SETTLE_LMARENA_TEXT: 'soon' }, allBoards)).toThrow(
      'RANKWATCH_SETTLE_LMARENA_TEXT: not a settling window (a number of scrapes such as 2, or of hours such as 6h): "soon"',
    );
    expect(() => loadConfig({ RANKWATCH_SETTLE_NOPE: '2' }, allBoards)).toThrow('RANKWATCH_SETTLE_NOPE: no board is called nope');
  });

  it('takes per-board URL and schedule, and `off`', () => {
    const config = loadConfig({ RANKWATCH_URL_LMARENA_TEXT: 'http://127.0.0.1:9/x.json', RANKWATCH_SCHEDULE_LMARENA_TEXT: 'off' }, allBoards);
    expect(config.boards.get('lmarena-text')).toMatchObject({ url: 'http://127.0.0.1:9/x.json', schedule: null });
  });

  it('a board that needs an API key is "not configured" without it, and sends it with it', () => {
    expect(loadConfig({}, allBoards).boards.get('artificialanalysis-intelligence')).toMatchObject({
      headers: {},
      notConfigured: 'set RANKWATCH_ARTIFICIALANALYSIS_API_KEY to an API key',
    });
    expect(loadConfig({ RANKWATCH_ARTIFICIALANALYSIS_API_KEY: ' k-123 ' }, allBoards).boards.get('artificialanalysis-math')).toMatchObject({
      headers: { 'x-api-key': 'k-123' },
      notConfigured: null,
    });
  });

  it('takes attachment URLs by RANKWATCH_URL_<BOARD>_<NAME>', () => {
    const config = loadConfig({ RANKWATCH_URL_LIVEBENCH_CATEGORIES: 'http://127.0.0.1:9/categories.json' }, allBoards);
    expect(config.boards.get('livebench')?.attachments).toEqual({ categories: 'http://127.0.0.1:9/categories.json' });
    expect(loadConfig({}, allBoards).boards.get('livebench')?.attachments.categories).toMatch(/^https:\/\/livebench\.ai\/categories_\d{4}_\d{2}_\d{2}\.json$/);
  });

  it('RANKWATCH_BOARDS narrows what is scheduled and scraped by default; the others keep their URL', () => {
    const config = loadConfig({ RANKWATCH_BOARDS: 'lmarena-text, superclue' }, allBoards);
    expect(config.boards.get('superclue')).toMatchObject({ watched: true, schedule: '40 6 * * *' });
    expect(config.boards.get('voicebench')).toMatchObject({ watched: false, schedule: null, url: expect.stringMatching(/^https:/) });
    expect(loadConfig({}, allBoards).boards.get('voicebench')).toMatchObject({ watched: true });
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [{ PORT: '70000' }, /PORT/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL: must be a postgres/],
    [{ RANKWATCH_SCHEDULER: 'maybe' }, /RANKWATCH_SCHEDULER/],
    [{ RANKWATCH_SCHEDULE_LMARENA_TEXT: 'hourly' }, /RANKWATCH_SCHEDULE_LMARENA_TEXT: not a cron expression: "hourly"/],
    [{ RANKWATCH_URL_LMARENA_TEXT: 'ftp://x' }, /RANKWATCH_URL_LMARENA_TEXT: must be an http\(s\) URL/],
    [{ RANKWATCH_SCHEDULE_NOPE: '* * * * *' }, /RANKWATCH_SCHEDULE_NOPE: no board is called nope/],
    [{ RANKWATCH_URL_LIVEBENCH_CATEGORIES: 'file:///x' }, /RANKWATCH_URL_LIVEBENCH_CATEGORIES: must be an http\(s\) URL/],
    [{ RANKWATCH_BOARDS: 'lmarena-text,lmarena-txt' }, /RANKWATCH_BOARDS: no board is called lmarena-txt/],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig(env, allBoards)).toThrow(ConfigError);
    expect(() => loadConfig(env, allBoards)).toThrow(message);
  });

  it('names board variables by the board id', () => {
    expect(boardEnvName('lmarena-text')).toBe('LMARENA_TEXT');
  });
});

describe('dueBoards (the Worker\'s per-minute trigger)', () => {
  it.each([
    ['2026-11-22T10:00:00Z', ['artificialanalysis-intelligence', 'lmarena-text', 'openrouter-prices']],
    ['2026-11-22T10:00:42Z', ['artificialanalysis-intelligence', 'lmarena-text', 'openrouter-prices']],
    ['2026-11-22T06:40:00Z', ['superclue']],
    ['2026-11-22T10:02:00Z', []],
  ])('at %s runs %j', (at, expected) => {
    const config = loadConfig(
      { RANKWATCH_BOARDS: 'lmarena-text,openrouter-prices,superclue,artificialanalysis-intelligence', RANKWATCH_ARTIFICIALANALYSIS_API_KEY: 'k' },
      allBoards,
    );
    expect(dueBoards(config, new Date(at)).sort()).toEqual(expected);
  });

  it('skips boards without their API key and boards not watched', () => {
    expect(dueBoards(loadConfig({}, allBoards), new Date('2026-11-22T10:00:00Z'))).not.toContain('artificialanalysis-intelligence');
    expect(dueBoards(loadConfig({ RANKWATCH_BOARDS: 'superclue' }, allBoards), new Date('2026-11-22T10:00:00Z'))).toEqual([]);
  });
});
