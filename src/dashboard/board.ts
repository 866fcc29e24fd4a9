import { html } from 'hono/html';
import type { Db } from '../db/client.ts';
import { listBoards, listChangeSets, standingsAt, type Standing } from '../db/queries.ts';
import { NotFoundError } from '../errors.ts';
import { badge, boardHealth } from './overview.ts';
import { boardPath, href, modelPath, num, page, when, type Html } from './layout.ts';

const DAY_MS = 86_400_000;

/** The windows the board page's charts offer, in days (0: everything stored). */
export const CHART_WINDOWS = [30, 90, 365, 0] as const;
export const DEFAULT_WINDOW = 90;
/** How many of the best-ranked models the bump chart follows by default, and at most. */
export const DEFAULT_TOP = 10;
export const MAX_TOP = 30;
/** How many of them the score chart draws with their intervals (more bands would hide each other). */
export const SCORE_MODELS = 5;

export interface BoardPageQuery {
  /** The board as it stood at this time (default now); the deltas look back from it. */
  at: Date | undefined;
  /** The charts' window in days (0: all). */
  days: number;
  top: number;
}

/** A rank move from `before` to `now`, as shown: places gained (▲), lost (▼), new, or none. */
export function rankDelta(now: number | null, before: number | null | undefined): { text: string; label: string; tone: string } {
  if (now === null) return { text: '–', label: 'no rank', tone: 'muted' };
  if (before === undefined) return { text: 'new', label: 'not on the board then', tone: 'new' };
  if (before === null) return { text: '–', label: 'no rank then', tone: 'muted' };
  const gained = before - now;
  if (gained > 0) return { text: `▲${gained}`, label: `up ${gained} from #${before}`, tone: 'up' };
  if (gained < 0) return { text: `▼${-gained}`, label: `down ${-gained} from #${before}`, tone: 'down' };
  return { text: '=', label: `unchanged at #${before}`, tone: 'muted' };
}

function deltaCell(now: number | null, before: number | null | undefined): Html {
  const delta = rankDelta(now, before);
  return html`<td class="num delta ${delta.tone}"><span aria-hidden="true">${delta.text}</span><span class="visually-hidden">${delta.label}</span></td>`;
}

function scoreCell(entry: Standing): Html {
  if (entry.score === null) return html`<td class="num">–</td>`;
  const interval =
    entry.scoreLower !== null && entry.scoreUpper !== null ? html`<br><span class="muted interval">${num(entry.scoreLower)} – ${num(entry.scoreUpper)}</span>` : '';
  return html`<td class="num">${num(entry.score)}${interval}</td>`;
}

/**
 * A board's page (`/boards/:board`): its standings at a time (default now) with rank deltas against
 * 7 and 30 days before, a bump chart of the best `top` models' ranks and a chart of the best five's
 * scores with their intervals over the window (drawn by the script from the API's series, which
 * the page links to), and the latest change sets. Prices replace scores on a price board.
 */
