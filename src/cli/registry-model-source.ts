// Resolves "what to serve" from the registry: the version an alias points at, loaded from its artifact.
// The serve layer's ReloadingSource polls this and swaps models when the alias moves (in any process).
// A recommender artifact loads as a recommender (/recommend and /predict by user and item), anything else as a
// tabular model.
import { loadModel } from "../learn/train.js";
import { loadRecommenderPredictor } from "../recommend/predictor.js";
import type { Registry } from "../registry/registry.js";
import type { ModelResolver } from "../serve/reload.js";
import type { ModelVersion } from "../records.js";
import type { ServedModel } from "../serve/types.js";

/** `decorate` may wrap a loaded model (a feature-service model gets its feature lookups). */
export function registryResolver(registry: Registry, name: string, alias: string, decorate?: (served: ServedModel, mv: ModelVersion) => Promise<ServedModel>): ModelResolver {
  return {
    async resolve() {
      const version = await registry.store.getAlias(name, alias);
      return version === null ? null : `${name}@${version}`;
    },
    async load(key: string): Promise<ServedModel> {
      const mv = await registry.get(name, Number(key.slice(key.lastIndexOf("@") + 1)));
      const bytes = await registry.loadArtifact(mv);
      const model = loadRecommenderPredictor(bytes) ?? loadModel(bytes);
      const served: ServedModel = {
        predictor: model,
        provenance: {
          model: mv.name,
          version: mv.version,
          alias,
          runId: mv.runId,
          datasetId: mv.datasetId,
          datasetHash: mv.datasetHash,
          artifactUri: mv.artifactUri,
        },
      };
      return decorate ? decorate(served, mv) : served;
    },
  };
}
