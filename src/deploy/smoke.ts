// `millrace deploy smoke URL`: is a deployed server ready for the model, and does it answer the version's input
// example with provenance? The check a rollout runs before it keeps a new version (and rolls back when it fails).
import { MillraceError } from "../errors.js";

/** A deployed server failed its smoke test. */
export class SmokeTestError extends MillraceError {
  constructor(message: string, details: { hint?: string; path?: string; [k: string]: unknown } = {}) {
    super("smoke_failed", message, details);
  }
}

export interface SmokeOptions {
  url: string;
  model: string;
  example: Record<string, unknown>;
  token?: string;
  /** How long to wait for readiness (a scaled-to-zero service starts on the first request). */
  timeoutMs?: number;
  /** Version the answer must come from; any when absent. */
  expectVersion?: number;
}

export interface SmokeResult {
  url: string;
  ready: { status: number; waitedMs: number };
  predict: { status: number; latencyMs: number; prediction: unknown; provenance: Record<string, unknown> };
}

async function get(url: string, headers: Record<string, string>): Promise<number> {
  try {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

export async function smokeTest(opts: SmokeOptions): Promise<SmokeResult> {
  const base = opts.url.replace(/\/+$/, "");
  const headers: Record<string, string> = opts.token ? { authorization: `Bearer ${opts.token}` } : {};
  const t0 = Date.now();
  const deadline = t0 + (opts.timeoutMs ?? 60_000);
  const readyUrl = `${base}/v2/models/${encodeURIComponent(opts.model)}/ready`;
  let status = await get(readyUrl, headers);
  while (status !== 200 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    status = await get(readyUrl, headers);
  }
  if (status !== 200) {
    throw new SmokeTestError(`${readyUrl} answered ${status === 0 ? "nothing" : status} for ${Math.round((Date.now() - t0) / 1000)} s`, {
      hint: status === 404 ? `the server does not serve a model named ${opts.model}: check --model` : "check the pods' logs; the server is not ready",
      path: readyUrl,
    });
  }
  const waitedMs = Date.now() - t0;
  const t1 = performance.now();
  const res = await fetch(`${base}/predict`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify({ records: [opts.example] }), signal: AbortSignal.timeout(30_000) });
  const latencyMs = performance.now() - t1;
  const body = (await res.json().catch(() => null)) as { predictions?: unknown[]; provenance?: Record<string, unknown>; message?: string } | null;
  if (res.status !== 200 || !body?.provenance || !Array.isArray(body.predictions) || body.predictions.length !== 1) {
    throw new SmokeTestError(`POST ${base}/predict with the input example answered ${res.status}: ${body?.message ?? JSON.stringify(body)?.slice(0, 200)}`, {
      hint: "the served signature may not match the example; compare GET /v2/models/{name} with the version's signature",
    });
  }
  if (body.provenance.model !== opts.model || (opts.expectVersion !== undefined && body.provenance.version !== opts.expectVersion)) {
    throw new SmokeTestError(`the answer came from ${String(body.provenance.model)} v${String(body.provenance.version)}, expected ${opts.model}${opts.expectVersion !== undefined ? ` v${opts.expectVersion}` : ""}`, {
      hint: "the rollout has not reached every replica yet, or the alias points elsewhere",
    });
  }
  return { url: base, ready: { status, waitedMs }, predict: { status: res.status, latencyMs, prediction: body.predictions[0], provenance: body.provenance } };
}
