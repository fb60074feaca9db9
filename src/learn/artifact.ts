// Compact versioned artifact encoding: a JSON header plus an aligned binary payload for every typed array.

import { VERSION } from "../version.js";
import { MillraceError } from "../errors.js";

/** Bumped when the layout of a saved model changes incompatibly. */
export const ARTIFACT_FORMAT = 1;
const MAGIC = [0x4d, 0x4c, 0x52, 0x43]; // "MLRC"

/** The package version (package.json), stamped into every artifact. */
export const MILLRACE_VERSION: string = VERSION;

/** A model file this build cannot read (foreign bytes, or a format from another Millrace version). */
export class ArtifactError extends MillraceError {
  constructor(message: string, details: { hint?: string; [k: string]: unknown } = {}) {
    super("artifact_incompatible", message, details);
  }
}

type Typed = Float64Array | Float32Array | Int32Array | Uint32Array | Uint8Array;
const KINDS: Record<string, new (b: ArrayBuffer, o: number, n: number) => Typed> = {
  f64: Float64Array,
  f32: Float32Array,
  i32: Int32Array,
  u32: Uint32Array,
  u8: Uint8Array,
};

function kindOf(a: unknown): string | null {
  if (a instanceof Float64Array) return "f64";
  if (a instanceof Float32Array) return "f32";
  if (a instanceof Int32Array) return "i32";
  if (a instanceof Uint32Array) return "u32";
  if (a instanceof Uint8Array) return "u8";
  return null;
}

/** Encodes a tree of plain values and typed arrays. Non-finite plain numbers survive (JSON cannot say NaN). */
export function encodeArtifact(value: unknown): Uint8Array {
  const arrays: Typed[] = [];
  let size = 0;
  const walk = (v: unknown): unknown => {
    const kind = kindOf(v);
    if (kind) {
      const a = v as Typed;
      size = Math.ceil(size / 8) * 8;
      const ref = { $t: kind, o: size, n: a.length };
      size += a.byteLength;
      arrays.push(a);
      return ref;
    }
    if (typeof v === "number" && !Number.isFinite(v)) return { $n: String(v) };
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  const header = new TextEncoder().encode(JSON.stringify(walk(value)));
  const headerEnd = Math.ceil((12 + header.length) / 8) * 8;
  const out = new Uint8Array(headerEnd + size);
  out.set(MAGIC, 0);
  const dv = new DataView(out.buffer);
  dv.setUint32(4, ARTIFACT_FORMAT, true);
  dv.setUint32(8, header.length, true);
  out.set(header, 12);
  let offset = 0;
  for (const a of arrays) {
    offset = Math.ceil(offset / 8) * 8;
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), headerEnd + offset);
    offset += a.byteLength;
  }
  return out;
}

export function decodeArtifact(bytes: Uint8Array): unknown {
  if (bytes.length < 12 || MAGIC.some((m, i) => bytes[i] !== m)) {
    throw new ArtifactError("not a Millrace model file (bad magic bytes)", { hint: "pass the bytes written by model.toBytes()" });
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const format = dv.getUint32(4, true);
  if (format !== ARTIFACT_FORMAT) {
    throw new ArtifactError(`model file format ${format} is not supported by this Millrace (reads format ${ARTIFACT_FORMAT})`, {
      hint: format > ARTIFACT_FORMAT ? "upgrade Millrace to load this model" : "retrain the model with this Millrace version",
    });
  }
  const len = dv.getUint32(8, true);
  if (12 + len > bytes.length) throw new ArtifactError("model file is truncated", { hint: "copy the file again" });
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + len)));
  const payload = Math.ceil((12 + len) / 8) * 8;
  // Copy the payload into its own buffer: the source bytes may be unaligned or reused by the caller. Through
  // Uint8Array's slice: a Node Buffer's own slice() is a view, whose .buffer would be the whole (pooled) memory.
  const buf = Uint8Array.prototype.slice.call(bytes, payload).buffer;
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      if (typeof o.$t === "string" && KINDS[o.$t]) {
        const C = KINDS[o.$t];
        const n = o.n as number;
        const width = (C as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
        if ((o.o as number) + n * width > buf.byteLength) throw new ArtifactError("model file is truncated", { hint: "copy the file again" });
        return new C(buf, o.o as number, n);
      }
      if (typeof o.$n === "string" && Object.keys(o).length === 1) return Number(o.$n);
      return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, walk(x)]));
    }
    return v;
  };
  return walk(header);
}
