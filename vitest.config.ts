import { defineConfig } from "vitest/config";

export default defineConfig({
  // In-process tests use Kysely's own files; built code (dist/, spawned CLIs) uses the one-file bundle (scripts/bundle-vendor.mjs).
  resolve: { alias: { "#kysely": "kysely" } },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
