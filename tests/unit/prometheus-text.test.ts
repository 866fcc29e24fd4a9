import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.ts';
import { Metrics } from '../../src/metrics.ts';
import { allBoards } from '../../scrapers/index.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { startScheduler } from '../../src/schedule/scheduler.ts';
import { parseExposition, value } from '../support/prometheus.ts';

// The reader the metrics tests check /metrics with: it must agree with prom-client's own view of a
// registry, and refuse text Prometheus would refuse (else "it parses" would prove nothing).

describe('the exposition reader of the tests', () => {
  it('reads what a registry writes as the registry itself describes it (names, types, labels, values)', async () => {
    const registry = new Registry();
    new Counter({ name: 'c_total', help: 'a counter', labelNames: ['a'], registers: [registry] }).inc({ a: 'x "quoted" \\ back\nslash' }, 3);
    new Gauge({ name: 'g', help: 'a gauge', registers: [registry] }).set(-1.5e-7);
    const histogram = new Histogram({ name: 'h_seconds', help: 'a histogram', labelNames: ['b'], buckets: [0.1, 1], registers: [registry] });
    histogram.observe({ b: 'y' }, 0.05);
    histogram.observe({ b: 'y' }, 5);
    const families = parseExposition(await registry.metrics());
    const described = await registry.getMetricsAsJSON();
    expect([...families.values()].map((family) => [family.name, family.type, family.help])).toEqual(described.map((metric) => [metric.name, metric.type, metric.help]));
    expect(value(families, 'c_total', { a: 'x "quoted" \\ back\nslash' })).toBe(3);
    expect(value(families, 'g')).toBe(-1.5e-7);
    expect(value(families, 'h_seconds_bucket', { b: 'y', le: '0.1' })).toBe(1);
    expect(value(families, 'h_seconds_bucket', { b: 'y', le: '+Inf' })).toBe(2);
    expect(value(families, 'h_seconds_count', { b: 'y' })).toBe(2);
  });

  it('reads the values Go\'s ParseFloat takes: NaN in any case, ±Inf, exponents', () => {
    const families = parseExposition('# TYPE g gauge\ng{a="1"} Nan\ng{a="2"} +Inf\ng{a="3"} -Inf\ng{a="4"} 1e3 1700000000000\n');
    expect(value(families, 'g', { a: '1' })).toBeNaN();
    expect(value(families, 'g', { a: '2' })).toBe(Infinity);
    expect(value(families, 'g', { a: '3' })).toBe(-Infinity);
    expect(value(families, 'g', { a: '4' })).toBe(1000);
  });

  it.each([
    ['no final newline', '# TYPE g gauge\ng 1'],
    ['a sample without a TYPE', 'g 1\n'],
    ['an unknown type', '# TYPE g meter\ng 1\n'],
    ['a value that is no number', '# TYPE g gauge\ng one\n'],
    ['an unquoted label value', '# TYPE g gauge\ng{a=1} 1\n'],
    ['an unterminated label value', '# TYPE g gauge\ng{a="1} 1\n'],
    ['a bad escape', '# TYPE g gauge\ng{a="\\t"} 1\n'],
    ['a label given twice', '# TYPE g gauge\ng{a="1",a="2"} 1\n'],
    ['a bad metric name', '# TYPE 1g gauge\n1g 1\n'],
    ['a family split in two', '# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2\n'],
    ['a TYPE after samples', '# TYPE a gauge\na 1\n# TYPE a counter\n'],
    ['a histogram without +Inf', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'],
    ['a histogram whose +Inf is not its count', '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 1\n'],
    ['buckets that shrink', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="2"} 1\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 2\n'],
    ['a summary with buckets', '# TYPE s summary\ns_bucket{le="1"} 1\n'],
  ])('refuses %s', (_what, text) => {
    expect(() => parseExposition(text)).toThrow();
  });
});

describe('Metrics', () => {
  // Never rendered here, so the database is never asked.
  const metrics = () => new Metrics({} as Db);

  it('counts what a scrape outcome says, and nothing for an abandoned or unconfigured board', async () => {
    const m = metrics();
    m.scrapeFinished({ board: 'b', status: 'abandoned', error: 'x', reason: 'shutting down', httpStatus: null }, 1);
    m.scrapeFinished({ board: 'b', status: 'not_configured', message: 'no key' }, 0);
    m.scrapeFinished({ board: 'b', status: 'failed', error: 'HTTP 503', httpStatus: 503 }, 2);
    m.scrapeFinished({ board: 'b', status: 'not_modified', httpStatus: 304 }, 0.5);
    const families = parseExposition(await m.registry.metrics());
    expect(value(families, 'rankwatch_scrapes_total', { board: 'b', outcome: 'failed' })).toBe(1);
    expect(value(families, 'rankwatch_scrapes_total', { board: 'b', outcome: 'not_modified' })).toBe(1);
    expect(value(families, 'rankwatch_scrape_duration_seconds_count', { board: 'b' })).toBe(2);
    expect(value(families, 'rankwatch_scrape_duration_seconds_sum', { board: 'b' })).toBe(2.5);
  });

  it('counts requests with a method outside the usual ones as OTHER', async () => {
    const m = metrics();
    m.requestServed('/x', 'PROPFIND', 404, 0.01);
    m.requestServed('/x', 'GET', 200, 0.01);
    const families = parseExposition(await m.registry.metrics());
    expect(value(families, 'rankwatch_http_requests_total', { route: '/x', method: 'OTHER', status: '404' })).toBe(1);
    expect(value(families, 'rankwatch_http_requests_total', { route: '/x', method: 'GET', status: '200' })).toBe(1);
  });

  it('hears from the scheduler, which counts a run that threw as failed, and is not running once stopped', async () => {
    const m = metrics();
    const config = loadConfig(
      { RANKWATCH_BOARDS: 'lmarena-text', RANKWATCH_URL_LMARENA_TEXT: 'http://127.0.0.1:9/x.json', RANKWATCH_SCHEDULE_LMARENA_TEXT: '0 0 1 1 *', RANKWATCH_SCRAPE_ON_START: 'true' },
      allBoards,
    );
    let ran = false;
    const scheduler = startScheduler(
      config,
      async () => {
        ran = true;
        throw new Error('database went away');
      },
      createLogger('error', () => {}),
      m,
    );
    expect(scheduler.running).toBe(true);
    // The start's catch-up scrapes the board (never scraped) once its claim is in.
    await scheduler.started;
    const deadline = Date.now() + 5_000;
    while (!ran && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await scheduler.stop();
    expect(scheduler.running).toBe(false);
    const families = parseExposition(await m.registry.metrics());
    expect(value(families, 'rankwatch_scrapes_total', { board: 'lmarena-text', outcome: 'failed' })).toBe(1);
  });
});
