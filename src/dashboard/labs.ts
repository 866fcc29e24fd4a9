import { html } from 'hono/html';
import type { Db } from '../db/client.ts';
import { listBoards } from '../db/queries.ts';
import type { GroupBest } from '../diff/aggregates.ts';
import { NotFoundError } from '../errors.ts';
import type { Identity } from '../identity/identity.ts';
import { boardAggregates, type BoardAggregates } from '../identity/store.ts';
import { boardPath, href, modelPath, num, page, when, type Html } from './layout.ts';

/** The board the labs page shows when none is asked for: LMArena's text arena, if stored. */
export const DEFAULT_LABS_BOARD = 'lmarena-text';

function groupsTable(caption: string, heading: string, groups: readonly GroupBest[]): Html {
  if (groups.length === 0) return html`<p class="muted">No model of this board is attributed yet.</p>`;
  return html`<div class="scroll"><table>
    <caption>${caption}</caption>
    <thead><tr><th scope="col" class="num">Place</th><th scope="col">${heading}</th><th scope="col">Best model</th><th scope="col" class="num">Rank</th><th scope="col" class="num">Score</th><th scope="col" class="num">Models</th></tr></thead>
    <tbody>${groups.map(
      (group) => html`<tr><td class="num">${group.place}</td><th scope="row">${group.group}</th><td><a href="${modelPath(group.best.model)}">${group.best.name}</a></td><td class="num">${group.best.rank ?? '–'}</td><td class="num">${num(group.best.score)}</td><td class="num">${group.models}</td></tr>`,
    )}</tbody>
  </table></div>`;
}

/** The US–China gap in words: who leads, by how much, and whether the intervals overlap. */
function gapText(gap: NonNullable<BoardAggregates['gap']>): Html {
  const inside =
    gap.insideIntervals === null
      ? 'the board publishes no intervals to tell whether it is significant'
      : gap.insideIntervals
        ? 'inside the published intervals: the two best could be level'
        : 'outside the published intervals';
  return html`<p class="gap"><strong>${gap.leader ?? 'Level'}${gap.leader ? ' leads' : ''}</strong> by ${num(Math.abs(gap.points))} points (${num(gap.percent, 2)}%):
    <a href="${modelPath(gap.a.model)}">${gap.a.name}</a> (${gap.countries[0]}) ${num(gap.a.score)} against <a href="${modelPath(gap.b.model)}">${gap.b.name}</a> (${gap.countries[1]}) ${num(gap.b.score)}; ${inside}.</p>`;
}

/**
 * Labs and countries (`/labs?board=`): the lab ranking and the country ranking of a board (the best
 * model of each), the US–China gap now, and a chart of the gap over time marking where it lay
 * inside the intervals (drawn by the script from the API's aggregates history).
 */
export async function labsPage(db: Db, identity: Identity, requested: string | undefined): Promise<Html> {
  const boards = await listBoards(db);
  const board = requested ?? (boards.some((candidate) => candidate.id === DEFAULT_LABS_BOARD) ? DEFAULT_LABS_BOARD : boards[0]?.id);
  const summary = boards.find((candidate) => candidate.id === board);
  if (requested && !summary) throw new NotFoundError(`unknown board: ${requested}`);
  const chooser = html`<form class="filters" method="get" action="/labs"><label>Board <select name="board">${boards.map(
    (candidate) => html`<option value="${candidate.id}"${candidate.id === board ? html` selected` : ''}>${candidate.name}</option>`,
  )}</select></label> <button type="submit">Show</button></form>`;
  if (!summary) return page({ title: 'Labs & countries', section: '/labs' }, html`<h1>Labs &amp; countries</h1><p>No board has been stored yet.</p>`);

  const [labs, countries] = await Promise.all([boardAggregates(db, identity, summary.id, 'organization'), boardAggregates(db, identity, summary.id, 'country')]);
  const gapUrl = `/v1/boards/${encodeURIComponent(summary.id)}/aggregates/history?${new URLSearchParams({ by: 'country', limit: '1000' }).toString()}`;
  return page(
    { title: 'Labs & countries', section: '/labs', charts: Boolean(countries?.gap) },
    html`<h1>Labs &amp; countries</h1>
    ${chooser}
    <p class="lead"><a href="${boardPath(summary.id)}">${summary.name}</a> as it stands ${when(labs?.at ?? null)}.</p>
    <section aria-labelledby="gap-title">
      <h2 id="gap-title">The US–China gap</h2>
      ${countries?.gap
        ? html`${gapText(countries.gap)}
      <figure class="chart">
        <div class="plot"><canvas id="gap-chart" data-chart="gap" data-src="${gapUrl}" role="img" aria-label="The US–China gap over time, in percent of the leader's score"></canvas></div>
        <figcaption>The gap between the best US and the best Chinese model at each snapshot, in percent (above 0: the US leads). Hollow points lie inside the published intervals. Data: <a href="${gapUrl}">the aggregates history</a>.</figcaption>
      </figure>`
        : html`<p class="muted">This board has no scored model from both the US and China.</p>`}
    </section>
    <section aria-labelledby="labs-title">
      <h2 id="labs-title">Lab ranking</h2>
      ${groupsTable('Each organization by its best model.', 'Organization', labs?.groups ?? [])}
    </section>
    <section aria-labelledby="countries-title">
      <h2 id="countries-title">Country ranking</h2>
      ${groupsTable("Each country by its makers' best model.", 'Country', countries?.groups ?? [])}
    </section>
    <p><a href="${href('/events', { board: summary.id, kind: ['gap_changed'] })}">Gap events</a></p>`,
  );
}
