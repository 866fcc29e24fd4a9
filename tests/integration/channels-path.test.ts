import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rankwatch, startServe } from '../support/cli.ts';
import { createCliEnvironment } from '../support/db.ts';

// The path a user walks with the new channels: subscribe from the CLI with a Telegram Bot API URL,
// an Apprise-style ntfy URL with a password and an Apprise-style mailtos:// URL, list the
// subscriptions (no secret shown), start `serve` on a live loopback source, and get one alert per
// channel when the board gets a new #1 (none for the first capture).

const TOKEN = '123456789:AAE-secret-bot-token';
const NTFY_PASSWORD = 'ntfy-s3cret-pass';
const MAIL_PASSWORD = 'mail-s3cret-pass';
const ADMIN = 'admin-token-for-the-channels-path';

function catalog(ratings: Record<string, number>): string {
  const full = Object.fromEntries(Object.entries(ratings).map(([key, rating]) => [key, { rating, rating_q975: rating + 4, rating_q025: rating - 5 }]));
  return JSON.stringify({ full, coding: full });
}

/** An HTTP server that records each request's headers and body and answers as the platform does. */
class HttpReceiver {
  readonly server: Server;
  readonly received: { url: string; headers: IncomingHttpHeaders; body: string }[] = [];
  constructor(answer: string) {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.received.push({ url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        response.writeHead(200, { 'content-type': 'application/json' }).end(answer);
      });
    });
  }
  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }
}

let certDir: string;
let source: Server;
let sourceBody = catalog({ 'model-a': 1300, 'model-b': 1290 });
let sourceUrl: string;
const telegram = new HttpReceiver(JSON.stringify({ ok: true, result: { message_id: 1 } }));
const ntfy = new HttpReceiver(JSON.stringify({ id: 'x', event: 'message' }));
const mails: ParsedMail[] = [];
const logins: string[] = [];
let smtp: SMTPServer;
let smtpPort: number;

beforeAll(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'rankwatch-path-cert-'));
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem'), '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
    { stdio: 'ignore' },
  );
  smtp = new SMTPServer({
    key: readFileSync(join(certDir, 'key.pem')),
    cert: readFileSync(join(certDir, 'cert.pem')),
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, session, callback) {
      // Logging in is allowed only over TLS (mailtos:// requires STARTTLS).
      if (!session.secure) return callback(new Error('TLS first'));
      logins.push(`${auth.username}:${auth.password}`);
      if (auth.username === 'alerts' && auth.password === MAIL_PASSWORD) return callback(null, { user: auth.username });
      return callback(Object.assign(new Error('Authentication failed'), { responseCode: 535 }));
    },
    onData(stream, _session, callback) {
      void simpleParser(stream).then((mail) => {
        mails.push(mail);
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;
  source = createServer((request, response) => {
    if (request.url === '/robots.txt') return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'application/json' }).end(sourceBody);
  });
  await new Promise<void>((resolve) => source.listen(0, '127.0.0.1', resolve));
  sourceUrl = `http://127.0.0.1:${(source.address() as AddressInfo).port}/data/leaderboard-text.json`;
});

