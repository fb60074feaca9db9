// Why a prediction came out as it did, as /predict's `explanations` give it: per explained output the base value, the
// top-k feature contributions (largest first), the rest of the features summed, and the raw score they add up to;
// and the form's choice to ask for them.
import { useState, type ReactElement } from "react";
import type { OutputExplanation } from "../../../src/ui-api/types.js";
import { fmtNum } from "../format.js";

const signed = (v: number): string => (v > 0 ? `+${fmtNum(v)}` : fmtNum(v));

function OutputTable({ e }: { e: OutputExplanation }) {
  const largest = Math.max(1e-300, ...e.contributions.map((c) => Math.abs(c.value)));
  return (
    <table className="data explanation" data-output={e.output}>
      <tbody>
        <tr>
          <td>base value</td>
          <td className="num" data-base={e.base}>{fmtNum(e.base)}</td>
          <td className="muted small">where every prediction starts ({e.scale})</td>
        </tr>
        {e.contributions.map((c) => (
          <tr key={c.feature} data-contribution={c.feature}>
            <td className="mono">{c.feature}</td>
            <td className="num">{signed(c.value)}</td>
            <td>
              <span style={{ display: "inline-block", height: 10, borderRadius: 2, width: `${(Math.abs(c.value) / largest) * 100}%`, background: c.value >= 0 ? "#16a34a" : "#dc2626" }} />
            </td>
          </tr>
        ))}
        {e.rest !== 0 && (
          <tr>
            <td className="muted">the other features</td>
            <td className="num">{signed(e.rest)}</td>
            <td />
          </tr>
        )}
        <tr>
          <td>
            <b>raw score</b>
          </td>
          <td className="num" data-raw={e.raw}>
            <b>{fmtNum(e.raw)}</b>
          </td>
          <td className="muted small">{e.scale}: base + contributions{e.rest !== 0 ? " + the others" : ""}</td>
        </tr>
      </tbody>
    </table>
  );
}

/** The explanation of one prediction: a table per explained output (the positive class, each class, or the value). */
export function Explanation({ outputs }: { outputs: OutputExplanation[] }) {
  return (
    <div data-testid="explanation">
      <h3 className="sub-title">Why: the largest contributions</h3>
      {outputs.map((e) => (
        <div key={e.output}>
          {outputs.length > 1 && <div className="muted small">{e.output}</div>}
          <OutputTable e={e} />
        </div>
      ))}
    </div>
  );
}

/**
 * Whether to explain and how many contributions, asked as /predict takes them: the body fields (`"explain": true,
 * "explain_top": K`, or none) and the form's checkbox with its count.
 */
export function useExplainChoice(): { fields: { explain?: true; explain_top?: number }; toggle: ReactElement } {
  const [top, setTop] = useState<number | null>(null);
  const toggle = (
    <label className="inline" style={{ flexDirection: "row" }}>
      <input type="checkbox" name="explain" checked={top !== null} onChange={(e) => setTop(e.target.checked ? 5 : null)} /> explain: top
      <input type="number" name="explain_top" aria-label="contributions shown" min={1} step={1} style={{ width: 56 }} disabled={top === null} value={top ?? 5} onChange={(e) => setTop(Math.max(1, Math.round(Number(e.target.value)) || 1))} />
      contributions
    </label>
  );
  return { fields: top !== null ? { explain: true, explain_top: top } : {}, toggle };
}
