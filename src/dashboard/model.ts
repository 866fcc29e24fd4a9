import { html } from 'hono/html';
import type { Db } from '../db/client.ts';
import { NotFoundError } from '../errors.ts';
import type { Identity } from '../identity/identity.ts';
import { canonicalHistory, keysOf, modelAcrossBoards } from '../identity/store.ts';
import { boardPath, href, num, page, when, type Html } from './layout.ts';

/**
 * A model's page (`/models/:id`, by canonical id or a board's key): its identity (canonical id,
 * organization, country, the keys boards list it under), its current rank on every board, and its
 * rank history across boards on one chart (drawn by the script from the API's model history).
 */
export async function modelPage(db: Db, identity: Identity, id: string): Promise<Html> {
  const [keys, standing, history] = await Promise.all([keysOf(db, identity, id), modelAcrossBoards(db, identity, id), canonicalHistory(db, identity, id)]);
  const [known] = keys;
  if (!known || history.length === 0) throw new NotFoundError(`unknown model: ${id}`);
  const current = standing?.boards ?? [];
  const name = current[0]?.name ?? history.at(-1)?.name ?? known.id;
  const ranked = history.some((period) => period.rank !== null);
  const historyUrl = `/v1/models/${known.id.split('/').map(encodeURIComponent).join('/')}/history`;
  const boardsOnce = [...new Set(history.map((period) => period.board))];
  const gone = boardsOnce.filter((board) => !current.some((entry) => entry.board === board));
  // Events are filed under the boards' keys, which the canonical id need not be: a link per key.
  const stored = [...new Set(keys.map((key) => key.model))];
  const eventLinks = stored.map((key, index) => {
    const as = stored.length > 1 ? html` as <code>${key}</code>` : '';
    return html`${index ? html`<br>` : ''}<a href="${href('/events', { model: key })}">Its events${as}</a> · <a href="${href('/feed.atom', { model: key })}">its feed${as}</a>`;
  });

  return page(
    { title: name, section: '/', charts: ranked },
    html`<h1>${name}</h1>
    <dl class="facts">
      <div><dt>Canonical id</dt><dd><code>${known.id}</code></dd></div>
      <div><dt>Organization</dt><dd>${known.organization ? html`<a href="${href('/events', { organization: known.organization })}">${known.organization}</a>` : html`<span class="muted">unknown</span>`}</dd></div>
      <div><dt>Country</dt><dd>${known.country ?? html`<span class="muted">unknown</span>`}</dd></div>
      <div><dt>Listed as</dt><dd>${keys.map((key, index) => html`${index ? ', ' : ''}<code>${key.model}</code> on <a href="${boardPath(key.board)}">${key.board}</a>`)}</dd></div>
    </dl>
    ${ranked
      ? html`<figure class="chart">
      <div class="plot"><canvas id="model-chart" data-chart="model-ranks" data-src="${historyUrl}" role="img" aria-label="Rank of ${name} over time on each board"></canvas></div>
      <figcaption>Rank over time on each board (1 at the top). Data: <a href="${historyUrl}">the history</a> (<a href="${historyUrl}.csv">CSV</a>).</figcaption>
    </figure>`
      : ''}
    <section aria-labelledby="now-title">
      <h2 id="now-title">Now</h2>
      ${current.length
        ? html`<div class="scroll"><table>
        <caption>Its current standing on every board that lists it.</caption>
        <thead><tr><th scope="col">Board</th><th scope="col" class="num">Rank</th><th scope="col" class="num">Score</th><th scope="col" class="num">Input $/M</th><th scope="col" class="num">Output $/M</th><th scope="col">Since</th></tr></thead>
        <tbody>${current.map(
          (entry) => html`<tr><th scope="row"><a href="${boardPath(entry.board)}">${entry.board}</a></th><td class="num">${entry.rank ?? '–'}</td><td class="num">${num(entry.score)}</td><td class="num">${num(entry.priceInput, 3)}</td><td class="num">${num(entry.priceOutput, 3)}</td><td>${when(entry.validFrom)}</td></tr>`,
        )}</tbody>
      </table></div>`
        : html`<p>On no board now.</p>`}
      ${gone.length ? html`<p class="muted">Listed before on ${gone.map((board, index) => html`${index ? ', ' : ''}<a href="${boardPath(board)}">${board}</a>`)}.</p>` : ''}
    </section>
    <p>${eventLinks}</p>`,
  );
}
