import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { announcerWith } from '../../src/context.ts';
import { makeEntry } from '../../src/entry.ts';
import { loadIdentity } from '../../src/identity/identity.ts';
import { applyCapture } from '../../src/ingest/store.ts';
import { Dispatcher } from '../../src/notify/dispatcher.ts';
import { createSubscription, listDeliveries } from '../../src/notify/subscriptions.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let database: TestDatabase;
beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => database.drop());

describe('stopping the dispatcher', () => {
  it('abandons a request to a receiver that does not answer, instead of waiting for its timeout; the delivery is retried later', async () => {
    const hanging: ServerResponse[] = [];
    const server = createServer((_request, response) => void hanging.push(response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      const { subscription } = await createSubscription(database.db, { channel: 'webhook', url, filters: {} }, { allowHosts: ['127.0.0.1'] });
      await applyCapture(database.db, {
        board: 'aider-polyglot',
        capturedAt: new Date('2025-01-01T00:00:00Z'),
        entries: [makeEntry({ model: 'a', name: 'a', rank: 1, score: 80 })],
        origin: 'import',
        source: 'a.yml',
        contentHash: 'a',
        format: 'test',
        parserVersion: '1',
        publishedAt: null,
        onAnnounced: announcerWith(loadIdentity()),
      });
      const sender = new Dispatcher({ database, publicUrl: 'https://rankwatch.test', allowHosts: ['127.0.0.1'], timeoutMs: 30_000, retrySchedule: [5_000] });
      await sender.start();
      const deadline = Date.now() + 10_000;
      while (hanging.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(hanging).toHaveLength(1);
      const started = Date.now();
      await sender.stop();
      expect(Date.now() - started).toBeLessThan(5_000);
      const [delivery] = await listDeliveries(database.db, subscription.id, 10);
      expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastError: 'abandoned: shutting down', attemptsLog: [{ outcome: 'failed', error: 'abandoned: shutting down' }] });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
