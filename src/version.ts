// The Millrace version, read once from package.json (one level up from src/ and from dist/): stamped into every
// artifact and shown by `millrace --version`.
import { createRequire } from "node:module";

export const VERSION: string = (() => {
  try {
    return (createRequire(import.meta.url)("../package.json") as { version?: string }).version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
})();
