// A small seeded pseudo-random generator (sfc32 seeded by splitmix32) so every split, sample and fit repeats for a seed.

/** Deterministic random numbers for a seed; not for cryptography. */
export class Rng {
  // The state lives in an Int32Array: as plain fields V8 boxed every value outside the 31-bit small-integer range
  // (a heap number per update, ~60 ns a draw); in the array a draw costs a few ns. Same sequence either way.
  private readonly s = new Int32Array(4);

  constructor(seed: number) {
    // splitmix32 spreads any integer seed (0, 1, 42...) over the whole state.
    let x = (Math.floor(seed) | 0) >>> 0;
    const mix = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    for (let i = 0; i < 4; i++) this.s[i] = mix();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const s = this.s;
    const a = s[0];
    const b = s[1];
    const c = s[2];
    const d = s[3];
    const t = (((a + b) | 0) + d) | 0;
    s[3] = (d + 1) | 0;
    s[0] = b ^ (b >>> 9);
    s[1] = (c + (c << 3)) | 0;
    s[2] = (((c << 21) | (c >>> 11)) + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    let u = this.next();
    while (u === 0) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T extends { length: number; [i: number]: unknown }>(arr: T): T {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = arr[i];
      arr[i] = arr[j];
      arr[j] = t;
    }
    return arr;
  }

  /** A new independent generator derived from this one (for per-fold / per-tree streams). */
  fork(): Rng {
    return new Rng(this.nextUint32());
  }
}
