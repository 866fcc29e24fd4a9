import { describe, expect, it } from 'vitest';
import { createLogger, escapeJsonLine, REDACTED, resolveLogFormat } from '../../src/log.ts';

function capture(format: 'json' | 'text' = 'json', level: 'debug' | 'info' | 'warn' = 'debug') {
  const lines: string[] = [];
  return { lines, log: createLogger(level, (line) => lines.push(line), { format }) };
}

/** Line breaks of every kind a reader may split on. */
const BREAKS = /[\n\r\u000b\u000c\u0085\u2028\u2029]/g;

describe('the JSON log format (pino)', () => {
  it('writes one JSON object per line: time, level, msg and the fields', () => {
    const { lines, log } = capture();
    log.info('scrape lmarena-text: changed', { board: 'lmarena-text', events: 3 });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\n')).toBe(true);
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 'info', msg: 'scrape lmarena-text: changed', board: 'lmarena-text', events: 3 });
    expect(new Date(entry.time as string).toISOString()).toBe(entry.time);
  });

  it('drops levels below the threshold', () => {
    const { lines, log } = capture('json', 'warn');
    log.info('hidden');
    log.debug('hidden');
    log.error('shown');
    expect(lines.map((line) => (JSON.parse(line) as { level: string }).level)).toEqual(['error']);
  });

  it.each([
    ['a newline', 'x\ny'],
    ['a carriage return', 'x\ry'],
    ['an escape sequence', 'red \u001b[31m'],
    ['DEL and C1 controls, NEL among them', 'a\u007fb\u0085c\u009b'],
    ['the Unicode line and paragraph separators', 'a\u2028b\u2029c'],
    ['a forged entry', 'x\n{"level":"error","msg":"forged"}'],
  ])('%s in the message or a field cannot start a line, and reads back as it was', (_, text) => {
    const { lines, log } = capture();
    log.warn(`GET /v1/boards/${text}`, { path: text, nested: { value: text } });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.match(BREAKS)).toEqual(['\n']);
    expect(lines[0]).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/);
    const entry = JSON.parse(lines[0]!) as { msg: string; path: string; nested: { value: string } };
    expect(entry.msg).toBe(`GET /v1/boards/${text}`);
    expect(entry.path).toBe(text);
    expect(entry.nested.value).toBe(text);
  });

  it('escapeJsonLine keeps the value of any JSON text', () => {
    const value = { a: '\u2028\u2029\u0085\u007f', b: ['\u009f'] };
    const escaped = escapeJsonLine(JSON.stringify(value));
    expect(escaped).not.toMatch(/[\u007f-\u009f\u2028\u2029]/);
    expect(JSON.parse(escaped)).toEqual(value);
  });

  it('redacts secrets in fields: Authorization, tokens, webhook secrets, API keys, at any depth and spelling', () => {
    const { lines, log } = capture();
    const secrets = ['Bearer admin-token-123456', 'tok-abcdef', 'whsec_secretsecret', 'aa-api-key-999', 'cookie-session'];
    log.info('request', {
      authorization: secrets[0],
      headers: { Authorization: secrets[0], 'x-api-key': secrets[3], cookie: secrets[4] },
      subscription: { id: 1, secret: secrets[2], previousSecret: secrets[2], delivery: { webhookSecret: secrets[2] } },
      config: { adminToken: secrets[1], metricsToken: secrets[1], api_key: secrets[3] },
      token: secrets[1],
      board: 'lmarena-text',
    });
    for (const secret of secrets) expect(lines[0]).not.toContain(secret);
    const entry = JSON.parse(lines[0]!) as { authorization: string; headers: Record<string, string>; subscription: { secret: string; delivery: { webhookSecret: string } }; board: string };
    expect(entry.authorization).toBe(REDACTED);
    expect(entry.headers['x-api-key']).toBe(REDACTED);
    expect(entry.subscription.delivery.webhookSecret).toBe(REDACTED);
    expect(entry.board).toBe('lmarena-text');
  });
});

describe('the text log format', () => {
  it('keeps the timestamped line and appends the fields, escaped and redacted', () => {
    const { lines, log } = capture('text');
    log.info('GET /x\n 200', { route: '/v1/boards/:board', path: '/x\u2028', status: 200, authorization: 'Bearer secret-secret' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z info  GET \/x\\n 200 route=\/v1\/boards\/:board path=\/x\\u2028 status=200 authorization=\[redacted\]\n$/);
  });
});

describe('which format serve writes', () => {
  it('auto is JSON unless standard error is a terminal; json and text are what they say', () => {
    expect(resolveLogFormat('auto', false)).toBe('json');
    expect(resolveLogFormat('auto', true)).toBe('text');
    expect(resolveLogFormat('json', true)).toBe('json');
    expect(resolveLogFormat('text', false)).toBe('text');
  });
});
