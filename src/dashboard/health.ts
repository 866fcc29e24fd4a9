import { html } from 'hono/html';
import type { Db } from '../db/client.ts';
import { listBoards, listEventsKept, listQuarantines } from '../db/queries.ts';
import { describeEvent } from '../diff/describe.ts';
import { HEALTH_KINDS } from '../notify/filters.ts';
import { boardPath, href, page, when, type Html } from './layout.ts';
import { badge, boardHealth } from './overview.ts';

/** How many quarantined captures and operator events the health page lists. */
const RECENT = 20;

/**
 * Health (`/health`): each board's last scrape (when, how, the HTTP status and the error), the
 * latest quarantined captures with their reasons, and the latest operator events (scrapes
 * failing and recovering, snapshots quarantined).
 */
export async function healthPage(db: Db): Promise<Html> {
  const [boards, quarantined, operator] = await Promise.all([
    listBoards(db),
    listQuarantines(db, { limit: RECENT }),
    listEventsKept(db, { kind: HEALTH_KINDS, limit: RECENT }),
  ]);
  const failing = boards.filter((board) => boardHealth(board).tone === 'bad').length;
  return page(
    { title: 'Health', section: '/health' },
    html`<h1>Health</h1>
    <p class="lead">${failing ? html`${badge(`${failing} failing`, 'bad')} ` : html`${badge('every board ok', 'ok')} `}Machine-readable: <a href="/healthz"><code>/healthz</code></a>, <a href="/readyz"><code>/readyz</code></a>, <a href="/metrics"><code>/metrics</code></a>.</p>
    <section aria-labelledby="scrapes-title">
      <h2 id="scrapes-title">Last scrape of each board</h2>
      ${boards.length
        ? html`<div class="scroll"><table>
        <thead><tr><th scope="col">Board</th><th scope="col">Health</th><th scope="col">Ran</th><th scope="col">Outcome</th><th scope="col" class="num">HTTP</th><th scope="col">Error</th></tr></thead>
        <tbody>${boards.map((board) => {
          const health = boardHealth(board);
          const scrape = board.lastScrape;
          return html`<tr><th scope="row"><a href="${boardPath(board.id)}">${board.id}</a></th><td>${badge(health.label, health.tone)}</td>
            <td>${scrape ? when(scrape.ranAt) : html`<span class="muted">never</span>`}</td><td>${scrape ? `${scrape.status} (${scrape.origin})` : '–'}</td>
            <td class="num">${scrape?.httpStatus ?? '–'}</td><td>${scrape?.error ?? ''}</td></tr>`;
        })}</tbody>
      </table></div>`
        : html`<p>No board has been scraped yet.</p>`}
    </section>
    <section aria-labelledby="quarantine-title">
      <h2 id="quarantine-title">Quarantined captures</h2>
      ${quarantined.length
        ? html`<ol class="timeline">${quarantined.map(
            (item) => html`<li>${when(item.capturedAt)} <a href="${boardPath(item.board)}">${item.board}</a>: <a href="/v1/quarantine/${item.id}">${item.rowCount} rows held back</a>: ${item.reasons.join('; ')}</li>`,
          )}</ol>`
        : html`<p class="muted">Nothing quarantined.</p>`}
    </section>
    <section aria-labelledby="operator-title">
      <h2 id="operator-title">Operator events</h2>
      ${operator.length
        ? html`<ol class="timeline">${operator.map((event) => html`<li>${when(event.capturedAt)} ${describeEvent(event.board, event)}</li>`)}</ol>`
        : html`<p class="muted">No scrape has failed.</p>`}
      <p><a href="${href('/events', { kind: HEALTH_KINDS })}">All operator events</a></p>
    </section>`,
  );
}
