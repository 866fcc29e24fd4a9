/** Base of every error rankwatch raises on purpose; anything else is a bug. */
export class AppError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

export const FETCH_ERROR_KINDS = [
  'network',
  'timeout',
  'http',
  'rate_limited',
  'server',
  'too_large',
  'robots',
  // The caller gave up (the service is shutting down): neither the source's fault nor a failure of it.
  'abandoned',
] as const;
export type FetchErrorKind = (typeof FETCH_ERROR_KINDS)[number];

/** A live fetch that did not produce a body: network failure, timeout, bad status, oversize. */
export class FetchError extends AppError {
  readonly kind: FetchErrorKind;
  readonly status: number | null;
  readonly url: string;
  constructor(kind: FetchErrorKind, url: string, message: string, options?: ErrorOptions & { status?: number | null }) {
    super(`fetch_${kind}`, message, options);
    this.kind = kind;
    this.url = url;
    this.status = options?.status ?? null;
  }
}

/** The input is not the table the parser expects; says what it expected and what it found. */
export class ParseError extends AppError {
  readonly expected: string;
  readonly found: string;
  constructor(expected: string, found: string, options?: ErrorOptions) {
    super('parse_error', `expected ${expected}, found ${found}`, options);
    this.expected = expected;
    this.found = found;
  }
}

/** Delivery of an alert failed (used by the notifiers). */
export class NotifyError extends AppError {
  constructor(message: string, options?: ErrorOptions) {
    super('notify_error', message, options);
  }
}

/** A request or command named something that does not exist (board, model, file). */
export class NotFoundError extends AppError {
  constructor(message: string) {
    super('not_found', message);
  }
}

/** A parameter or argument is malformed; `parameter` names it. */
export class InvalidInputError extends AppError {
  readonly parameter: string;
  constructor(parameter: string, message: string) {
    super('invalid_parameter', `${parameter}: ${message}`);
    this.parameter = parameter;
  }
}

/** The operation conflicts with stored state (e.g. a different snapshot at the same capture time). */
export class ConflictError extends AppError {
  constructor(message: string) {
    super('conflict', message);
  }
}

/** The embedded database directory is held by another process. */
export class DatabaseBusyError extends AppError {
  constructor(message: string) {
    super('database_busy', message);
  }
}

/** A human-readable description of any thrown value, for logs and the scrape log. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
