// API tokens with names and scopes: who a request is (for the audit) and whether it may do what it asks (401 / 403).
import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { ValidationError } from "../errors.js";
import { ForbiddenError, UnauthorizedError } from "./http-errors.js";

/** What a token may do: score (/predict, /v2 infer), push data (/ingest, /feedback), move aliases (promote, rollback,
 *  reload), read the dashboard API. millrace.yaml's serve.tokens[].scopes takes the same names. */
export type Scope = "predict" | "ingest" | "promote" | "read";

export interface ApiToken {
  /** Recorded as the actor of what it does; null for the single serve.token / MILLRACE_API_TOKEN. */
  name: string | null;
  token: string;
  /** "all": the single serve.token, which keeps meaning every scope. */
  scopes: ReadonlySet<Scope> | "all";
}

/** A function that returns the middleware requiring one scope. */
export type Guard = (scope: Scope) => MiddlewareHandler;

const digest = (s: string) => createHash("sha256").update(s).digest();
const BEARER = /^Bearer\s+(.+)$/i;
/** Authorization headers already matched, so a configured /predict check hashes once per distinct header, not per request. */
const KNOWN_MAX = 256;

export class Authenticator {
  private readonly tokens: Array<{ t: ApiToken; hash: Buffer }>;
  private readonly known = new Map<string, ApiToken>();
  /** True when some named token lists the predict scope: /predict then needs a token (the single token alone does not switch it on). */
  readonly predictNeedsToken: boolean;

  constructor(tokens: ReadonlyArray<ApiToken>) {
    for (const t of tokens) if (t.token.length === 0) throw new Error(`API token ${t.name ?? "(unnamed)"} is empty`);
    this.tokens = tokens.map((t) => ({ t, hash: digest(t.token) }));
    this.predictNeedsToken = tokens.some((t) => t.scopes !== "all" && t.scopes.has("predict"));
  }

  get configured(): boolean {
    return this.tokens.length > 0;
  }

  /** The token an `authorization: Bearer …` header carries, or null (missing, malformed or unknown). */
  identify(authorization: string | null | undefined): ApiToken | null {
    if (!authorization) return null;
    const hit = this.known.get(authorization);
    if (hit) return hit;
    const m = BEARER.exec(authorization.trim());
    if (!m) return null;
    const h = digest(m[1]);
    let found: ApiToken | null = null;
    // Every token is compared (in constant time, on equal-length hashes): the time says nothing about which matched.
    for (const { t, hash } of this.tokens) if (timingSafeEqual(h, hash) && found === null) found = t;
    if (found && this.known.size < KNOWN_MAX) this.known.set(authorization, found);
    return found;
  }

  /** The token of a request that may do `scope`; throws the 401 (who are you?) or the 403 (not allowed) otherwise. */
  require(authorization: string | null | undefined, scope: Scope): ApiToken {
    if (!this.configured) {
      throw new UnauthorizedError("this endpoint is disabled: the server has no API token", {
        hint: "set serve.token or serve.tokens in millrace.yaml (or the env MILLRACE_API_TOKEN) and restart",
      });
    }
    const t = this.identify(authorization);
    if (!t) throw new UnauthorizedError("missing or wrong API token", { path: "authorization", hint: "send the header authorization: Bearer <token>" });
    if (t.scopes !== "all" && !t.scopes.has(scope)) {
      throw new ForbiddenError(`token ${t.name} lacks the scope ${scope}`, {
        path: "authorization",
        scope,
        hint: `use a token whose scopes include ${scope} (serve.tokens in millrace.yaml)`,
      });
    }
    return t;
  }

  /** The Hono middleware for one scope; the request's token is then available through identityOf(c.req.raw). */
  guard: Guard = (scope) => async (c, next) => {
    identities.set(c.req.raw, this.require(c.req.header("authorization"), scope));
    await next();
  };
}

const identities = new WeakMap<Request, ApiToken>();

/** The token a guarded request was admitted with (undefined on unguarded routes). */
export function identityOf(req: Request): ApiToken | undefined {
  return identities.get(req);
}

/** Longest client-supplied actor name kept in the audit log. */
export const MAX_ACTOR_CHARS = 200;

/**
 * The audit actor of a guarded request: a named token is the authenticated identity (`token:<name>`); the single shared
 * token cannot tell people apart, so the client's x-millrace-actor header is recorded (`http:<actor>`), bounded.
 */
export function actorOf(req: Request): string {
  const t = identityOf(req);
  if (t?.name) return `token:${t.name}`;
  const said = req.headers.get("x-millrace-actor") ?? "api";
  if (said.length > MAX_ACTOR_CHARS) {
    throw new ValidationError(`x-millrace-actor is ${said.length} characters; at most ${MAX_ACTOR_CHARS} are kept in the audit log`, {
      path: "x-millrace-actor",
      hint: "send a short name (a person or a system), or use a named token (serve.tokens), which is recorded instead",
    });
  }
  return `http:${said}`;
}
