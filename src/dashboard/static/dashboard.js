// rankwatch dashboard: draws each `<canvas data-chart>` from the API's JSON (`data-src`) with
// Chart.js (a global `Chart`, served from this service and loaded after the first paint), then marks the page ready
// (`<html data-dashboard="ready">`; each canvas `data-state`: drawn, empty or error). The tables
// beside the charts hold the same facts: a page without this script still says everything.
'use strict';

(() => {
  const DAY = 86_400_000;
  const CHART_LIBRARY = '/assets/chart.umd.min.js';
  // Distinct in light and dark mode (Okabe–Ito first, then Tableau's).
  const PALETTE = ['#0072b2', '#e69f00', '#009e73', '#d55e00', '#cc79a7', '#56b4e9', '#b8a200', '#7f7f7f', '#8c564b', '#9467bd', '#17becf', '#bcbd22'];
  const color = (index) => PALETTE[index % PALETTE.length];
  const day = (ms) => new Date(ms).toISOString().slice(0, 10);
  const time = (text) => new Date(text).getTime();

  /** The axis options every time chart shares: time in days along x (UTC dates). */
  function timeAxis(min, max) {
    return { type: 'linear', min, max, ticks: { callback: (value) => day(value), maxTicksLimit: 8, maxRotation: 0 } };
  }

  function baseOptions(extra) {
    return {
      animation: false,
      responsive: true,
      // Room above the plot: rank 1 lies on its top edge, and its line would be half hidden.
      layout: { padding: { top: 6 } },
      maintainAspectRatio: false,
      parsing: false,
      normalized: true,
      interaction: { mode: 'nearest', intersect: false },
      plugins: {
        legend: { position: 'bottom', labels: { boxWidth: 12, filter: (item, data) => !data.datasets[item.datasetIndex].band } },
        tooltip: { callbacks: { title: (items) => (items[0] ? day(items[0].parsed.x) : '') } },
      },
      ...extra,
    };
  }

  /**
   * A series' periods as line points: each period from its start (or the window's) to its end (or
   * the window's), a break (null) where the model was off the board.
   */
  function periodPoints(points, value, since, until) {
    const out = [];
    let lastEnd = null;
    for (const point of points) {
      const y = value(point);
      if (y === null || y === undefined) continue;
      const from = Math.max(time(point.from), since);
      const to = Math.min(point.to ? time(point.to) : until, until);
      if (lastEnd !== null && from > lastEnd) out.push({ x: lastEnd, y: null });
      out.push({ x: from, y }, { x: to, y });
      lastEnd = to;
    }
    return out;
  }

  function windowOf(body, fallbackSince) {
    const until = body.until ? time(body.until) : Date.now();
    const since = body.since ? time(body.since) : fallbackSince;
    return { since, until };
  }

  function earliest(series) {
    let first = Infinity;
    for (const one of series) for (const point of one.points) first = Math.min(first, time(point.from));
    return Number.isFinite(first) ? first : Date.now() - DAY;
  }

  /** One series as a line in its palette colour, without point markers; `extra` adds to or overrides it. */
  function line(label, data, index, extra) {
    return { label, data, borderColor: color(index), backgroundColor: color(index), pointRadius: 0, borderWidth: 2, ...extra };
  }

  /** Ranks upwards: 1 at the top, whole numbers only (a new object per chart: Chart.js keeps what it is given). */
  const rankAxis = () => ({ reverse: true, min: 1, ticks: { precision: 0 }, title: { display: true, text: 'rank' } });

  const charts = {
    /** Rank over time of several models on one board (1 at the top). */
    bump(body) {
      const { since, until } = windowOf(body, earliest(body.series));
      const datasets = body.series.map((one, index) =>
        line(one.name ?? one.model, periodPoints(one.points, (point) => point.rank, since, until), index, { model: one.model, spanGaps: false, clip: 6 }),
      );
      return { type: 'line', data: { datasets }, options: baseOptions({ scales: { x: timeAxis(since, until), y: rankAxis() } }) };
    },

    /** Score over time of the first few models, each with its interval as a band. */
    scores(body, canvas) {
      const shown = body.series.slice(0, Number(canvas.dataset.models || 5));
      const { since, until } = windowOf(body, earliest(shown));
      const datasets = [];
      shown.forEach((one, index) => {
        const label = one.name ?? one.model;
        const fill = `${color(index)}33`;
        datasets.push(
          { label: `${label} (lower bound)`, band: true, data: periodPoints(one.points, (p) => p.scoreLower, since, until), borderWidth: 0, pointRadius: 0, fill: false },
          { label: `${label} (upper bound)`, band: true, data: periodPoints(one.points, (p) => p.scoreUpper, since, until), borderWidth: 0, pointRadius: 0, fill: '-1', backgroundColor: fill },
          line(label, periodPoints(one.points, (p) => p.score, since, until), index, { model: one.model }),
        );
      });
      return { type: 'line', data: { datasets }, options: baseOptions({ scales: { x: timeAxis(since, until), y: { title: { display: true, text: 'score' } } } }) };
    },

    /** Input price per million tokens over time. */
    prices(body) {
      const { since, until } = windowOf(body, earliest(body.series));
      const datasets = body.series.map((one, index) => line(one.name ?? one.model, periodPoints(one.points, (point) => point.priceInput, since, until), index, { model: one.model }));
      return { type: 'line', data: { datasets }, options: baseOptions({ scales: { x: timeAxis(since, until), y: { title: { display: true, text: '$ per million input tokens' } } } }) };
    },

    /** One model's rank over time on each board that lists it. */
    'model-ranks'(body) {
      const byBoard = new Map();
      for (const period of body.history) {
        if (!byBoard.has(period.board)) byBoard.set(period.board, []);
        byBoard.get(period.board).push({ from: period.validFrom, to: period.validTo, rank: period.rank });
      }
      const first = Math.min(...body.history.map((period) => time(period.validFrom)));
      const until = Date.now();
      const datasets = [...byBoard].map(([board, points], index) => line(board, periodPoints(points, (point) => point.rank, first, until), index, { clip: 6 }));
      return {
        type: 'line',
        data: { datasets: datasets.filter((dataset) => dataset.data.length > 0) },
        options: baseOptions({ scales: { x: timeAxis(first, until), y: rankAxis() } }),
      };
    },

    /** The US–China gap at each snapshot, in percent of the leader's score (above 0: the US leads); hollow points lie inside the intervals. */
    gap(body) {
      const points = body.history
        .filter((item) => item.gap)
        .map((item) => ({ x: time(item.at), y: Math.sign(item.gap.points) * item.gap.percent, inside: item.gap.insideIntervals === true }))
        .sort((a, b) => a.x - b.x);
      const line = color(0);
      return {
        type: 'line',
        data: {
          datasets: [
            {
              label: 'US–China gap (%)',
              data: points,
              borderColor: line,
              backgroundColor: points.map((point) => (point.inside ? 'transparent' : line)),
              pointBorderColor: line,
              pointRadius: 3,
              borderWidth: 2,
              stepped: 'before',
            },
          ],
        },
        options: baseOptions({ scales: { x: timeAxis(points[0]?.x, points.at(-1)?.x), y: { title: { display: true, text: '% of the leader’s score' } } } }),
      };
    },
  };

  function say(canvas, text, state) {
    canvas.dataset.state = state;
    const note = document.createElement('p');
    note.className = state === 'error' ? 'error' : 'muted';
    note.textContent = text;
    canvas.after(note);
  }

  // One request per URL: a board's rank and score charts draw the same series.
  const requests = new Map();
  function load(url) {
    if (!requests.has(url)) {
      requests.set(
        url,
        fetch(url, { headers: { accept: 'application/json' } }).then(async (response) => {
          const body = await response.json();
          if (!response.ok) throw new Error(body.message || `HTTP ${response.status}`);
          return body;
        }),
      );
    }
    return requests.get(url);
  }

  async function draw(canvas) {
    const make = charts[canvas.dataset.chart];
    try {
      if (!make) throw new Error(`no chart called ${canvas.dataset.chart}`);
      if (typeof Chart !== 'function') throw new Error('the chart library did not load');
      const config = make(await load(canvas.dataset.src), canvas);
      if (!config.data.datasets.some((dataset) => dataset.data.length > 0)) {
        say(canvas, 'Nothing to draw in this window.', 'empty');
        return;
      }
      const styles = getComputedStyle(document.documentElement);
      Chart.defaults.color = styles.getPropertyValue('--muted').trim() || Chart.defaults.color;
      Chart.defaults.borderColor = styles.getPropertyValue('--rule').trim() || Chart.defaults.borderColor;
      new Chart(canvas, config);
      canvas.dataset.state = 'drawn';
    } catch (error) {
      say(canvas, `The chart could not be drawn: ${error.message}`, 'error');
    }
  }

  /** Chart.js, loaded once the page has been painted (the page preloads it). */
  function chartLibrary() {
    return new Promise((resolve, reject) => {
      if (typeof Chart === 'function') return resolve();
      const script = document.createElement('script');
      script.src = CHART_LIBRARY;
      script.onload = () => resolve();
      script.onerror = () => reject(new Error('the chart library did not load'));
      document.head.append(script);
    });
  }

  async function start() {
    const canvases = [...document.querySelectorAll('canvas[data-chart]')];
    if (canvases.length > 0) {
      // The data is asked for at once; the library's 200 KB are parsed after the first paint,
      // so the tables show without waiting for them.
      for (const canvas of canvases) load(canvas.dataset.src).catch(() => {});
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      await chartLibrary().catch(() => {});
      await Promise.all(canvases.map(draw));
    }
    document.documentElement.dataset.dashboard = 'ready';
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
