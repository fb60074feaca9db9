// Typed errors: a code, a message a person can act on, and a hint saying what to do next.
// The CLI turns them into a non-zero exit, the HTTP layer into a 4xx, neither with a stack trace.

export interface ErrorDetails {
  hint?: string;
  /** Where the problem is: a field path (records[3].tenure), a file:line, a table.column. */
  path?: string;
  [key: string]: unknown;
}

/** A request path `records[3].tenure` as its row and field, or null for any other path (routes rename them). */
export function recordFieldOf(path: unknown): { row: number; field: string } | null {
  const m = typeof path === "string" ? /^records\[(\d+)\]\.(.+)$/.exec(path) : null;
  return m ? { row: Number(m[1]), field: m[2] } : null;
}

export class MillraceError extends Error {
  readonly code: string;
  readonly hint?: string;
  readonly details: ErrorDetails;
  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.hint = details.hint;
    this.details = details;
  }
  toJSON(): Record<string, unknown> {
    return { error: this.code, message: this.message, ...this.details };
  }
}

/** Input that does not match what was declared (config, request body, CSV, signature). */
export class ValidationError extends MillraceError {
  constructor(message: string, details: ErrorDetails = {}) {
    super("validation_error", message, details);
  }
}

/** Something asked for does not exist (table, model version, alias, run). */
export class NotFoundError extends MillraceError {
  constructor(message: string, details: ErrorDetails = {}) {
    super("not_found", message, details);
  }
}

/** Declared data-quality rules at error severity failed. */
export class QualityError extends MillraceError {
  constructor(message: string, details: ErrorDetails = {}) {
    super("quality_failed", message, details);
  }
}

/** Training or evaluation could not produce a sound model (one-class target, zero rows, ...). */
export class TrainingError extends MillraceError {
  constructor(message: string, details: ErrorDetails = {}) {
    super("training_failed", message, details);
  }
}

/** A project or configuration problem. */
export class ConfigError extends MillraceError {
  constructor(message: string, details: ErrorDetails = {}) {
    super("config_error", message, details);
  }
}

export function isMillraceError(e: unknown): e is MillraceError {
  return e instanceof MillraceError;
}

/** A one-line message for any thrown value, without a stack trace. */
export function describeError(e: unknown): string {
  if (e instanceof MillraceError) return e.hint ? `${e.message}\n  hint: ${e.hint}` : e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
