// A model version's evaluation on the test rows it did not train on: ROC and precision-recall curves, the confusion
// matrix at a threshold chosen with a slider, calibration, permutation importance, and residuals for regression.
import { useMemo, useState } from "react";
import type { BinaryEvaluation, EvaluationReport, RegressionEvaluation } from "../../../src/ui-api/types.js";
import { useApi } from "../api.js";
import { fmtInt, fmtNum, fmtPct, fmtTime } from "../format.js";
import { LazyChart } from "./LazyChart.js";
import { Card, Loaded } from "./States.js";

const xy = (xs: number[], ys: number[]) => xs.map((x, i) => [x, ys[i]]);
const unitAxis = (name: string) => ({ type: "value", min: 0, max: 1, name, nameLocation: "middle", nameGap: 24 });
const diagonal = { type: "line", data: [[0, 0], [1, 1]], symbol: "none", lineStyle: { type: "dashed", color: "#94a3b8", width: 1 }, tooltip: { show: false }, silent: true };

function RocPr({ b }: { b: BinaryEvaluation }) {
  const base = b.positives / (b.positives + b.negatives);
  const roc = useMemo(
    () => ({
      tooltip: { trigger: "axis" },
      xAxis: unitAxis("false positive rate"),
      yAxis: unitAxis("true positive rate"),
      series: [{ name: "ROC", type: "line", data: xy(b.roc.fpr, b.roc.tpr), symbol: "none", step: false, areaStyle: { opacity: 0.08 } }, { ...diagonal, name: "chance" }],
    }),
    [b],
  );
  const pr = useMemo(
    () => ({
      tooltip: { trigger: "axis" },
      xAxis: unitAxis("recall"),
      yAxis: unitAxis("precision"),
      series: [
        { name: "precision-recall", type: "line", data: xy(b.pr.recall, b.pr.precision), symbol: "none" },
        { ...diagonal, name: "base rate", data: [[0, base], [1, base]] },
      ],
    }),
    [b, base],
  );
  return (
    <div className="grid two">
      <div data-curve="roc">
        <h3 className="sub-title">ROC curve · AUC {fmtNum(b.roc.auc)}</h3>
        <LazyChart option={roc} label="ROC curve" height={280} />
      </div>
      <div data-curve="pr">
        <h3 className="sub-title">Precision-recall · average precision {fmtNum(b.pr.averagePrecision)} (base rate {fmtPct(base)})</h3>
        <LazyChart option={pr} label="precision-recall curve" height={280} />
      </div>
    </div>
  );
}

/** The 2×2 matrix at the slider's threshold (positive when p ≥ threshold), with the rates it gives. */
function ThresholdMatrix({ b }: { b: BinaryEvaluation }) {
  const [step, setStep] = useState(50);
  const t = b.byThreshold;
  const [tp, fp, fn, tn] = [t.tp[step], t.fp[step], t.fn[step], t.tn[step]];
  const n = tp + fp + fn + tn;
  const precision = tp + fp ? tp / (tp + fp) : null;
  const recall = tp + fn ? tp / (tp + fn) : null;
  const f1 = precision !== null && recall !== null && precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : null;
  return (
    <div className="confusion">
      <label className="threshold">
        threshold <strong data-threshold={t.threshold[step].toFixed(2)}>{t.threshold[step].toFixed(2)}</strong>
        <input type="range" name="threshold" min={0} max={t.threshold.length - 1} step={1} value={step} onChange={(e) => setStep(Number(e.target.value))} aria-label="decision threshold" />
      </label>
      <table className="data matrix" data-confusion="binary">
        <thead>
          <tr>
            <th>actual ↓ predicted →</th>
            <th>{b.negative}</th>
            <th>{b.positive}</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th>{b.negative}</th>
            <td data-cell="tn">{fmtInt(tn)}</td>
            <td data-cell="fp" className="off">{fmtInt(fp)}</td>
          </tr>
          <tr>
            <th>{b.positive}</th>
            <td data-cell="fn" className="off">{fmtInt(fn)}</td>
            <td data-cell="tp">{fmtInt(tp)}</td>
          </tr>
        </tbody>
      </table>
      <div className="small" data-rates>
        accuracy {fmtNum(n ? (tp + tn) / n : null)} · precision {fmtNum(precision)} · recall {fmtNum(recall)} · F1 {fmtNum(f1)} · {fmtInt(tp + fp)} of {fmtInt(n)} flagged {b.positive}
      </div>
    </div>
  );
}

function Calibration({ b }: { b: BinaryEvaluation }) {
  const option = useMemo(
    () => ({
      tooltip: { trigger: "item", formatter: (p: { data: number[] }) => `predicted ${fmtNum(p.data[0], 3)}, observed ${fmtNum(p.data[1], 3)} (${fmtInt(p.data[2])} rows)` },
      xAxis: unitAxis(`mean predicted P(${b.positive})`),
      yAxis: unitAxis("observed rate"),
      series: [
        { name: "calibration", type: "line", data: b.calibration.predicted.map((x, i) => [x, b.calibration.observed[i], b.calibration.count[i]]), symbolSize: 7 },
        { ...diagonal, name: "perfect" },
      ],
    }),
    [b],
  );
  return <LazyChart option={option} label="calibration" height={260} />;
}

