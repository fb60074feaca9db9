// Entry of the Kysely bundle (scripts/bundle-vendor.mjs): the whole public API, so `#kysely` is `kysely`.
export * from "kysely";
