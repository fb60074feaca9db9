// How a task's typed output crosses a process boundary (a task run on a `millrace worker`): JSON that keeps typed
// arrays (tagged base64), and per kind an optional wire that sends a reference instead of a large or live value
// (a dataset by its id, a model by its artifact) and rebuilds it on the other side from the shared stores.
import type { ResourceKinds } from "./needs.js";

/** A kind's own encoding of its output; the default is `toWire` / `fromWire` of the whole value. */
export interface OutputWire<Out> {
  encode(out: Out): unknown;
  decode(wire: unknown, r: ResourceKinds): Promise<Out>;
}

const TYPED = {
  Float64Array, Float32Array, Int32Array, Uint32Array, Int16Array, Uint16Array, Int8Array, Uint8Array, Uint8ClampedArray, BigInt64Array, BigUint64Array,
} as const;
type TypedName = keyof typeof TYPED;

/** JSON text of `value`; typed arrays become `{ $typed, b64 }` (their bytes), dates their ISO string. */
export function toWire(value: unknown): string {
  return JSON.stringify(value, function (this: unknown, _key, v: unknown) {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      const name = v.constructor.name as TypedName;
      if (!(name in TYPED)) throw new Error(`cannot send a ${name} to a worker`);
      return { $typed: name, b64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64") };
    }
    if (v instanceof Map || v instanceof Set) throw new Error("cannot send a Map or Set to a worker: give the task kind a wire");
    return v;
  });
}

/** The value `toWire` wrote, typed arrays rebuilt (copied into their own aligned buffer). */
export function fromWire<T = unknown>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v && typeof v === "object" && "$typed" in v && "b64" in v) {
      const { $typed, b64 } = v as { $typed: TypedName; b64: string };
      const Ctor = TYPED[$typed];
      if (!Ctor) throw new Error(`unknown typed array ${String($typed)} from a worker`);
      const bytes = Buffer.from(b64, "base64");
      const copy = new Uint8Array(bytes.byteLength);
      copy.set(bytes);
      return new Ctor(copy.buffer, 0, bytes.byteLength / Ctor.BYTES_PER_ELEMENT);
    }
    return v;
  }) as T;
}

/** Encodes a kind's output for the other process (its wire, else the whole value). */
export function encodeOutput<Out>(wire: OutputWire<Out> | undefined, out: Out): string {
  return toWire(wire ? wire.encode(out) : out);
}

/** Decodes what `encodeOutput` wrote, with this process's stores. */
export async function decodeOutput<Out>(wire: OutputWire<Out> | undefined, text: string, r: ResourceKinds): Promise<Out> {
  const value = fromWire(text);
  return wire ? wire.decode(value, r) : (value as Out);
}
