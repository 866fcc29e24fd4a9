import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deliveries, subscriptions } from '../../src/db/schema.ts';
import { Dispatcher } from '../../src/notify/dispatcher.ts';
import { createSubscription, listDeliveries } from '../../src/notify/subscriptions.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { BOARD, importTwo } from '../support/delivery.ts';

// Email alerts through the real Dispatcher to a real SMTP server on loopback (smtp-server): STARTTLS
// with a self-signed certificate (trusted through DispatcherOptions.tls), AUTH checked, each mail
// read back with mailparser. The server's name resolves to 127.0.0.1 through the guard's lookup, so
// the connection is pinned there while TLS verifies the certificate against the name.

const SMTP_HOST = 'smtp.rankwatch.test';
const OTHER_HOST = 'mail.rankwatch.test';
const USER = 'alerts';
const PASSWORD = 'pa$$/word@smtp';
const lookup = async (host: string) => {
  if (host === SMTP_HOST || host === OTHER_HOST) return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
};
const POLICY = { allowHosts: [SMTP_HOST, OTHER_HOST], lookup };

let certDir: string;
let key: string;
let cert: string;
beforeAll(() => {
  certDir = mkdtempSync(join(tmpdir(), 'rankwatch-smtp-cert-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem'), '-days', '2', '-subj', `/CN=${SMTP_HOST}`, '-addext', `subjectAltName=DNS:${SMTP_HOST}`], { stdio: 'ignore' });
  key = readFileSync(join(certDir, 'key.pem'), 'utf8');
  cert = readFileSync(join(certDir, 'cert.pem'), 'utf8');
});
afterAll(() => rmSync(certDir, { recursive: true, force: true }));

/** An SMTP answer to give instead of accepting: `{ code: 451, text: '…' }`. */
type Refusal = { code: number; text: string };

/** A mail the server took: who logged in, over TLS or not, and the message parsed. */
interface Received {
  user: string | undefined;
  secure: boolean;
  envelopeTo: string[];
  mail: ParsedMail;
}

interface MailServer {
  port: number;
  received: Received[];
  /** Refusals given in order to RCPT TO, then DATA (each used once). */
  rcpt: Refusal[];
  data: Refusal[];
  /** Logins tried (user names), accepted or not. */
  logins: string[];
}

const servers: { close(callback: () => void): void }[] = [];

function refusal(answer: Refusal): Error {
  return Object.assign(new Error(answer.text), { responseCode: answer.code });
}

async function mailServer(options: Partial<SMTPServerOptions> = {}): Promise<MailServer> {
  const state: MailServer = { port: 0, received: [], rcpt: [], data: [], logins: [] };
  const server = new SMTPServer({
    key,
    cert,
    logger: false,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, callback) {
      state.logins.push(auth.username ?? '');
      if (auth.username === USER && auth.password === PASSWORD) callback(null, { user: USER });
      else callback(refusal({ code: 535, text: '5.7.8 Authentication credentials invalid' }));
    },
    onRcptTo(_address, _session, callback) {
      const answer = state.rcpt.shift();
      callback(answer ? refusal(answer) : undefined);
    },
    onData(stream, session, callback) {
      const answer = state.data.shift();
      simpleParser(stream).then(
        (mail) => {
          if (answer) return callback(refusal(answer));
          state.received.push({ user: session.user as string | undefined, secure: session.secure, envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address), mail });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.server.address() as AddressInfo).port;
  servers.push(server);
  return state;
}



let database: TestDatabase;
const dispatchers: Dispatcher[] = [];
beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  for (const dispatcher of dispatchers.splice(0)) await dispatcher.stop();
  for (const server of servers.splice(0)) await new Promise<void>((resolve) => server.close(resolve));
  await database.drop();
});

