import { html } from 'hono/html';
import type { Db } from '../db/client.ts';
import { listBoards, listChangeSets, standingsAt, type BoardSummary } from '../db/queries.ts';
import { boardPath, modelPath, page, when, type Html } from './layout.ts';

/** How a board's data stands, from its last scrape: in words and as a class for the badge. */
export function boardHealth(board: Pick<BoardSummary, 'lastScrape'>): { label: string; tone: 'ok' | 'warn' | 'bad' | 'none' } {
  const scrape = board.lastScrape;
  if (!scrape) return { label: 'not scraped yet', tone: 'none' };
  if (scrape.status === 'failed') return { label: 'failing', tone: 'bad' };
  if (scrape.status === 'quarantined') return { label: 'quarantined', tone: 'warn' };
  return { label: 'ok', tone: 'ok' };
}

/** A status badge: the word is the information, the colour only repeats it. */
export function badge(label: string, tone: string): Html {
  return html`<span class="badge ${tone}">${label}</span>`;
}

/**
 * The boards overview (`/`): every board with its leader, last scrape, health and last change,
 * newest change first. One table, readable without a script.
 */
export async function overviewPage(db: Db): Promise<Html> {
  const boards = await listBoards(db);
  const rows = await Promise.all(
    boards.map(async (board) => {
      if (board.snapshots === 0) return { board, leader: null, change: null };
      // A board of prices has no ranks, hence no leader.
      const [first] = await standingsAt(db, board.id);
      const [change] = await listChangeSets(db, { board: board.id, limit: 1 });
      return { board, leader: first && first.rank !== null ? first : null, change: change ?? null };
    }),
  );
  rows.sort((a, b) => (b.change?.capturedAt ?? '').localeCompare(a.change?.capturedAt ?? '') || a.board.id.localeCompare(b.board.id));
  const body = rows.length
    ? html`<div class="scroll"><table>
      <caption>Every board rankwatch has stored, the most recent change first.</caption>
      <thead><tr><th scope="col">Board</th><th scope="col">Leader</th><th scope="col">Models</th><th scope="col">Last scrape</th><th scope="col">Health</th><th scope="col">Last change</th></tr></thead>
      <tbody>
      ${rows.map(({ board, leader, change }) => {
        const health = boardHealth(board);
        return html`<tr>
        <th scope="row"><a href="${boardPath(board.id)}">${board.name}</a><br><span class="muted">${board.id}</span></th>
        <td>${leader ? html`<a href="${modelPath(leader.model)}">${leader.name}</a>` : html`<span class="muted">–</span>`}</td>
        <td class="num">${board.entries}</td>
        <td>${board.lastScrape ? when(board.lastScrape.ranAt) : html`<span class="muted">never</span>`}</td>
        <td>${badge(health.label, health.tone)}</td>
        <td>${change ? html`${when(change.capturedAt)}<br><span class="summary">${change.summary}</span>` : html`<span class="muted">none yet</span>`}</td>
      </tr>`;
      })}
      </tbody>
    </table></div>`
    : html`<p>No board has been scraped or imported yet. Run <code>rankwatch scrape &lt;board&gt;</code> or start the service with <code>npm start</code>.</p>`;
  return page(
    { title: 'Boards', section: '/' },
    html`<h1>Leaderboards</h1>
    <p class="lead">rankwatch watches public AI-model leaderboards and announces what moves: new leaders, rank and score moves, models entering and leaving, price changes.</p>
    ${body}`,
  );
}
