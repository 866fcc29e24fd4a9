import { parseAtomFeed, parseJsonFeed, parseRssFeed } from 'feedsmith';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.ts';
import { listChangeSets } from '../../src/db/queries.ts';
import { makeEntry, type Entry } from '../../src/entry.ts';
import { applyCapture } from '../../src/ingest/store.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Model names holding XML and HTML markup reach every feed title as the plain text they are:
// Atom titles are `type="text"`, escaped once for XML and never as HTML on top.
const BOARD = 'voicebench';
const NAME = 'R&D <b>"beta"</b> ]]> a<b';

let database: TestDatabase;
let app: ReturnType<typeof createApp>;

const e = (model: string, name: string, rank: number, score: number): Entry => makeEntry({ model, name, rank, score, votes: 10, organization: 'Org' });

beforeAll(async () => {
  database = await createTestDatabase();
  app = createApp({ db: database.db, publicUrl: 'https://rankwatch.test' });
  const capture = (at: string, entries: Entry[]) =>
    applyCapture(database.db, { board: BOARD, capturedAt: new Date(at), entries, origin: 'import', source: null, contentHash: at, format: 'test', parserVersion: '1', publishedAt: null, settle: { scrapes: 1 } });
  await capture('2025-03-01T00:00:00Z', [e('x1', 'Plain', 1, 80), e('rd', NAME, 2, 70)]);
  await capture('2025-03-02T00:00:00Z', [e('rd', NAME, 1, 90), e('x1', 'Plain', 2, 80)]);
});
afterAll(async () => database.drop());

async function text(path: string): Promise<string> {
  const response = await app.request(path);
  expect(response.status).toBe(200);
  return response.text();
}

describe('feed titles with markup in a model name', () => {
  it('the change set’s summary names the model with its markup (so the checks below are about something)', async () => {
    const [newest] = await listChangeSets(database.db, { board: BOARD, limit: 1 });
    expect(newest?.summary).toContain(`new #1 ${NAME}`);
  });

  it('Atom: the title is type="text", parses back to exactly the plain summary, and is XML-escaped once', async () => {
    const [newest] = await listChangeSets(database.db, { board: BOARD, limit: 1 });
    const body = await text(`/feed.atom?board=${BOARD}`);
    const [entry] = parseAtomFeed(body).entries ?? [];
    expect(entry?.title).toEqual({ type: 'text', value: newest!.summary });
    expect(body).toContain('new #1 R&amp;D &lt;b&gt;&quot;beta&quot;&lt;/b&gt; ]]&gt; a&lt;b');
    const titles = body.match(/<title[^>]*>.*<\/title>/g) ?? [];
    expect(titles.length).toBe(3);
    for (const title of titles) {
      expect(title).toMatch(/^<title type="text">/);
      expect(title).not.toMatch(/&amp;(lt|gt|amp|quot);|CDATA/);
    }
  });

  it('RSS and JSON Feed titles parse back to the same plain summary', async () => {
    const [newest] = await listChangeSets(database.db, { board: BOARD, limit: 1 });
    expect(parseRssFeed(await text(`/feed.xml?board=${BOARD}`)).items?.[0]?.title).toBe(newest!.summary);
    expect(parseJsonFeed(await text(`/feed.json?board=${BOARD}`)).items?.[0]?.title).toBe(newest!.summary);
  });

  it('per event too: the Atom title is the plain event line', async () => {
    const titles = (parseAtomFeed(await text(`/feed.atom?board=${BOARD}&kind=new_leader&per=event`)).entries ?? []).map((entry) => entry.title);
    expect(titles).toEqual([{ type: 'text', value: `${NAME} takes #1 on ${BOARD} (was #2)` }]);
  });

  it('the body lists the event with the name escaped as HTML, once', async () => {
    const [entry] = parseAtomFeed(await text(`/feed.atom?board=${BOARD}`)).entries ?? [];
    expect(entry?.content?.type).toBe('html');
    expect(entry?.content?.value).toContain('<li>R&amp;D &lt;b&gt;&quot;beta&quot;&lt;/b&gt; ]]&gt; a&lt;b takes #1 on voicebench (was #2)</li>');
  });
});
