import pino from 'pino';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** How log lines are written: one JSON object per line, or readable text; `auto`: JSON unless standard error is a terminal. */
export const LOG_FORMATS = ['json', 'text', 'auto'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Structured fields of a log line (`route`, `status`, `requestId`…); keys naming secrets are redacted. */
export type LogFields = Record<string, unknown>;

/** A line logger; the service writes one line per scrape, request and failure. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** What replaces the value of a secret field, in both formats. */
export const REDACTED = '[redacted]';

/**
 * Field names whose values are never written, wherever they sit in the fields (compared without
 * case, `-` and `_`: `Authorization`, `api_key`, `x-api-key` are all caught).
 */
const SECRET_KEYS = ['authorization', 'proxyauthorization', 'cookie', 'setcookie', 'token', 'admintoken', 'metricstoken', 'secret', 'webhooksecret', 'previoussecret', 'apikey', 'xapikey', 'password'];
const SECRET = new Set(SECRET_KEYS);
const isSecretKey = (key: string): boolean => SECRET.has(key.toLowerCase().replace(/[-_]/g, ''));
/** pino `redact` paths: the usual spellings at the top and one level down (`headers.authorization`). */
const SECRET_PATHS = ['authorization', 'Authorization', 'cookie', 'token', 'secret', 'apiKey', 'api_key', 'password'].flatMap((key) => [key, `*.${key}`]).concat('*["x-api-key"]');

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

// What JSON leaves raw inside strings but a reader may still take for a line break or a terminal
// control: DEL, the C1 controls (U+0085 is NEL) and U+2028/U+2029. They can only occur inside JSON
// strings, where `\uXXXX` means the same character: the line parses to the same value.
const RAW_IN_JSON = /[\u007f-\u009f\u2028\u2029]/g;

/** A JSON text with DEL, C1 controls and U+2028/U+2029 written as `\uXXXX` escapes: the same value, on one line. */
export function escapeJsonLine(json: string): string {
  return json.replace(RAW_IN_JSON, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The format to write in: `auto` is JSON for a file, a pipe or a log collector, and text on a terminal. */
export function resolveLogFormat(format: LogFormat, stderrIsTty: boolean): 'json' | 'text' {
  if (format !== 'auto') return format;
  return stderrIsTty ? 'text' : 'json';
}

/** A copy of the fields with every secret value replaced by REDACTED, at any depth. */
export function redactFields(value: unknown, depth = 0): unknown {
  if (depth > 8 || typeof value !== 'object' || value === null) return value;
  if (value instanceof Date) return value;
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (Array.isArray(value)) return value.map((item) => redactFields(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = isSecretKey(key) ? REDACTED : redactFields(item, depth + 1);
  return out;
}

/** ` key=value` pairs for the text format: strings as they are, anything else as JSON, all escaped. */
function textFields(fields: LogFields | undefined): string {
  if (!fields) return '';
  const redacted = redactFields(fields) as LogFields;
  return Object.entries(redacted)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ` ${key}=${escapeForLog(typeof value === 'string' ? value : JSON.stringify(value))}`)
    .join('');
}

/** Options of createLogger. */
export interface LoggerOptions {
  /** `json` (pino: one object per line) or `text` (default: text). */
  format?: 'json' | 'text';
}

/**
 * A logger writing one line per entry to `write`, dropping levels below `level`.
 *
 * `text`: `2026-01-01T00:00:00.000Z info  message key=value`, each message on exactly one line
 * (see escapeForLog: a stack trace reads as `…\n    at …` within its entry).
 *
 * `json` (pino): `{"level":"info","time":"…","pid":…,"hostname":"…","msg":"…",…fields}`, one object
 * per line, which JSON.parse reads back whole; secret fields are redacted with pino's `redact`
 * (and by name at any depth), and no character inside a string can start a new line.
 */
export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stderr.write(line), options: LoggerOptions = {}): Logger {
  if (options.format === 'json') return jsonLogger(level, write);
  const threshold = LOG_LEVELS.indexOf(level);
  const at = (name: LogLevel) => (message: string, fields?: LogFields) => {
    if (LOG_LEVELS.indexOf(name) >= threshold) write(`${new Date().toISOString()} ${name.padEnd(5)} ${escapeForLog(message)}${textFields(fields)}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function jsonLogger(level: LogLevel, write: (line: string) => void): Logger {
  const base = pino(
    {
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // pino's paths have a fixed depth: redactFields (below) also catches deeper and other spellings.
      redact: { paths: SECRET_PATHS, censor: REDACTED },
    },
    // pino writes one finished line per entry; only characters JSON leaves raw are escaped here.
    { write: (line: string) => write(escapeJsonLine(line)) },
  );
  const at = (name: LogLevel) => (message: string, fields?: LogFields) => {
    if (fields) base[name](redactFields(fields) as object, message);
    else base[name](message);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
