// Entity ids for numeric join keys, assigned in JS: an open-addressing table from key (a double holding an integer
// below 2^53 in magnitude) to a dense id. The point-in-time merge reads a view's keys and looks each one up here
// instead of asking DuckDB to join the rows to a key table.

export class NumericKeyIds {
  private keys: Float64Array;
  private ids: Int32Array;
  private mask: number;
  private bits: number;
  size = 0;
  /** When the keys are dense enough: id of key min + i at direct[i] (one read instead of a probe). */
  private direct: Int32Array | null = null;
  private min = Infinity;

  constructor(expected: number) {
    this.bits = Math.max(4, Math.ceil(Math.log2(Math.max(1, expected) * 2)));
    this.mask = (1 << this.bits) - 1;
    this.keys = new Float64Array(1 << this.bits);
    this.ids = new Int32Array(1 << this.bits).fill(-1);
  }

  private slot(k: number): number {
    const lo = k | 0;
    const hi = (k / 4294967296) | 0;
    return Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> (32 - this.bits);
  }

  /** The key's id, made when new. */
  add(k: number): number {
    if (this.size * 2 >= this.mask) this.grow();
    let s = this.slot(k);
    for (;;) {
      const id = this.ids[s];
      if (id < 0) {
        this.keys[s] = k;
        this.ids[s] = this.size;
        return this.size++;
      }
      if (this.keys[s] === k) return id;
      s = (s + 1) & this.mask;
    }
  }

  /** After the last add: looks keys up in a plain array when they span at most 4× their count (ids 1..N, say). */
  freeze(): void {
    let min = Infinity;
    let max = -Infinity;
    for (let s = 0; s < this.ids.length; s++) {
      if (this.ids[s] < 0) continue;
      if (this.keys[s] < min) min = this.keys[s];
      if (this.keys[s] > max) max = this.keys[s];
    }
    if (!(max - min < Math.max(4 * this.size, 1 << 16))) return;
    this.min = min;
    this.direct = new Int32Array(max - min + 1).fill(-1);
    for (let s = 0; s < this.ids.length; s++) if (this.ids[s] >= 0) this.direct[this.keys[s] - min] = this.ids[s];
  }

  /** The key's id, or -1 when no label has it. */
  idOf(k: number): number {
    const direct = this.direct;
    if (direct !== null) {
      const i = k - this.min;
      return i >= 0 && i < direct.length ? direct[i] : -1;
    }
    let s = this.slot(k);
    for (;;) {
      const id = this.ids[s];
      if (id < 0 || this.keys[s] === k) return id;
      s = (s + 1) & this.mask;
    }
  }

  private grow(): void {
    const { keys, ids } = this;
    this.bits++;
    this.mask = (1 << this.bits) - 1;
    this.keys = new Float64Array(1 << this.bits);
    this.ids = new Int32Array(1 << this.bits).fill(-1);
    for (let s = 0; s < ids.length; s++) {
      if (ids[s] < 0) continue;
      let t = this.slot(keys[s]);
      while (this.ids[t] >= 0) t = (t + 1) & this.mask;
      this.keys[t] = keys[s];
      this.ids[t] = ids[s];
    }
  }
}
