// Do two builds grow the same forests? Fits random forests (and extra trees) with this checkout's dist/ and with
// another's (--root), same data, seed and parameters, and compares every array of the fitted forests bit for bit:
// the check that a speed change to src/learn/forest kept its outputs. Exits 1 on the first difference.
// Usage: node bench/learn/forest-same.mjs cps1988,credit_data,shuttle --root /tmp/old-checkout
//        [--models random_forest,extra_trees] [--params '{"n_estimators":20}'] [--max-rows 20000]
import { join, resolve } from "node:path";
import { DATASETS } from "./datasets.mjs";
import { matrix } from "./forest-data.mjs";

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : def);
const here = new URL("../..", import.meta.url).pathname;
const other = resolve(opt("root", here));
const models = opt("models", "random_forest,extra_trees").split(",");
const params = JSON.parse(opt("params", '{"n_estimators":20}'));
const maxRows = Number(opt("max-rows", "20000"));
const builds = await Promise.all([here, other].map((root) => import(join(root, "dist/learn/forest/random-forest.js"))));

/** The first rows of a matrix (the forests' cost grows with rows; the comparison does not need them all). */
function head({ X, y }, n) {
  if (X.nRows <= n) return { X, y };
  const cut = (c) => (c.kind === "numeric" ? { ...c, values: c.values.subarray(0, n) } : { ...c, codes: c.codes.subarray(0, n) });
  return { X: { nRows: n, columns: X.columns.map(cut) }, y: y.subarray(0, n) };
}

let differ = 0;
for (const name of args[0].split(",")) {
  const ds = DATASETS.find((d) => d.name === name);
  const m = matrix(ds);
  const { X, y } = head(m.train, maxRows);
  for (const model of models) {
    const fits = [];
    for (const { RandomForest } of builds) fits.push(await new RandomForest(params, model).fit({ X, y, nClasses: m.nClasses, seed: 42 }));
    const sa = fits[0].s.forest;
    const sb = fits[1].s.forest;
    const bad = Object.keys(sa).filter((k) => sa[k].length !== sb[k]?.length || sa[k].some((v, i) => !Object.is(v, sb[k][i])));
    const nodes = sa.feature.length;
    console.log(`${name} ${model} (${X.nRows} rows, ${sa.treeRoot.length} trees, ${nodes} nodes): ${bad.length ? `DIFFER in ${bad.join(", ")}` : "same arrays"}`);
    if (bad.length) differ++;
  }
}
process.exit(differ ? 1 : 0);
