// POST /predict?explain=true: the usual answer plus, per record, why the model scored it so (base value + the
// top-k column contributions = the raw score; TreeSHAP for trees, coefficient × value for linear models). Registered
// ahead of /predict; any other /predict request passes straight on (the node fast path never sees a query string).
import type { Context, Next } from "hono";
import { ValidationError } from "../errors.js";
import type { OutputExplanation } from "../learn/explain/rows.js";
import { readJsonBody } from "./body.js";
import { cachedProvenanceHeaders } from "./provenance.js";
import { noModel, routeFor, scoreRoute, type PredictCore } from "./predict.js";
import { validatorFor } from "./validate.js";

interface Explainable {
  explainRecords(records: ReadonlyArray<Record<string, unknown>>, topK?: number): OutputExplanation[][];
}

const canExplain = (p: object): p is Explainable => typeof (p as Partial<Explainable>).explainRecords === "function";

/** Hono handler for POST /predict that answers when `explain=true` and otherwise calls next(). */
export function explainRoute(core: PredictCore, stickyHeader: string, maxBodyBytes: number) {
  return async (c: Context, next: Next): Promise<Response | void> => {
    const flag = c.req.query("explain");
    if (flag === undefined || flag === "false") return next();
    if (flag !== "true") throw new ValidationError(`explain=${flag}: use explain=true`, { path: "explain" });
    const top = c.req.query("explain_top");
    const topK = top === undefined ? 10 : Number(top);
    if (!Number.isInteger(topK) || topK < 1) throw new ValidationError(`explain_top=${top}: a whole number >= 1`, { path: "explain_top" });
    const t0 = performance.now();
    const route = routeFor(core.models, c.req.header(stickyHeader) ?? null);
    const served = route.served;
    if (!served) throw noModel();
    if (served.features) throw new ValidationError("explain=true is not available for a model that looks up online features", { path: "explain" });
    const predictor = served.predictor;
    if (!canExplain(predictor)) throw new ValidationError("this model cannot explain its predictions", { path: "explain" });
    const records = validatorFor(predictor.signature, core.vopts).parseBody(await readJsonBody(c.req.raw, maxBodyBytes));
    const scored = scoreRoute(core, route, served, records, t0);
    // A learner without explanations (knn, naive Bayes, ensembles) throws a ValidationError: a 400 naming `explain`.
    const explanations = predictor.explainRecords(records, topK);
    const body = { predictions: scored.outputs, explanations, provenance: served.provenance, ids: scored.ids };
    return new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json; charset=utf-8", ...cachedProvenanceHeaders(served.provenance) } });
  };
}
