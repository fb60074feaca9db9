// Entry of the zod bundle (scripts/bundle-vendor.mjs): the whole public API, so the bundle is `zod`.
export * from "zod";
export { default } from "zod";
