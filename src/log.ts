export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A line logger; the service writes one line per scrape and request failure. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

// C0 controls (newline, carriage return, escape, NUL…), DEL, C1 controls and the Unicode line and
// paragraph separators: what a terminal acts on or a log viewer reads as the start of a new line.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Text made safe for one log line: control characters become visible escapes (`\n`, `\u001b`).
 * Log messages carry request paths, model keys and error messages that come from outside; a raw
 * `%0A` must not be able to forge a log entry, nor an escape sequence to rewrite the terminal.
 */
export function escapeForLog(text: string): string {
  return text.replace(UNSAFE, (character) => NAMED[character] ?? `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Timestamped lines on a stream, dropping levels below `level`. Each message is exactly one line
 * (see escapeForLog): a stack trace reads as `…\n    at …` within its entry.
 */
export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const at = (name: LogLevel) => (message: string) => {
    if (LOG_LEVELS.indexOf(name) >= threshold) write(`${new Date().toISOString()} ${name.padEnd(5)} ${escapeForLog(message)}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
