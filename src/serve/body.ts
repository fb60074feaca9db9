// Reads a JSON request body under a byte limit: content type, size, UTF-8 and JSON syntax each fail as a 4xx.
import { isAscii, isUtf8 } from "node:buffer";
import { ValidationError } from "../errors.js";
import { PayloadTooLargeError, UnsupportedMediaTypeError } from "./http-errors.js";
import { parseElements } from "./json-elements.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function tooLarge(size: number | null, max: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`request body ${size === null ? "exceeds" : `is ${size} bytes, over`} the limit of ${max} bytes`, {
    path: "body",
    hint: "send fewer records per request, or raise the server's maxBodyBytes",
  });
}

/** Bodies up to this size are drained before a 413 so the client reads the answer; larger ones are cut off. */
export const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

async function discard(req: Request): Promise<void> {
  if (!req.body) return;
  const reader = req.body.getReader();
  try {
    for (;;) if ((await reader.read()).done) return;
  } catch {
    // the client went away: nothing left to answer
  }
}

/** The raw body bytes under a byte limit (declared or streamed): a 413 as soon as it is passed. */
export async function readLimited(req: Request, max: number): Promise<Uint8Array> {
  const declared = req.headers.get("content-length");
  if (declared !== null) {
    const n = Number(declared);
    if (Number.isFinite(n) && n > max) {
      // Read and discard a moderately oversized body before answering: a client still writing it when the
      // server stops reading sees a broken pipe instead of the 413 (a lingering close, as nginx does).
      if (n <= DRAIN_LIMIT_BYTES) await discard(req);
      throw tooLarge(n, max);
    }
    if (Number.isFinite(n)) {
      const buf = new Uint8Array(await req.arrayBuffer());
      if (buf.byteLength > max) throw tooLarge(buf.byteLength, max);
      return buf;
    }
  }
  // No length declared (chunked): stop reading as soon as the limit is passed.
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(null, max);
    }
    parts.push(value);
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

/** True when the content type is JSON (`application/json`, any `+json`, with or without parameters). */
export function isJsonContentType(ct: string | null): boolean {
  if (ct === null) return false;
  const semi = ct.indexOf(";");
  const base = (semi < 0 ? ct : ct.slice(0, semi)).trim().toLowerCase();
  return base === "application/json" || (base.startsWith("application/") && base.endsWith("+json"));
}

/** Throws the 415 unless the content type is JSON. */
export function requireJson(ct: string | null | undefined): void {
  if (!isJsonContentType(ct ?? null)) {
    throw new UnsupportedMediaTypeError(`content type ${ct == null ? "is missing" : JSON.stringify(ct)}; this endpoint takes JSON`, {
      path: "content-type",
      hint: "send the header content-type: application/json",
    });
  }
}

/** Parses the request's JSON body; throws typed errors that map to 400/413/415. `shape` is the empty body's hint. */
export async function readJsonBody(req: Request, maxBytes: number, shape?: string): Promise<unknown> {
  return (await readJsonBodyText(req, maxBytes, shape)).value;
}

/** What a V2 infer body looks like: the empty V2 body's hint. */
export const V2_BODY_HINT = 'send {"inputs":[{"name":"<input>","shape":[1],"datatype":"FP64"|"INT64"|"BYTES","data":[<value>]}, ...]}: one tensor per input GET /v2/models/<name> lists';

/**
 * Error path only: a body that failed to decode or parse, explained by what the client sent. A Content-Encoding (gzip,
 * br, ...) is a 415 naming it (bodies are read as sent, uncompressed); an empty body gets the route's own `shape` hint.
 */
export function explainBodyError(e: unknown, contentEncoding: string | null | undefined, shape?: string): unknown {
  if (!(e instanceof ValidationError) || e.details.path !== "body") return e;
  const encoding = contentEncoding?.trim().toLowerCase();
  if (encoding && encoding !== "identity") {
    return new UnsupportedMediaTypeError(`content-encoding ${JSON.stringify(contentEncoding)} is not supported: the body is read as sent (${e.message})`, {
      path: "content-encoding",
      hint: "send the JSON body uncompressed, without a Content-Encoding header",
    });
  }
  if (shape !== undefined && e.message === EMPTY) return new ValidationError(EMPTY, { ...e.details, hint: shape });
  return e;
}

const EMPTY = "request body is empty";

/** A parsed JSON body with its text and bytes (the prediction log copies the bytes as received instead of re-serializing). */
export interface JsonBody {
  value: unknown;
  /** The whole text (made on first use when the body was parsed in parts). */
  readonly text: string;
  bytes: Uint8Array;
  /** A large body parsed element by element: its text in pieces whose concatenation is `text`. */
  parts?: readonly string[];
}

/** The parsed body, its text and its bytes. */
export async function readJsonBodyText(req: Request, maxBytes: number, shape?: string): Promise<JsonBody> {
  requireJson(req.headers.get("content-type"));
  const bytes = await readLimited(req, maxBytes);
  try {
    return parseJsonBytes(bytes);
  } catch (e) {
    throw explainBodyError(e, req.headers.get("content-encoding"), shape);
  }
}

/** Strict UTF-8 decoding then JSON.parse, each failure a 400 saying which. */
export function parseJsonBytes(bytes: Uint8Array): JsonBody {
  if (bytes.byteLength === 0) throw new ValidationError(EMPTY, { path: "body", hint: 'send {"records":[{...}]}' });
  let text: string;
  // Large bodies: node's UTF-8 check then its string decoder take half the time of the fatal TextDecoder; the usual
  // shape is parsed element by element (json-elements.ts). A leading byte-order mark stays with the TextDecoder.
  if (bytes.byteLength > 4096 && !(bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)) {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const ascii = isAscii(buf);
    if (!ascii && !isUtf8(buf)) throw new ValidationError("request body is not valid UTF-8", { path: "body", hint: "encode the JSON body as UTF-8" });
    const split = parseElements(buf, ascii);
    if (split) return new BodyInParts(split.value, split.parts, bytes);
    text = buf.toString("utf8");
  } else {
    try {
      text = utf8.decode(bytes);
    } catch {
      throw new ValidationError("request body is not valid UTF-8", { path: "body", hint: "encode the JSON body as UTF-8" });
    }
  }
  try {
    return { value: JSON.parse(text), text, bytes };
  } catch (e) {
    const why = e instanceof Error ? e.message : "syntax error";
    throw new ValidationError(`request body is not valid JSON: ${why.slice(0, 200)}`, { path: "body", hint: "check the JSON syntax" });
  }
}

/** A body parsed in parts: its whole text is joined only if someone asks for it. (A class: an object literal with a
 *  getter closure per body made every 1,000-record parse 2.5x slower in garbage collection.) */
class BodyInParts implements JsonBody {
  private joined: string | undefined;
  constructor(
    readonly value: unknown,
    readonly parts: readonly string[],
    readonly bytes: Uint8Array,
  ) {}

  get text(): string {
    return (this.joined ??= this.parts.join(""));
  }
}
