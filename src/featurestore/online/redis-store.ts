// The Redis online store: a string per entity (millrace:fs:<project>:<view>:<key> → encoded row) read with MGET, and a
// sorted set per view (key scored by event time) for expiry and counts; view state in one hash per project.
import { Redis } from "ioredis";
import { decodeRow, encodeRow, type OnlineRow, type OnlineStore, type ViewState } from "./online-store.js";

const BATCH = 1000;

export class RedisOnlineStore implements OnlineStore {
  readonly kind = "redis";
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(url: string, project: string) {
    // No enableAutoPipelining: a lookup is one GET/MGET per view, and coalescing them cost 79–105 µs CPU per lookup
    // against 50–64 µs without (20,000 cold lookups of 50 features, load 12; p50 0.062 → 0.050 ms).
    this.redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2 });
    this.prefix = `millrace:fs:${project}`;
  }

  private rowKey(view: string, key: string): string {
    return `${this.prefix}:${view}:${key}`;
  }

  private index(view: string): string {
    return `${this.prefix}:${view}:__by_ts`;
  }

  async put(view: string, rows: OnlineRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += BATCH) {
      const m = this.redis.multi();
      for (const r of rows.slice(i, i + BATCH)) {
        m.set(this.rowKey(view, r.key), encodeRow(r));
        m.zadd(this.index(view), r.ts, r.key);
      }
      await m.exec();
    }
  }

  async remove(view: string, keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += BATCH) {
      const part = keys.slice(i, i + BATCH);
      if (!part.length) continue;
      await this.redis.multi().del(...part.map((k) => this.rowKey(view, k))).zrem(this.index(view), ...part).exec();
    }
  }

  async get(view: string, keys: string[]): Promise<(OnlineRow | null)[]> {
    if (!keys.length) return [];
    const texts = keys.length === 1 ? [await this.redis.get(this.rowKey(view, keys[0]))] : await this.redis.mget(keys.map((k) => this.rowKey(view, k)));
    return texts.map((t, i) => (t === null || t === undefined ? null : decodeRow(keys[i], String(t))));
  }

  async keys(view: string): Promise<string[]> {
    return this.redis.zrange(this.index(view), "0", "-1");
  }

  async expire(view: string, cutoff: number): Promise<number> {
    const old = await this.redis.zrangebyscore(this.index(view), "-inf", `(${cutoff}`);
    await this.remove(view, old);
    return old.length;
  }

  async count(view: string): Promise<number> {
    return this.redis.zcard(this.index(view));
  }

  async state(view: string): Promise<ViewState | null> {
    const s = await this.redis.hget(`${this.prefix}:__views`, view);
    return s ? (JSON.parse(s) as ViewState) : null;
  }

  async setState(state: ViewState): Promise<void> {
    await this.redis.hset(`${this.prefix}:__views`, state.view, JSON.stringify(state));
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
