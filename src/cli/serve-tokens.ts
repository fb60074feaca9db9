// The server's API tokens from millrace.yaml and the environment: the single serve.token (every scope, overridden by a
// non-empty MILLRACE_API_TOKEN) and the named, scoped serve.tokens. An empty secret is an error, never "auth off".
import { ConfigError } from "../errors.js";
import { expandEnv } from "../flow/steps/tables.js";
import type { ProjectConfig } from "../project/config.js";
import type { ApiToken } from "../serve/auth.js";

export interface ServeTokens {
  /** The single token with every scope, when there is one. */
  token?: string;
  tokens: ApiToken[];
}

function secret(value: string, where: string, hint: string): string {
  if (value.trim() === "") throw new ConfigError(`${where} is empty: an empty token would turn authentication off`, { path: where, hint });
  if (value !== value.trim()) throw new ConfigError(`${where} starts or ends with white space`, { path: where, hint: "remove the spaces (a Bearer header never carries them)" });
  return value;
}

export function resolveServeTokens(serve: ProjectConfig["serve"], env: NodeJS.ProcessEnv = process.env): ServeTokens {
  let token: string | undefined;
  const fromEnv = env.MILLRACE_API_TOKEN;
  if (fromEnv !== undefined) {
    // Set but empty is a mistake (an unset variable in a script, `MILLRACE_API_TOKEN= millrace serve`): it must not
    // switch authentication off, nor silently override serve.token.
    token = secret(fromEnv, "MILLRACE_API_TOKEN", `unset it (unset MILLRACE_API_TOKEN) to ${serve.token ? "use serve.token from millrace.yaml" : "serve without a token"}, or give it a value`);
  } else if (serve.token !== undefined) {
    token = secret(expandEnv(serve.token), "serve.token", "give serve.token a value, or remove it (and its ${VAR} must not be empty)");
  }
  const names = new Set<string>();
  const secrets = new Set<string>(token !== undefined ? [token] : []);
  const tokens = serve.tokens.map((t, i): ApiToken => {
    const where = `serve.tokens[${i}]`;
    if (names.has(t.name)) throw new ConfigError(`${where}.name ${t.name} is used twice`, { path: `${where}.name`, hint: "give every token its own name: it is what the audit log records" });
    names.add(t.name);
    let value: string;
    if (t.token_env !== undefined) {
      const v = env[t.token_env];
      if (v === undefined) throw new ConfigError(`${where}.token_env: environment variable ${t.token_env} is not set`, { path: `${where}.token_env`, hint: `export ${t.token_env}=... before serving` });
      value = secret(v, `${t.token_env} (${where}.token_env)`, `give ${t.token_env} a value, or remove the token ${t.name}`);
    } else {
      value = secret(expandEnv(t.token ?? ""), `${where}.token`, `give the token ${t.name} a value`);
    }
    if (secrets.has(value)) throw new ConfigError(`${where} (${t.name}) has the same secret as another token`, { path: where, hint: "each token needs its own secret, or the audit cannot tell who acted" });
    secrets.add(value);
    return { name: t.name, token: value, scopes: new Set(t.scopes) };
  });
  return { ...(token !== undefined ? { token } : {}), tokens };
}
