import { describe, expect, it } from 'vitest';
import { captureTimeFromName, captureTimeFromPath } from '../../src/ingest/capture-time.ts';

describe('captureTimeFromName', () => {
  it.each([
    ['2024-06-19.csv', '2024-06-19T00:00:00.000Z'],
    ['20240619.csv', '2024-06-19T00:00:00.000Z'],
    ['elo_results_20240619.pkl', '2024-06-19T00:00:00.000Z'],
    ['2025-12-23T03-23-53Z.json', '2025-12-23T03:23:53.000Z'],
    ['2025-12-23T03:23:53Z.json', '2025-12-23T03:23:53.000Z'],
    ['2025-12-23T03-23Z.json', '2025-12-23T03:23:00.000Z'],
    ['2025-12-23T03-23-53+02:00.json', '2025-12-23T01:23:53.000Z'],
    ['2025-03-28_lmarena.ai_page_source.html', '2025-03-28T00:00:00.000Z'],
    ['result_2025-03-02.csv', '2025-03-02T00:00:00.000Z'],
  ])('%s → %s', (name, iso) => {
    expect(captureTimeFromName(name)?.toISOString()).toBe(iso);
  });

  it.each(['lmsys.csv', '2024-13-01.csv', '2024-02-31.csv', '123456789.csv', 'v1.2.3.json'])('%s has no capture time', (name) => {
    expect(captureTimeFromName(name)).toBeNull();
  });

  it('falls back to the nearest folder that names a date', () => {
    expect(captureTimeFromPath('/x/safety-dev-v3_2024-06-28/groups/bbq.json')?.toISOString()).toBe('2024-06-28T00:00:00.000Z');
    expect(captureTimeFromPath('/x/y/z.json')).toBeNull();
  });
});