export async function boardPage(db: Db, board: string, query: BoardPageQuery, now: Date): Promise<Html> {
  const summary = (await listBoards(db)).find((candidate) => candidate.id === board);
  if (!summary) throw new NotFoundError(`unknown board: ${board}`);
  const at = query.at ?? now;
  // Looking back from now, to the minute: the same lookups for a minute, which standingsAt keeps
  // (to the millisecond, every request would read and keep two new ones).
  const back = (days: number) => new Date(Math.floor((at.getTime() - days * DAY_MS) / 60_000) * 60_000);
  const [current, weekAgo, monthAgo, changes] = await Promise.all([
    standingsAt(db, board, query.at),
    standingsAt(db, board, query.at ? new Date(at.getTime() - 7 * DAY_MS) : back(7)),
    standingsAt(db, board, query.at ? new Date(at.getTime() - 30 * DAY_MS) : back(30)),
    listChangeSets(db, { board, limit: 20 }),
  ]);
  const rankThen = (entries: readonly Standing[]) => new Map(entries.map((entry) => [entry.model, entry.rank]));
  const [week, month] = [rankThen(weekAgo), rankThen(monthAgo)];
  const priced = current.some((entry) => entry.priceInput !== null || entry.priceOutput !== null);
  const ranked = current.some((entry) => entry.rank !== null);
  const top = current.slice(0, query.top);
  // From the start of that day (UTC): the same URL all day, which the API and browsers keep.
  const since = query.days ? new Date(Math.floor((at.getTime() - query.days * DAY_MS) / DAY_MS) * DAY_MS) : null;
  const seriesUrl = top.length
    ? `/v1/boards/${encodeURIComponent(board)}/history?${new URLSearchParams([
        ...top.map((entry): [string, string] => ['models', entry.model]),
        ...(since ? [['since', since.toISOString()] as [string, string]] : []),
        ...(query.at ? [['until', at.toISOString()] as [string, string]] : []),
      ]).toString()}`
    : null;
  const health = boardHealth(summary);
  const windowLinks = CHART_WINDOWS.map((days) => {
    const label = days ? `${days} days` : 'all';
    const target = href(boardPath(board), { at: query.at?.toISOString(), days: days === DEFAULT_WINDOW ? null : String(days), top: query.top === DEFAULT_TOP ? null : query.top });
    return days === query.days ? html`<li><a href="${target}" aria-current="true">${label}</a></li>` : html`<li><a href="${target}">${label}</a></li>`;
  });

  const charts = seriesUrl
    ? html`<section aria-labelledby="charts-title">
      <h2 id="charts-title">Over time</h2>
      <nav aria-label="Chart window"><ul class="choices">${windowLinks}</ul></nav>
      ${ranked
        ? html`<figure class="chart">
        <div class="plot"><canvas id="bump-chart" data-chart="bump" data-src="${seriesUrl}" role="img" aria-label="Rank over time of the ${top.length} best-ranked models"></canvas></div>
        <figcaption>Rank over time of ${query.at ? 'the' : "today's"} top ${top.length}${query.at ? ' of that time' : ''} (1 at the top); a gap is time off the board. Data: <a href="${seriesUrl}">the series</a> (<a href="${seriesUrl.replace('/history?', '/history.csv?')}">CSV</a>).</figcaption>
      </figure>`
        : ''}
      ${priced
        ? html`<figure class="chart">
        <div class="plot"><canvas id="price-chart" data-chart="prices" data-src="${seriesUrl}" role="img" aria-label="Input price over time of ${top.length} models"></canvas></div>
        <figcaption>Input price per million tokens over time of the first ${top.length} models listed.</figcaption>
      </figure>`
        : html`<figure class="chart">
        <div class="plot"><canvas id="score-chart" data-chart="scores" data-models="${SCORE_MODELS}" data-src="${seriesUrl}" role="img" aria-label="Score over time of the ${Math.min(SCORE_MODELS, top.length)} best-ranked models, with their confidence intervals"></canvas></div>
        <figcaption>Score over time of ${query.at ? 'the' : "today's"} top ${Math.min(SCORE_MODELS, top.length)}${query.at ? ' of that time' : ''}, the band being the published confidence interval.</figcaption>
      </figure>`}
    </section>`
    : '';

  const table = current.length
    ? html`<div class="scroll"><table class="standings">
      <caption>${query.at ? html`As it stood at ${when(at)}` : 'Now'}: ${current.length} models. Δ: places gained or lost since 7 and 30 days before.</caption>
      <thead><tr>
        <th scope="col" class="num">Rank</th><th scope="col">Model</th><th scope="col">Organization</th>
        ${priced ? html`<th scope="col" class="num">Input $/M</th><th scope="col" class="num">Output $/M</th>` : html`<th scope="col" class="num">Score</th><th scope="col" class="num">Votes</th>`}
        <th scope="col" class="num">Δ 7 days</th><th scope="col" class="num">Δ 30 days</th>
      </tr></thead>
      <tbody>${current.map(
        (entry) => html`<tr>
        <td class="num">${entry.rank ?? '–'}</td>
        <th scope="row"><a href="${modelPath(entry.model)}">${entry.name}</a></th>
        <td>${entry.organization ?? html`<span class="muted">–</span>`}</td>
        ${priced ? html`<td class="num">${num(entry.priceInput, 3)}</td><td class="num">${num(entry.priceOutput, 3)}</td>` : html`${scoreCell(entry)}<td class="num">${entry.votes ?? '–'}</td>`}
        ${deltaCell(entry.rank, week.get(entry.model))}${deltaCell(entry.rank, month.get(entry.model))}
      </tr>`,
      )}</tbody>
    </table></div>`
    : html`<p>Nothing stood on this board ${query.at ? html`at ${when(at)}` : 'yet'}.</p>`;

  const timeline = changes.length
    ? html`<ol class="timeline">${changes.map(
        (change) => html`<li>${when(change.capturedAt)} <a href="/v1/changes/${change.id}">${change.summary}</a>${change.bulkRemoval ? html` ${badge('bulk removal', 'warn')}` : ''}${change.methodologyChanged ? html` ${badge('methodology changed', 'warn')}` : ''}</li>`,
      )}</ol>`
    : html`<p class="muted">No change announced yet.</p>`;

  return page(
    { title: summary.name, section: '/', charts: Boolean(seriesUrl) },
    html`<h1>${summary.name}</h1>
    <p class="lead">${summary.sourceName} · <code>${board}</code> · last scrape ${summary.lastScrape ? when(summary.lastScrape.ranAt) : 'never'} ${badge(health.label, health.tone)} ·
      <a href="${href('/events', { board })}">events</a> · <a href="${href('/labs', { board })}">labs &amp; countries</a> ·
      <a href="${href('/feed.atom', { board })}">feed</a></p>
    ${charts}
    <section aria-labelledby="standings-title">
      <h2 id="standings-title">Standings</h2>
      <form class="filters" method="get" action="${boardPath(board)}">
        <label>On (UTC) <input type="date" name="at" value="${query.at ? query.at.toISOString().slice(0, 10) : ''}"></label>
        <label>Chart top <input type="number" name="top" min="1" max="${MAX_TOP}" value="${query.top}"></label>
        <input type="hidden" name="days" value="${query.days}">
        <button type="submit">Show</button>
      </form>
      ${table}
    </section>
    <section aria-labelledby="changes-title">
      <h2 id="changes-title">Latest changes</h2>
      ${timeline}
    </section>`,
  );
}
