// Entry of the commander bundle (scripts/bundle-vendor.mjs): the package's own ESM names.
export * from "commander";
