import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scrapers } from '../../scrapers/index.ts';
import { DEFAULT_HEALTH } from '../../src/ingest/health.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it.each(scrapers.flatMap((scraper) => scraper.boards.map((board) => [board.id, scraper.name, board] as const)))(
    'documents %s (%s) with its score, live format, schedule and health thresholds',
    (id, _source, board) => {
      const health = { ...DEFAULT_HEALTH, ...board.health };
      const row =
        `| \`${id}\` | ${board.scoreLabel ?? ''} (${board.direction} is better) | ${board.live ? board.live.format : '-'} | ${board.live?.schedule ?? 'import only'} ` +
        `| ${health.minEntries} | ${Math.round(health.maxDropFraction * 100)}% | ${health.minKeyOverlap > 0 ? `${Math.round(health.minKeyOverlap * 100)}%` : 'off'} | ${health.ranksFollowScores ? 'yes' : 'no'} |`;
      expect(readme).toContain(row);
    },
  );

  it('has a section per source', () => {
    for (const scraper of scrapers) expect(readme).toContain(`#### ${scraper.name} (\`${scraper.id}\`)`);
  });
});