function MulticlassMatrix({ classes, m }: { classes: string[]; m: number[][] }) {
  return (
    <div className="table-wrap">
      <table className="data matrix" data-confusion="multiclass">
        <thead>
          <tr>
            <th>actual ↓ predicted →</th>
            {classes.map((c) => <th key={c}>{c}</th>)}
          </tr>
        </thead>
        <tbody>
          {m.map((row, i) => (
            <tr key={classes[i]}>
              <th>{classes[i]}</th>
              {row.map((v, j) => <td key={j} className={i === j ? undefined : "off"}>{fmtInt(v)}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Residuals({ r }: { r: RegressionEvaluation }) {
  const scatter = useMemo(
    () => ({
      tooltip: { trigger: "item", formatter: (p: { data: number[] }) => `predicted ${fmtNum(p.data[0])}, residual ${fmtNum(p.data[1])}` },
      xAxis: { type: "value", scale: true, name: "predicted", nameLocation: "middle", nameGap: 24 },
      yAxis: { type: "value", scale: true, name: "residual (actual − predicted)" },
      series: [{ type: "scatter", symbolSize: 4, data: xy(r.predicted, r.residual), markLine: { silent: true, symbol: "none", data: [{ yAxis: 0 }], lineStyle: { color: "#94a3b8" } } }],
    }),
    [r],
  );
  const hist = useMemo(
    () => ({
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: r.histogram.edges.slice(0, -1).map((e, i) => `${fmtNum(e, 2)} to ${fmtNum(r.histogram.edges[i + 1], 2)}`), axisLabel: { show: false }, name: "residual" },
      yAxis: { type: "value", name: "rows" },
      series: [{ type: "bar", data: r.histogram.counts, barCategoryGap: "5%" }],
    }),
    [r],
  );
  return (
    <div className="grid two">
      <div data-curve="residuals">
        <h3 className="sub-title">Residuals against predictions</h3>
        <LazyChart option={scatter} label="residual plot" height={280} />
      </div>
      <div>
        <h3 className="sub-title">Residual distribution</h3>
        <LazyChart option={hist} label="residual histogram" height={280} />
      </div>
    </div>
  );
}

function Importance({ imp }: { imp: EvaluationReport["importance"] }) {
  const rows = [...imp.features].reverse(); // ECharts draws the first category at the bottom
  const option = useMemo(
    () => ({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", name: `${imp.metric} lost` },
      yAxis: { type: "category", data: rows.map((f) => f.feature) },
      series: [{ type: "bar", data: rows.map((f) => f.drop) }],
    }),
    [imp, rows],
  );
  return (
    <div data-importance={imp.features.map((f) => f.feature).join(",")}>
      <h3 className="sub-title">Feature importance</h3>
      <div className="muted small">
        how much {imp.metric} {imp.higherIsBetter ? "drops" : "rises"} when one feature's values are shuffled among the test rows (mean of {imp.repeats} shuffles; near 0 = the model does not rely on it)
      </div>
      <LazyChart option={option} label="feature importance" height={Math.max(160, 22 * rows.length + 40)} />
    </div>
  );
}

function Shap({ shap }: { shap: NonNullable<EvaluationReport["shap"]> }) {
  const rows = [...shap.features].reverse();
  const option = useMemo(
    () => ({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", name: "mean |SHAP|" },
      yAxis: { type: "category", data: rows.map((f) => f.feature) },
      series: [{ type: "bar", data: rows.map((f) => f.meanAbs), itemStyle: { color: "#8b5cf6" } }],
    }),
    [rows],
  );
  return (
    <div data-shap={shap.features.map((f) => f.feature).join(",")}>
      <h3 className="sub-title">SHAP summary</h3>
      <div className="muted small">mean |contribution| to the {shap.scale} of "{shap.output}" over {fmtInt(shap.rows)} test rows (how much each feature moves a prediction, either way)</div>
      <LazyChart option={option} label="SHAP summary" height={Math.max(160, 22 * rows.length + 40)} />
    </div>
  );
}

export function EvaluationCard({ name, version }: { name: string; version: number }) {
  const state = useApi<EvaluationReport>(`/models/${encodeURIComponent(name)}/${version}/evaluation`);
  return (
    <Card title="Evaluation on held-out rows" className="evaluation">
      <Loaded state={state} what="scoring the test rows (once per version)">
        {(e) => (
          <div data-evaluation={e.task}>
            <div className="muted small">
              v{e.version} scored the {fmtInt(e.testRows)} test rows of dataset {e.datasetId} (it trained on the other {fmtInt(e.trainRows)}); computed {fmtTime(e.computedAt)} UTC in {fmtInt(e.computeMs)} ms, kept on its run
            </div>
            {e.binary && (
              <>
                <RocPr b={e.binary} />
                <div className="grid two">
                  <div>
                    <h3 className="sub-title">Confusion matrix</h3>
                    <ThresholdMatrix b={e.binary} />
                  </div>
                  <div data-curve="calibration">
                    <h3 className="sub-title">Calibration (brier {fmtNum(e.metrics.brier)})</h3>
                    <Calibration b={e.binary} />
                  </div>
                </div>
              </>
            )}
            {e.multiclass && e.classes && (
              <>
                <h3 className="sub-title">Confusion matrix (most probable class)</h3>
                <MulticlassMatrix classes={e.classes} m={e.multiclass.confusion} />
              </>
            )}
            {e.regression && <Residuals r={e.regression} />}
            <div className={e.shap ? "grid two" : undefined}>
              <Importance imp={e.importance} />
              {e.shap && <Shap shap={e.shap} />}
            </div>
          </div>
        )}
      </Loaded>
    </Card>
  );
}
