// Validates Kubernetes objects against pinned schemas: core and prometheus-operator kinds with kubernetes-models'
// generated validators, KServe kinds with the CRD schemas vendored in deploy/schemas/kserve (unknown fields refused,
// as the API server's strict field validation does).
import fs from "node:fs";
import path from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { repoRoot } from "./cli.js";

type Obj = { apiVersion: string; kind: string; [k: string]: unknown };

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Module path of a kind's kubernetes-models class. */
function modelModule(apiVersion: string, kind: string): string | null {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  if (group === "monitoring.coreos.com") return `@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`;
  if (group === "" || ["apps", "autoscaling", "policy", "batch", "networking.k8s.io", "rbac.authorization.k8s.io"].includes(group)) {
    return `kubernetes-models/${group === "" ? "" : `${group}/`}${version}/${kind}`;
  }
  return null;
}

/** Closes every object schema that lists its properties, unless it says it keeps unknown fields. */
function strict(schema: any): any {
  if (Array.isArray(schema)) return schema.map(strict);
  if (schema === null || typeof schema !== "object") return schema;
  const out: any = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === "properties" ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, strict(s)])) : strict(v);
  if (out.properties && out.additionalProperties === undefined && out["x-kubernetes-preserve-unknown-fields"] !== true) out.additionalProperties = false;
  return out;
}

const crdValidators = new Map<string, ValidateFunction>();
export const KSERVE_SCHEMAS = {
  "serving.kserve.io/v1beta1/InferenceService": "inferenceservice-v1beta1.json",
  "serving.kserve.io/v1alpha1/ClusterServingRuntime": "clusterservingruntime-v1alpha1.json",
} as const;

function crdValidator(key: keyof typeof KSERVE_SCHEMAS): ValidateFunction {
  let v = crdValidators.get(key);
  if (!v) {
    const file = JSON.parse(fs.readFileSync(path.join(repoRoot, "deploy/schemas/kserve", KSERVE_SCHEMAS[key]), "utf8")) as { schema: object };
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    v = ajv.compile(strict(file.schema));
    crdValidators.set(key, v);
  }
  return v;
}

/** The problems of one object (empty when valid); an unknown kind is a problem too. */
export async function schemaProblems(obj: Obj): Promise<string[]> {
  const key = `${obj.apiVersion}/${obj.kind}`;
  if (key in KSERVE_SCHEMAS) {
    const v = crdValidator(key as keyof typeof KSERVE_SCHEMAS);
    return v(obj) ? [] : (v.errors ?? []).map((e) => `${key} ${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
  }
  const mod = modelModule(obj.apiVersion, obj.kind);
  if (!mod) return [`${key}: no pinned schema for this kind`];
  const Model = (await import(mod))[obj.kind] as new (data: unknown) => { validate(): void };
  try {
    new Model(obj).validate();
    return [];
  } catch (e) {
    return [`${key} ${(e as Error).message}`];
  }
}