afterAll(async () => {
  source.close();
  telegram.server.close();
  ntfy.server.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  rmSync(certDir, { recursive: true, force: true });
});

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('subscribing from the CLI with Telegram, ntfy and email URLs, then a live scrape', () => {
  it('each channel gets the new #1 once, with its credentials, and no secret is ever shown back', async () => {
    const telegramPort = await telegram.start();
    const ntfyPort = await ntfy.start();
    const { env: base, cleanup } = await createCliEnvironment();
    const env = {
      ...base,
      RANKWATCH_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      RANKWATCH_ADMIN_TOKEN: ADMIN,
      RANKWATCH_SETTLE_LMARENA_TEXT: '1',
      RANKWATCH_URL_LMARENA_TEXT: sourceUrl,
      RANKWATCH_SCHEDULE_LMARENA_TEXT: '*/2 * * * * *',
      RANKWATCH_SCRAPE_ON_START: 'true',
      RANKWATCH_SCRAPE_JITTER_SECONDS: '0',
      // The SMTP server's self-signed certificate, trusted as a private CA would be.
      NODE_EXTRA_CA_CERTS: join(certDir, 'cert.pem'),
    };
    try {
      const urls = [
        ['--channel', 'telegram', '--url', `http://127.0.0.1:${telegramPort}/bot${TOKEN}/sendMessage?chat_id=-1001234567890`],
        ['--url', `ntfy://alice:${NTFY_PASSWORD}@127.0.0.1:${ntfyPort}/rankwatch-leaders`],
        ['--url', `mailtos://alerts:${MAIL_PASSWORD}@127.0.0.1:${smtpPort}?from=rankwatch@example.com&to=me@example.com`],
      ];
      for (const args of urls) {
        const created = await rankwatch(['subscribe', ...args, '--kind', 'new_leader'], env);
        expect(created.code, created.stderr).toBe(0);
        expect(created.stdout).not.toMatch(/secret|s3cret/);
      }
      const listed = await rankwatch(['subscriptions'], env);
      expect(listed.stdout).toMatch(/\btelegram\b[\s\S]*\bntfy\b[\s\S]*\bemail\b/);
      for (const secret of [TOKEN.split(':')[1]!, NTFY_PASSWORD, MAIL_PASSWORD]) expect(listed.stdout).not.toContain(secret);
      expect(listed.stdout).toContain('bot123456789:****');

      const service = await startServe(env);
      try {
        // The first capture is the board's first sighting: no new #1 to announce.
        await until(async () => {
          const response = await fetch(`${service.url}/v1/boards`);
          const { boards } = (await response.json()) as { boards: { id: string; snapshots: number }[] };
          return boards.find((board) => board.id === 'lmarena-text' && board.snapshots >= 1);
        }, 'the first capture');
        sourceBody = catalog({ 'model-a': 1300, 'model-b': 1320 });
        await until(() => (telegram.received.length > 0 && ntfy.received.length > 0 && mails.length > 0 ? true : undefined), 'an alert on every channel');
        // Later ticks capture the same document: nothing more is sent.
        await new Promise((resolve) => setTimeout(resolve, 4_500));

        expect(telegram.received).toHaveLength(1);
        expect(telegram.received[0]!.url).toBe(`/bot${TOKEN}/sendMessage`);
        const message = JSON.parse(telegram.received[0]!.body) as { chat_id: number; text: string; parse_mode: string };
        expect(message).toMatchObject({ chat_id: -1001234567890, parse_mode: 'HTML' });
        expect(message.text).toContain('model-b');

        expect(ntfy.received).toHaveLength(1);
        expect(ntfy.received[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`alice:${NTFY_PASSWORD}`).toString('base64')}`);
        const note = JSON.parse(ntfy.received[0]!.body) as { topic: string; message: string; priority: number; click: string };
        expect(note).toMatchObject({ topic: 'rankwatch-leaders', priority: 4 });
        expect(note.message).toContain('model-b');

        expect(mails).toHaveLength(1);
        expect(logins).toEqual([`alerts:${MAIL_PASSWORD}`]);
        expect(mails[0]!.subject).toContain('lmarena-text');
        expect(mails[0]!.text).toContain('model-b');
        expect(mails[0]!.to).toMatchObject({ text: 'me@example.com' });
        expect(mails[0]!.references).toBeDefined();

        // The API shows the subscriptions as the CLI did: masked, no credential.
        const api = await fetch(`${service.url}/v1/subscriptions`, { headers: { authorization: `Bearer ${ADMIN}` } });
        const shown = await api.text();
        expect(api.status).toBe(200);
        for (const secret of [TOKEN.split(':')[1]!, NTFY_PASSWORD, MAIL_PASSWORD]) expect(shown).not.toContain(secret);
        const { subscriptions } = JSON.parse(shown) as { subscriptions: { channel: string; url: string }[] };
        expect(subscriptions.map((subscription) => subscription.channel)).toEqual(['telegram', 'ntfy', 'email']);
      } finally {
        service.child.kill('SIGTERM');
        await service.exited;
      }
    } finally {
      await cleanup();
    }
  }, 120_000);
});
