// Types of `#kysely` (package.json "imports"): Kysely's own. At run time `#kysely` is dist/vendor/kysely.js, Kysely
// bundled into one file by scripts/bundle-vendor.mjs (see there for why).
export * from "kysely";
