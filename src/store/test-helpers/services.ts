// Finds the real services a test needs (PostgreSQL, Redis). On a user's machine a missing service skips the
// test with a printed reason; in CI (MILLRACE_REQUIRE_SERVICES=1) a missing service fails the test instead.
import pg from "pg";

export const requireServices = process.env.MILLRACE_REQUIRE_SERVICES === "1";

export const postgresUrl = process.env.MILLRACE_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

let postgresProbe: Promise<string | null> | undefined;

/** Null when PostgreSQL answers; otherwise the reason it cannot be used. */
export function postgresUnavailable(): Promise<string | null> {
  postgresProbe ??= (async () => {
    const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 10_000 });
    try {
      await client.connect();
      await client.query("select 1");
      return null;
    } catch (e) {
      return `PostgreSQL not reachable at ${postgresUrl}: ${(e as Error).message}`;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return postgresProbe;
}

/** A fresh schema name so concurrent test files never see each other's rows. */
export function freshSchema(prefix: string): string {
  return `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

/** Call at the top of a describe block: decides skip vs fail and prints why. */
export async function serviceGate(reason: string | null): Promise<boolean> {
  if (reason === null) return true;
  if (requireServices) throw new Error(`${reason} (MILLRACE_REQUIRE_SERVICES=1: CI must run this test)`);
  console.warn(`skipping: ${reason}`);
  return false;
}

export const redisUrl = process.env.MILLRACE_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** Null when Redis answers PING; otherwise the reason it cannot be used. */
export async function redisUnavailable(): Promise<string | null> {
  const { Redis } = await import("ioredis");
  const client = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 5000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await client.connect();
    await client.ping();
    return null;
  } catch (e) {
    return `Redis not reachable at ${redisUrl}: ${(e as Error).message}`;
  } finally {
    client.disconnect();
  }
}