function dispatcher(options: Partial<ConstructorParameters<typeof Dispatcher>[0]> = {}): Dispatcher {
  const created = new Dispatcher({ database, publicUrl: 'https://rankwatch.test', allowHosts: POLICY.allowHosts, lookup, tls: { ca: cert }, timeoutMs: 5_000, retrySchedule: [50, 50, 50, 50], ...options });
  dispatchers.push(created);
  return created;
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const url = (server: MailServer, scheme = 'mailtos', host = SMTP_HOST) =>
  `${scheme}://${USER}:${encodeURIComponent(PASSWORD)}@${host}:${server.port}?from=rankwatch@example.com&name=rankwatch&to=me@example.com,ops@example.org`;

async function subscriptionRow(id: number) {
  return (await database.db.select().from(subscriptions).where(eq(subscriptions.id, id)))[0]!;
}

describe('email alerts to a real SMTP server on loopback', () => {
  it('each change set arrives once over STARTTLS with AUTH: subject, text and HTML, its Message-ID, and its board\'s thread', async () => {
    const server = await mailServer();
    const { subscription, secret } = await createSubscription(database.db, { url: url(server) }, POLICY);
    // The password is the credential: kept apart, never shown, never in the stored URL.
    expect(secret).toBeNull();
    expect(subscription.channel).toBe('email');
    expect(subscription.url).toBe(`mailtos://${USER}@${SMTP_HOST}:${server.port}/?mode=starttls&from=rankwatch@example.com&name=rankwatch&to=me@example.com,ops@example.org`);
    const row = await subscriptionRow(subscription.id);
    expect(row.secret).toBe(PASSWORD);
    expect(row.url).not.toContain(encodeURIComponent(PASSWORD));

    const sender = dispatcher();
    await sender.start();
    await importTwo(database);
    await until(() => server.received.length >= 2);
    await sender.idle();
    expect(server.received).toHaveLength(2);
    expect(server.logins).toEqual([USER, USER]);

    const sent = await database.db.select().from(deliveries).where(eq(deliveries.subscriptionId, subscription.id)).orderBy(deliveries.id);
    expect(sent.map((delivery) => `${delivery.status} ${delivery.lastStatusCode}`)).toEqual(['delivered 250', 'delivered 250']);
    const [first, second] = server.received.map((received) => received!);
    for (const [index, received] of [first!, second!].entries()) {
      expect(received.user).toBe(USER);
      expect(received.secure).toBe(true);
      expect(received.envelopeTo).toEqual(['me@example.com', 'ops@example.org']);
      const { mail } = received;
      expect(mail.from?.value).toEqual([{ address: 'rankwatch@example.com', name: 'rankwatch' }]);
      expect(mail.messageId).toBe(`<${sent[index]!.messageId}@rankwatch.test>`);
      // Both of the board's alerts refer to one thread root, so mail clients thread them.
      expect(mail.inReplyTo).toBe(`<board.${BOARD}@rankwatch.test>`);
      expect(mail.references).toBe(`<board.${BOARD}@rankwatch.test>`);
      expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
      expect(mail.subject).toMatch(/^lmarena-text/);
      expect(mail.text).toMatch(/Full change set: https:\/\/rankwatch\.test\/v1\/changes\/\d+/);
      expect(mail.html).toMatch(/<a href="https:\/\/rankwatch\.test\/v1\/changes\/\d+">Full change set<\/a>/);
    }
    expect(second!.mail.subject).toContain('qwen-max');
    expect(second!.mail.text).toContain('takes #1');
    expect(second!.mail.html).toContain('qwen-max');
    expect(first!.mail.messageId).not.toBe(second!.mail.messageId);
  });

  it('an hourly digest arrives as one mail with both change sets when its window closes', async () => {
    const server = await mailServer();
    const { subscription } = await createSubscription(database.db, { url: url(server), mode: 'hourly', timezone: 'Europe/Berlin' }, POLICY);
    await importTwo(database);
    const [gathering] = await database.db.select().from(deliveries).where(eq(deliveries.subscriptionId, subscription.id));
    expect(gathering).toMatchObject({ kind: 'digest', status: 'gathering' });
    expect(await dispatcher().runOnce()).toBe(0);
    const closing = dispatcher({ now: () => new Date(gathering!.nextAttemptAt.getTime() + 1_000) });
    expect(await closing.runOnce()).toBe(1);
    expect(server.received).toHaveLength(1);
    const { mail } = server.received[0]!;
    expect(mail.subject).toBe(`${gathering!.title}: 2 change sets`);
    expect(mail.messageId).toBe(`<${gathering!.messageId}@rankwatch.test>`);
    expect(mail.text!.match(/^== lmarena-text/gm)).toHaveLength(2);
    expect(String(mail.html).match(/<h2 /g)).toHaveLength(2);
    // All of one board here: the digest joins the board's thread.
    expect(mail.references).toBe(`<board.${BOARD}@rankwatch.test>`);
  });

  it('mailtos refuses a server that offers no STARTTLS: failed and retried, nothing sent, the subscription kept', async () => {
    const server = await mailServer({ disabledCommands: ['STARTTLS'], allowInsecureAuth: true });
    const { subscription } = await createSubscription(database.db, { url: url(server), filters: { kinds: ['new_leader'] } }, POLICY);
    await importTwo(database);
    const sender = dispatcher();
    await sender.start();
    await until(async () => ((await listDeliveries(database.db, subscription.id, 10))[0]?.attempts ?? 0) >= 2);
    await sender.stop();
    const [delivery] = await listDeliveries(database.db, subscription.id, 10);
    expect(delivery!.status).not.toBe('delivered');
    expect(delivery!.attemptsLog[0]).toMatchObject({ outcome: 'failed' });
    expect(delivery!.attemptsLog[0]!.error).toMatch(/STARTTLS refused: TLS is required/);
    expect(server.received).toHaveLength(0);
    // The password was never sent in the clear.
    expect(server.logins).toEqual([]);
    expect((await subscriptionRow(subscription.id)).enabled).toBe(true);
  });

  it('mailto sends in the clear to a server without STARTTLS (its choice), over TLS when offered', async () => {
    const [plain, upgrading] = [await mailServer({ disabledCommands: ['STARTTLS'], allowInsecureAuth: true }), await mailServer()];
    await createSubscription(database.db, { url: url(plain, 'mailto'), filters: { kinds: ['new_leader'] } }, POLICY);
    await createSubscription(database.db, { url: url(upgrading, 'mailto'), filters: { kinds: ['new_leader'] } }, POLICY);
    await importTwo(database);
    await dispatcher().runOnce();
    expect(plain.received.map((received) => `${received.user} ${received.secure}`)).toEqual([`${USER} false`]);
    expect(upgrading.received.map((received) => `${received.user} ${received.secure}`)).toEqual([`${USER} true`]);
  });

  it('TLS verifies the certificate against the server\'s name: another name on the same address fails, retried', async () => {
    const server = await mailServer();
    const { subscription } = await createSubscription(database.db, { url: url(server, 'mailtos', OTHER_HOST), filters: { kinds: ['new_leader'] } }, POLICY);
    await importTwo(database);
    await dispatcher().runOnce();
    const [delivery] = await listDeliveries(database.db, subscription.id, 10);
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: null });
    expect(delivery!.attemptsLog[0]!.error).toMatch(new RegExp(`${OTHER_HOST.replace(/\./g, '\\.')}.*(altnames|does not match|Hostname)`, 'i'));
    expect(server.received).toHaveLength(0);
  });

  it('a 451 on RCPT TO and one after DATA are retried, and the alert then delivered once', async () => {
    const server = await mailServer();
    server.rcpt.push({ code: 451, text: '4.7.1 greylisted, try again' });
    server.data.push({ code: 451, text: '4.3.0 queue full' });
    // One recipient: with several, a refused one is left out and the mail goes to the others.
    const { subscription } = await createSubscription(database.db, { url: url(server).replace(',ops@example.org', ''), filters: { kinds: ['new_leader'] } }, POLICY);
    await importTwo(database);
    const sender = dispatcher();
    await sender.start();
    await until(() => server.received.length >= 1);
    await sender.idle();
    expect(server.received).toHaveLength(1);
    const [delivery] = await listDeliveries(database.db, subscription.id, 10);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 250 });
    expect(delivery!.attemptsLog.map((attempt) => `${attempt.outcome} ${attempt.statusCode}`)).toEqual(['failed 451', 'failed 451', 'delivered 250']);
    expect(delivery!.attemptsLog[0]!.error).toMatch(/451 4\.7\.1 greylisted, try again/);
    expect(delivery!.attemptsLog[1]!.error).toMatch(/451 4\.3\.0 queue full/);
  });

  it('a 550 on RCPT TO (no such mailbox) disables the subscription with the server\'s reason', async () => {
    const server = await mailServer();
    // Both recipients refused: nothing can be delivered.
    server.rcpt.push({ code: 550, text: '5.1.1 no such mailbox' }, { code: 550, text: '5.1.1 no such mailbox' });
    const { subscription } = await createSubscription(database.db, { url: url(server), filters: { kinds: ['new_leader'] } }, POLICY);
    await importTwo(database);
    await dispatcher().runOnce();
    const row = await subscriptionRow(subscription.id);
    expect(row.enabled).toBe(false);
    expect(row.disabledReason).toMatch(new RegExp(`SMTP server ${SMTP_HOST.replace(/\./g, '\\.')}:\\d+ answered 550 5\\.1\\.1 no such mailbox`));
    expect(server.received).toHaveLength(0);
  });

  it('a wrong password (535) disables the subscription; the reason never quotes the password', async () => {
    const server = await mailServer();
    const { subscription } = await createSubscription(database.db, { url: url(server).replace(encodeURIComponent(PASSWORD), 'wrong-password'), filters: { kinds: ['new_leader'] } }, POLICY);
    await importTwo(database);
    await dispatcher().runOnce();
    const row = await subscriptionRow(subscription.id);
    expect(row.enabled).toBe(false);
    expect(row.disabledReason).toMatch(/answered 535 5\.7\.8 Authentication credentials invalid to AUTH (PLAIN|LOGIN)/);
    expect(row.disabledReason).not.toContain('wrong-password');
    const [delivery] = await listDeliveries(database.db, subscription.id, 10);
    expect(delivery!.attemptsLog[0]!.error).not.toContain('wrong-password');
    expect(server.logins).toEqual([USER]);
  });

  /** A server that takes connections and never greets. */
  async function silentServer(): Promise<{ port: number; sockets: Socket[] }> {
    const sockets: Socket[] = [];
    const silent: Server = createTcpServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    servers.push({ close: (callback) => (sockets.forEach((socket) => socket.destroy()), silent.close(() => callback())) });
    return { port: (silent.address() as AddressInfo).port, sockets };
  }

  it('stopping the dispatcher abandons a send in flight at once: a failed attempt, retried after a restart', async () => {
    const { port, sockets } = await silentServer();
    const { subscription } = await createSubscription(database.db, { url: url({ port } as MailServer), filters: { kinds: ['new_leader'] } }, POLICY);
    await importTwo(database);
    const sender = dispatcher({ timeoutMs: 30_000 });
    await sender.start();
    await until(() => sockets.length >= 1);
    const started = Date.now();
    await sender.stop();
    expect(Date.now() - started).toBeLessThan(2_000);
    const [delivery] = await listDeliveries(database.db, subscription.id, 10);
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastError: 'abandoned: shutting down' });
    await until(() => sockets.every((socket) => socket.destroyed || socket.readableEnded));
  });

  it('a server that never answers times out as a failed attempt, retried', async () => {
    const { port } = await silentServer();
    const { subscription } = await createSubscription(database.db, { url: url({ port } as MailServer), filters: { kinds: ['new_leader'] } }, POLICY);
    await importTwo(database);
    const started = Date.now();
    await dispatcher({ timeoutMs: 500 }).runOnce();
    expect(Date.now() - started).toBeLessThan(5_000);
    const [delivery] = await listDeliveries(database.db, subscription.id, 10);
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: null });
    expect(delivery!.attemptsLog[0]!.error).toMatch(/no answer within 500 ms|Greeting never received|timeout/i);
  });
});
