// Writes docs/config.md from the built schema (npm run docs:config builds first).
import fs from "node:fs";
import { configReference } from "../dist/project/config-reference.js";

fs.writeFileSync(new URL("../docs/config.md", import.meta.url), configReference());
console.log("wrote docs/config.md");
