// Fuzz: 12,000 generated malformed payloads against /predict and /v2/.../infer over real HTTP; none may get a 5xx.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "./app.js";
import { startServer, type RunningServer } from "./server.js";
import { churnModel, goodRecord } from "./test-helpers/logistic.js";
import { rng } from "./test-helpers/rng.js";

const WEIRD: unknown[] = [null, true, false, 0, -1, 1.5, 2 ** 53 + 1, -1e308, "", "x".repeat(5000), "1", "NaN", [], [1, 2], {}, { a: 1 }, "\u0000", "\ud800", "😀", -0];
const RAW_NUMBERS = ["1e999", "-1e999", "123456789012345678901234567890", "0x10", "01", "1.", ".5", "+1", "NaN", "Infinity"];

function deep(n: number, open: string, close: string): string {
  return open.repeat(n) + close.repeat(n);
}

/** One malformed payload: [body bytes or text, content type]. */
function payload(r: () => number, v2: boolean): [string | Uint8Array, string] {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const rec: Record<string, unknown> = goodRecord();
  const keys = Object.keys(rec);
  const kind = Math.floor(r() * 16);
  const wrap = (records: unknown) =>
    v2
      ? JSON.stringify({ inputs: Object.keys(rec).map((k) => ({ name: k, datatype: "BYTES", shape: [Array.isArray(records) ? records.length : 1], data: Array.isArray(records) ? records.map((x) => (x as Record<string, unknown>)?.[k]) : [records] })) })
      : JSON.stringify({ records });
  switch (kind) {
    case 0: // wrong type in one field
      return [wrap([{ ...rec, [pick(keys)]: pick(WEIRD) }]), "application/json"];
    case 1: {
      // missing fields
      const copy = { ...rec };
      for (const k of keys) if (r() < 0.4) delete copy[k];
      return [wrap([copy]), "application/json"];
    }
    case 2: // extra fields, some hostile
      return [wrap([{ ...rec, [pick(["__proto__", "constructor", "prototype", "x", ""])]: pick(WEIRD) }]), "application/json"];
    case 3: // huge numbers as raw JSON text
      return [`{"records":[{"tenure":${pick(RAW_NUMBERS)},"monthly_charges":${pick(RAW_NUMBERS)},"contract":"One year","paperless_billing":true}]}`, "application/json"];
    case 4: // deep nesting
      return [`{"records":${deep(1 + Math.floor(r() * 20000), "[", "]")}}`, "application/json"];
    case 5: // deep object nesting in a field
      return [`{"records":[{"tenure":${deep(1 + Math.floor(r() * 5000), '{"a":', "}").replace(/\{"a":\}/, "1")}}]}`, "application/json"];
    case 6: {
      // invalid UTF-8 inside a string
      const head = new TextEncoder().encode('{"records":[{"contract":"');
      const bad = Uint8Array.from({ length: 1 + Math.floor(r() * 4) }, () => 0x80 + Math.floor(r() * 0x7f));
      return [new Uint8Array([...head, ...bad, ...new TextEncoder().encode('"}]}')]), "application/json"];
    }
    case 7: {
      // truncated JSON
      const full = wrap([rec, rec]);
      return [full.slice(0, Math.floor(r() * (full.length - 1))), "application/json"];
    }
    case 8: // random bytes
      return [Uint8Array.from({ length: Math.floor(r() * 200) }, () => Math.floor(r() * 256)), "application/json"];
    case 9: // wrong content types
      return [wrap([rec]), pick(["text/plain", "application/x-www-form-urlencoded", "", "application/jsonx", "multipart/form-data; boundary=x"])];
    case 10: // records / inputs of the wrong shape
      return [JSON.stringify(v2 ? { inputs: pick(WEIRD) } : { records: pick(WEIRD) }), "application/json"];
    case 11: // top-level junk
      return [JSON.stringify(pick(WEIRD)), "application/json"];
    case 12: // many records, one bad deep inside
      return [wrap([...Array.from({ length: 50 }, () => rec), { ...rec, tenure: "many" }]), "application/json"];
    case 13: // unknown categories and wrong case
      return [wrap([{ ...rec, contract: pick(["one year", "ONE YEAR", " One year", "Ten year", ""]) }]), "application/json"];
    case 14: // duplicate keys and BOM
      return [`\ufeff{"records":[{"tenure":1,"tenure":"x","monthly_charges":1,"contract":"One year","paperless_billing":true}]}`, "application/json; charset=utf-8"];
    default: // mangled V2 tensors
      return [JSON.stringify({ inputs: [{ name: pick(keys), datatype: pick(["FP64", "BYTES", "X", 3]), shape: pick([[1], [-1], [1, 2], "1", [1.5]]), data: pick(WEIRD) }] }), "application/json"];
  }
}

let server: RunningServer;
beforeAll(async () => {
  server = await startServer(createApp({ models: { current: () => churnModel(1) }, maxBodyBytes: 256 * 1024, onError: () => undefined }), { port: 0 });
});
afterAll(() => server.close());

describe("fuzz", () => {
  it("answers 12,000 malformed payloads with 4xx JSON (or 200 when one happens to be valid), never ≥ 500", async () => {
    const r = rng(20240601);
    const total = 12_000;
    const fivexx: string[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    const worker = async () => {
      while (next < total) {
        const i = next++;
        const v2 = i % 3 === 0;
        const [body, ct] = payload(r, v2);
        const res = await fetch(`${server.url}${v2 ? "/v2/models/churn/infer" : "/predict"}`, { method: "POST", headers: ct ? { "content-type": ct } : {}, body });
        const text = await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status >= 500) fivexx.push(`case ${i}: ${res.status} ${text.slice(0, 200)}`);
        else if (res.status !== 200) {
          const j = JSON.parse(text) as { error?: unknown; message?: unknown };
          if (typeof j.error !== "string" || typeof j.message !== "string" || /\n\s+at /.test(text)) fivexx.push(`case ${i}: malformed error body ${text.slice(0, 200)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    console.log("fuzz statuses", Object.fromEntries(statuses));
    expect(fivexx).toEqual([]);
    const answered = [...statuses.values()].reduce((a, b) => a + b, 0);
    expect(answered).toBe(total);
    // Mostly rejections: the generator makes malformed payloads.
    expect((statuses.get(400) ?? 0) + (statuses.get(415) ?? 0) + (statuses.get(413) ?? 0)).toBeGreaterThan(total * 0.8);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
  }, 180_000); // ~15 s on an idle 2-core machine; the margin is for a shared one
});
