// Thrift compact protocol, the little of it a Parquet footer and page header use: structs of ints, strings, lists, bools.

/** Compact-protocol type ids. */
export const T = { TRUE: 1, FALSE: 2, BYTE: 3, I16: 4, I32: 5, I64: 6, DOUBLE: 7, BINARY: 8, LIST: 9, SET: 10, MAP: 11, STRUCT: 12 } as const;

/** A struct to write: field id → value, with the type said once per field. Absent (undefined) fields are skipped. */
export type TField =
  | { id: number; type: "i32" | "i64"; value: number | undefined }
  | { id: number; type: "string"; value: string | undefined }
  | { id: number; type: "bool"; value: boolean | undefined }
  | { id: number; type: "struct"; value: TField[] | undefined }
  | { id: number; type: "list<i32>"; value: number[] | undefined }
  | { id: number; type: "list<string>"; value: string[] | undefined }
  | { id: number; type: "list<struct>"; value: TField[][] | undefined };

const text = new TextEncoder();

/** Grows a byte buffer as Thrift fields are appended. */
export class ThriftWriter {
  private buf = new Uint8Array(1024);
  private n = 0;

  private room(k: number): void {
    if (this.n + k <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.n + k));
    bigger.set(this.buf.subarray(0, this.n));
    this.buf = bigger;
  }

  private byte(b: number): void {
    this.room(1);
    this.buf[this.n++] = b;
  }

  /** Unsigned varint of a non-negative integer up to 2^53 (arithmetic, not 32-bit shifts). */
  private varint(v: number): void {
    this.room(10);
    while (v >= 0x80) {
      this.buf[this.n++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.n++] = v;
  }

  private zigzag(v: number): void {
    this.varint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  private bytes(s: string): void {
    const b = text.encode(s);
    this.varint(b.length);
    this.room(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
  }

  private header(delta: number, type: number, id: number): void {
    if (delta > 0 && delta <= 15) this.byte((delta << 4) | type);
    else {
      this.byte(type);
      this.zigzag(id);
    }
  }

  private listHeader(size: number, type: number): void {
    if (size < 15) this.byte((size << 4) | type);
    else {
      this.byte(0xf0 | type);
      this.varint(size);
    }
  }

  struct(fields: TField[]): this {
    let last = 0;
    for (const f of fields) {
      if (f.value === undefined) continue;
      const delta = f.id - last;
      last = f.id;
      switch (f.type) {
        case "i32":
          this.header(delta, T.I32, f.id);
          this.zigzag(f.value);
          break;
        case "i64":
          this.header(delta, T.I64, f.id);
          this.zigzag(f.value);
          break;
        case "string":
          this.header(delta, T.BINARY, f.id);
          this.bytes(f.value);
          break;
        case "bool":
          this.header(delta, f.value ? T.TRUE : T.FALSE, f.id);
          break;
        case "struct":
          this.header(delta, T.STRUCT, f.id);
          this.struct(f.value);
          break;
        case "list<i32>":
          this.header(delta, T.LIST, f.id);
          this.listHeader(f.value.length, T.I32);
          for (const v of f.value) this.zigzag(v);
          break;
        case "list<string>":
          this.header(delta, T.LIST, f.id);
          this.listHeader(f.value.length, T.BINARY);
          for (const v of f.value) this.bytes(v);
          break;
        case "list<struct>":
          this.header(delta, T.LIST, f.id);
          this.listHeader(f.value.length, T.STRUCT);
          for (const v of f.value) this.struct(v);
          break;
      }
    }
    this.byte(0);
    return this;
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.n);
  }
}

/** A decoded struct: field id → number | string (binary as UTF-8) | boolean | struct | list. */
export type TValue = number | string | boolean | TStruct | TValue[];
export type TStruct = Map<number, TValue>;

const utf8 = new TextDecoder();

/** Reads compact-protocol structs from bytes; `pos` moves past what was read. Throws RangeError when bytes run out. */
export class ThriftReader {
  pos: number;

  constructor(
    private readonly b: Uint8Array,
    start = 0,
  ) {
    this.pos = start;
  }

  private byte(): number {
    if (this.pos >= this.b.length) throw new RangeError("thrift: unexpected end of bytes");
    return this.b[this.pos++];
  }

  private varint(): number {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const x = this.byte();
      v += (x & 0x7f) * mul;
      if (x < 0x80) return v;
      mul *= 0x80;
    }
    throw new RangeError("thrift: varint too long");
  }

  private zigzag(): number {
    const v = this.varint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }

  private value(type: number): TValue {
    switch (type) {
      case T.TRUE:
        return true;
      case T.FALSE:
        return false;
      case T.BYTE:
        return this.byte();
      case T.I16:
      case T.I32:
      case T.I64:
        return this.zigzag();
      case T.DOUBLE: {
        const v = new DataView(this.b.buffer, this.b.byteOffset + this.pos, 8).getFloat64(0, true);
        this.pos += 8;
        return v;
      }
      case T.BINARY: {
        const len = this.varint();
        if (this.pos + len > this.b.length) throw new RangeError("thrift: string past the end");
        const s = utf8.decode(this.b.subarray(this.pos, this.pos + len));
        this.pos += len;
        return s;
      }
      case T.LIST:
      case T.SET: {
        const h = this.byte();
        const size = h >> 4 === 15 ? this.varint() : h >> 4;
        const et = h & 15;
        const out: TValue[] = [];
        // Booleans inside lists are one byte each (1 = true).
        for (let i = 0; i < size; i++) out.push(et === T.TRUE || et === T.FALSE ? this.byte() === 1 : this.value(et));
        return out;
      }
      case T.STRUCT:
        return this.struct();
      default:
        throw new RangeError(`thrift: unsupported type ${type}`);
    }
  }

  struct(): TStruct {
    const out: TStruct = new Map();
    let last = 0;
    for (;;) {
      const h = this.byte();
      if (h === 0) return out;
      const type = h & 15;
      const delta = h >> 4;
      const id = delta === 0 ? this.zigzag() : last + delta;
      last = id;
      out.set(id, this.value(type));
    }
  }
}
