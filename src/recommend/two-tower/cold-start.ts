// Cold start through the feature tower: a user unseen in training but described by the user features the model was
// trained with is scored by the user tower alone — raw values coded as in training (z-scores, level codes), the id
// embedding, the id statistics and the history summary left at zero, which is what training shows the tower for a
// share of users when user_id_dropout > 0. The tower's weights travel in the fitted state (plain arrays).

import { ValidationError } from "../../errors.js";
import type { FeatureEncoding, SideFeatures } from "../interactions.js";
import type { Tower } from "./tower.js";

export interface FeatureTowerState {
  embDim: number;
  catDim: number;
  numericNames: string[];
  categoricalNames: string[];
  encoding: FeatureEncoding;
  /** Input columns after the user features' own: id statistics and the history summary (zero for a cold user). */
  trailing: number;
  catEmb: Float64Array[];
  layers: { W: Float64Array; b: Float64Array; nIn: number; nOut: number }[];
}

/** The user tower's weights and input coding, or null when the model saw no user features (nothing to go on). */
export function featureTowerState(tower: Tower, features: SideFeatures | undefined): FeatureTowerState | null {
  if (!features?.encoding || features.numericNames.length + features.categoricalNames.length === 0) return null;
  const own = tower.embDim + features.categoricalNames.length * tower.catDim + features.numericNames.length;
  return {
    embDim: tower.embDim,
    catDim: tower.catDim,
    numericNames: features.numericNames,
    categoricalNames: features.categoricalNames,
    encoding: features.encoding,
    trailing: tower.width - own,
    catEmb: tower.catEmb.map((p) => p.v.slice()),
    layers: tower.mlp.layers.map((l) => ({ W: l.W.v.slice(), b: l.b.v.slice(), nIn: l.nIn, nOut: l.nOut })),
  };
}

/** The names a request may give (for error hints). */
export const featureNames = (s: FeatureTowerState): string[] => [...s.numericNames, ...s.categoricalNames];

/**
 * The user-tower vector of a cold user from raw features. Unknown names and wrong types are errors naming
 * `features.<name>`; a feature left out counts as missing (0 = the training mean, the "unknown" level), as in training.
 */
export function coldUserVector(s: FeatureTowerState, raw: Record<string, unknown>): Float64Array {
  const known = new Set(featureNames(s));
  for (const name of Object.keys(raw)) {
    if (!known.has(name)) {
      throw new ValidationError(`features.${name}: not a user feature of this model`, { path: `features.${name}`, hint: `user features: ${featureNames(s).join(", ")}` });
    }
  }
  const width = s.layers[0].nIn;
  let h = new Float64Array(width);
  let o = s.embDim; // the id embedding stays 0
  s.categoricalNames.forEach((name, j) => {
    const v = raw[name];
    if (v !== undefined && v !== null && typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") {
      throw new ValidationError(`features.${name} must be a category (text or number)`, { path: `features.${name}` });
    }
    const level = v === undefined || v === null ? 0 : s.encoding.levels[j].indexOf(String(v)) + 1; // unseen level -> 0
    h.set(s.catEmb[j].subarray(level * s.catDim, level * s.catDim + s.catDim), o);
    o += s.catDim;
  });
  s.numericNames.forEach((name, j) => {
    const v = raw[name];
    if (v !== undefined && v !== null && (typeof v !== "number" || !Number.isFinite(v))) {
      throw new ValidationError(`features.${name} must be a finite number`, { path: `features.${name}` });
    }
    h[o++] = typeof v === "number" ? (v - s.encoding.mean[j]) / s.encoding.sd[j] : 0;
  });
  s.layers.forEach((l, j) => {
    const y = Float64Array.from(l.b);
    for (let t = 0; t < l.nIn; t++) {
      const x = h[t];
      if (x !== 0) for (let c = 0; c < l.nOut; c++) y[c] += x * l.W[t * l.nOut + c];
    }
    if (j < s.layers.length - 1) for (let c = 0; c < y.length; c++) if (y[c] < 0) y[c] = 0;
    h = y;
  });
  return h;
}
