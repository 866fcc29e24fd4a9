import { describe, expect, it } from 'vitest';
import { createLogger, escapeForLog } from '../../src/log.ts';

function capture(): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, log: createLogger('debug', (line) => lines.push(line)) };
}

describe('the logger writes one line per message, whatever the message holds', () => {
  it.each([
    ['a newline from a %0A in a path', 'GET /v1/boards/x\n2026-01-01T00:00:00.000Z info  forged entry', 'GET /v1/boards/x\\n2026-01-01T00:00:00.000Z info  forged entry'],
    ['a carriage return', 'a\rb', 'a\\rb'],
    ['a terminal escape sequence', 'red \u001b[31mtext', 'red \\u001b[31mtext'],
    ['a NUL', 'a\u0000b', 'a\\u0000b'],
    ['DEL and a C1 control', 'a\u007fb\u0085c\u009bd', 'a\\u007fb\\u0085c\\u009bd'],
    ['Unicode line and paragraph separators', 'a\u2028b\u2029c', 'a\\u2028b\\u2029c'],
    ['a tab', 'a\tb', 'a\\tb'],
  ])('%s is escaped', (_, message, escaped) => {
    const { lines, log } = capture();
    log.warn(message);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z warn  /);
    expect(lines[0]!.endsWith(`warn  ${escaped}\n`)).toBe(true);
    // Exactly one line break, the one that ends the entry.
    expect(lines[0]!.match(/[\n\r\u2028\u2029\u0085]/g)).toEqual(['\n']);
  });

  it('keeps ordinary text, unicode included, as it is', () => {
    expect(escapeForLog('scrape lmarena-text: 模型 é "quoted" \\ back')).toBe('scrape lmarena-text: 模型 é "quoted" \\ back');
  });

  it('is idempotent: text escaped twice reads the same', () => {
    const once = escapeForLog('x\ny\u001b');
    expect(escapeForLog(once)).toBe(once);
  });

  it('drops levels below the threshold', () => {
    const lines: string[] = [];
    const log = createLogger('warn', (line) => lines.push(line));
    log.info('hidden');
    log.error('shown');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/error shown\n$/);
  });
});
