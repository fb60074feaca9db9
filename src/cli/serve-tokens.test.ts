// Token resolution: an empty MILLRACE_API_TOKEN or serve.token is an error (never "auth off"), named tokens get scopes.
import { describe, expect, it } from "vitest";
import { serveSchema } from "../project/config.js";
import { resolveServeTokens } from "./serve-tokens.js";

const serve = (input: Record<string, unknown>) => serveSchema.parse(input);

describe("resolveServeTokens", () => {
  it("refuses an empty MILLRACE_API_TOKEN instead of turning auth off or overriding serve.token", () => {
    for (const empty of ["", "   "]) {
      expect(() => resolveServeTokens(serve({ token: "yaml-token" }), { MILLRACE_API_TOKEN: empty })).toThrow(/MILLRACE_API_TOKEN is empty/);
      expect(() => resolveServeTokens(serve({}), { MILLRACE_API_TOKEN: empty })).toThrow(/an empty token would turn authentication off/);
    }
    expect(resolveServeTokens(serve({ token: "yaml-token" }), {})).toEqual({ token: "yaml-token", tokens: [] });
    expect(resolveServeTokens(serve({ token: "yaml-token" }), { MILLRACE_API_TOKEN: "env-token" }).token).toBe("env-token");
    expect(resolveServeTokens(serve({}), {})).toEqual({ tokens: [] });
  });

  it("refuses a serve.token whose variable is empty", () => {
    process.env.MR_EMPTY_FOR_TEST = "";
    try {
      expect(() => resolveServeTokens(serve({ token: "${MR_EMPTY_FOR_TEST}" }), {})).toThrow(/serve.token is empty/);
    } finally {
      delete process.env.MR_EMPTY_FOR_TEST;
    }
  });

  it("reads named tokens from token_env, with their scopes, and refuses unset, empty, duplicate names or secrets", () => {
    const cfg = serve({ tokens: [{ name: "ci", token_env: "CI_TOKEN", scopes: ["promote"] }, { name: "app", token: "app-secret", scopes: ["predict", "ingest"] }] });
    const r = resolveServeTokens(cfg, { CI_TOKEN: "ci-secret" });
    expect(r.tokens.map((t) => [t.name, t.token, [...(t.scopes as Set<string>)]])).toEqual([["ci", "ci-secret", ["promote"]], ["app", "app-secret", ["predict", "ingest"]]]);
    expect(() => resolveServeTokens(cfg, {})).toThrow(/CI_TOKEN is not set/);
    expect(() => resolveServeTokens(cfg, { CI_TOKEN: "" })).toThrow(/CI_TOKEN \(serve.tokens\[0\].token_env\) is empty/);
    expect(() => resolveServeTokens(cfg, { CI_TOKEN: "app-secret" })).toThrow(/same secret/);
    expect(() => resolveServeTokens(serve({ tokens: [{ name: "a", token: "s1-secret", scopes: ["read"] }, { name: "a", token: "s2-secret", scopes: ["read"] }] }), {})).toThrow(/used twice/);
  });

  it("validates the YAML shape: one of token / token_env, known scopes", () => {
    expect(serveSchema.safeParse({ tokens: [{ name: "x", scopes: ["read"] }] }).success).toBe(false);
    expect(serveSchema.safeParse({ tokens: [{ name: "x", token: "a", token_env: "B", scopes: ["read"] }] }).success).toBe(false);
    expect(serveSchema.safeParse({ tokens: [{ name: "x", token: "a", scopes: ["admin"] }] }).success).toBe(false);
    expect(serveSchema.safeParse({ tokens: [{ name: "x", token: "a", scopes: [] }] }).success).toBe(false);
  });
});
