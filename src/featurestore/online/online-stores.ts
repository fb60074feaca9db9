// The online store kinds, one value each: which locations it opens and how. `openOnlineStore` picks by the location
// (feature_store.online.store, or env MILLRACE_ONLINE_STORE); the Redis and PostgreSQL clients load only when used.
import path from "node:path";
import type { OnlineStore } from "./online-store.js";

export interface OnlineStoreKind {
  name: string;
  matches(location: string): boolean;
  open(location: string, opts: { project: string; dir: string }): Promise<OnlineStore>;
}

export const ONLINE_STORES: OnlineStoreKind[] = [
  {
    name: "redis",
    matches: (l) => /^rediss?:\/\//.test(l),
    open: async (l, o) => new (await import("./redis-store.js")).RedisOnlineStore(l, o.project),
  },
  {
    name: "postgres",
    matches: (l) => /^postgres(ql)?:\/\//.test(l),
    // ?schema=name keeps a project's online tables apart (tests use a fresh schema each).
    open: async (l, o) => {
      const u = new URL(l);
      const schema = u.searchParams.get("schema") ?? "public";
      u.searchParams.delete("schema");
      return new (await import("./postgres-store.js")).PostgresOnlineStore(u.toString(), o.project, schema);
    },
  },
  {
    name: "sqlite",
    matches: () => true,
    open: async (l, o) => new (await import("./sqlite-store.js")).SqliteOnlineStore(path.resolve(o.dir, l.replace(/^sqlite:/, "")), o.project),
  },
];

/** The configured location: env MILLRACE_ONLINE_STORE, else feature_store.online.store. */
export function onlineLocation(configured: string): string {
  return process.env.MILLRACE_ONLINE_STORE ?? configured;
}

export function openOnlineStore(location: string, opts: { project: string; dir: string }): Promise<OnlineStore> {
  return ONLINE_STORES.find((k) => k.matches(location))!.open(location, opts);
}
