// HTTP-only error kinds and the one place that maps any thrown value to a JSON error response without a stack trace.
import { MillraceError, type ErrorDetails } from "../errors.js";

export class PayloadTooLargeError extends MillraceError {
  constructor(message: string, details: ErrorDetails = {}) {
    super("payload_too_large", message, details);
  }
}

export class UnsupportedMediaTypeError extends MillraceError {
  constructor(message: string, details: ErrorDetails = {}) {
    super("unsupported_media_type", message, details);
  }
}

/** No model is loaded (yet), or the named model is not served here. */
export class ModelUnavailableError extends MillraceError {
  constructor(message: string, details: ErrorDetails = {}) {
    super("model_unavailable", message, details);
  }
}

export class UnauthorizedError extends MillraceError {
  constructor(message: string, details: ErrorDetails = {}) {
    super("unauthorized", message, details);
  }
}

/** Authenticated, but not allowed: a token without the scope the endpoint needs. */
export class ForbiddenError extends MillraceError {
  constructor(message: string, details: ErrorDetails = {}) {
    super("forbidden", message, details);
  }
}

/** A Host header outside the allow-list (DNS rebinding: a web page reaching a loopback server under its own name). */
export class HostNotAllowedError extends MillraceError {
  constructor(message: string, details: ErrorDetails = {}) {
    super("host_not_allowed", message, details);
  }
}

export class RequestTimeoutError extends MillraceError {
  constructor(message: string, details: ErrorDetails = {}) {
    super("timeout", message, details);
  }
}

export class MethodNotAllowedError extends MillraceError {
  constructor(message: string, details: ErrorDetails = {}) {
    super("method_not_allowed", message, details);
  }
}

const statusByCode: Record<string, number> = {
  validation_error: 400,
  config_error: 400,
  unauthorized: 401,
  forbidden: 403,
  host_not_allowed: 403,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  unsupported_media_type: 415,
  model_unavailable: 503,
  timeout: 503,
};

export function statusOf(e: unknown): number {
  return e instanceof MillraceError ? (statusByCode[e.code] ?? 500) : 500;
}

/** The JSON body for an error: `{error, message, path, hint}`; unknown failures say only that they happened. */
export function errorBody(e: unknown): Record<string, unknown> {
  if (e instanceof MillraceError) return { path: null, ...e.toJSON() };
  return { error: "internal_error", message: "the server failed to answer this request", path: null, hint: "see the server log" };
}

export function errorResponse(e: unknown, headers?: Record<string, string>): Response {
  return new Response(JSON.stringify(errorBody(e)), {
    status: statusOf(e),
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}
