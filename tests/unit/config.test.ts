import { describe, expect, it } from 'vitest';
import { allBoards } from '../../scrapers/index.ts';
import { boardEnvName, ConfigError, loadConfig } from '../../src/config.ts';

describe('loadConfig', () => {
  it('has safe defaults', () => {
    const config = loadConfig({}, allBoards);
    expect(config).toMatchObject({ databaseUrl: undefined, dataDir: './data', port: 8080, host: '0.0.0.0', scheduler: true, scrapeOnStart: true });
    expect(config.userAgent).toMatch(/^rankwatch\/\d+\.\d+\.\d+ \(\+https:\/\/.+\)$/);
    expect(config.boards.get('lmarena-text')).toEqual({
      url: 'https://raw.githubusercontent.com/lmarena/arena-catalog/main/data/leaderboard-text.json',
      schedule: '0 * * * *',
    });
  });

  it('takes per-board URL and schedule, and `off`', () => {
    const config = loadConfig({ RANKWATCH_URL_LMARENA_TEXT: 'http://127.0.0.1:9/x.json', RANKWATCH_SCHEDULE_LMARENA_TEXT: 'off' }, allBoards);
    expect(config.boards.get('lmarena-text')).toEqual({ url: 'http://127.0.0.1:9/x.json', schedule: null });
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [{ PORT: '70000' }, /PORT/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL: must be a postgres/],
    [{ RANKWATCH_SCHEDULER: 'maybe' }, /RANKWATCH_SCHEDULER/],
    [{ RANKWATCH_SCHEDULE_LMARENA_TEXT: 'hourly' }, /RANKWATCH_SCHEDULE_LMARENA_TEXT: not a cron expression: "hourly"/],
    [{ RANKWATCH_URL_LMARENA_TEXT: 'ftp://x' }, /RANKWATCH_URL_LMARENA_TEXT: must be an http\(s\) URL/],
    [{ RANKWATCH_SCHEDULE_NOPE: '* * * * *' }, /RANKWATCH_SCHEDULE_NOPE: no board is called nope/],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig(env, allBoards)).toThrow(ConfigError);
    expect(() => loadConfig(env, allBoards)).toThrow(message);
  });

  it('names board variables by the board id', () => {
    expect(boardEnvName('lmarena-text')).toBe('LMARENA_TEXT');
  });
});
