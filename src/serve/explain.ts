// POST /predict?explain=true[&explain_top=K]: the query form of explanations (the body form, `"explain": true`, is read
// by answerPredict). Registered ahead of /predict; any other /predict request passes straight on (the node fast path
// never sees a query string). Both give answerExplained's answer: the usual one plus `explanations`.
import type { Context, Next } from "hono";
import { readJsonBody } from "./body.js";
import { explainerOf, explainTopOfQuery } from "./explain-request.js";
import { answerExplained, noModel, routeFor, type PredictCore } from "./predict.js";

/** Hono handler for POST /predict that answers when `explain=true` and otherwise calls next(). */
export function explainRoute(core: PredictCore, stickyHeader: string, maxBodyBytes: number) {
  return async (c: Context, next: Next): Promise<Response | void> => {
    const top = explainTopOfQuery(c.req.query("explain"), c.req.query("explain_top"));
    if (top === 0) return next();
    const t0 = performance.now();
    const route = routeFor(core.models, c.req.header(stickyHeader) ?? null);
    if (!route.served) throw noModel();
    explainerOf(route.served); // a model that cannot explain is refused before its body is read
    const answer = answerExplained(core, route, await readJsonBody(c.req.raw, maxBodyBytes), t0, top);
    return new Response(answer.text, { status: 200, headers: { "content-type": "application/json; charset=utf-8", ...answer.headers } });
  };
}
