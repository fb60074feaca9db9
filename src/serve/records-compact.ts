// Generated readers of compact flat records in one key order (records-parser.ts): `,{"k0":v0,"k1":v1,…}` with no
// whitespace, the usual body a client's JSON library writes. The keys' bytes, the separators and the category strings
// the parser has remembered are constants in the code (compared 4, 2, 1 bytes at a time through a DataView); numbers
// of up to 15 significant digits and no exponent are read inline as the parser's readNumber reads them. Anything else
// is the parser's readValue, or the caller's general loop.

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN = 0x7b;
const CLOSE = 0x7d;

/** Remembered strings per key compared inline (others go through readValue, which knows them all). */
const INLINE_STRINGS = 8;

/**
 * Reads records into `out` from i (the comma before a record) on: the index where it stopped (the first record it does
 * not read whole, or the end), or -1 when a value is not a flat scalar (the body is not flat: the parser declines).
 * A record with whitespace, another key order or its closing brace at or past `end` is left to the caller.
 */
export type CompactReader = (b: Buffer, dv: DataView, i: number, end: number, encoding: "latin1" | "utf8", out: Record<string, unknown>[]) => number;

/** The parser's reader of one scalar at i: the index after it (the value in `got()`), or -1. */
export type ReadValue = (b: Buffer, i: number, end: number, encoding: "latin1" | "utf8", seen: string[], seenBytes: Buffer[]) => number;

/** Code true when b[i + at …] differs from the constant bytes, four at a time (a 32-bit DataView read) then two, then one. */
function bytesDiffer(bytes: ArrayLike<number>, at: number): string {
  const tests: string[] = [];
  let q = 0;
  for (; q + 4 <= bytes.length; q += 4) tests.push(`dv.getUint32(i + ${at + q}, true) !== ${(bytes[q] | (bytes[q + 1] << 8) | (bytes[q + 2] << 16) | (bytes[q + 3] << 24)) >>> 0}`);
  if (q + 2 <= bytes.length) {
    tests.push(`dv.getUint16(i + ${at + q}, true) !== ${bytes[q] | (bytes[q + 1] << 8)}`);
    q += 2;
  }
  if (q < bytes.length) tests.push(`b[i + ${at + q}] !== ${bytes[q]}`);
  return tests.length === 0 ? "false" : tests.join(" || ");
}

/** Code reading key j's value at i into x (i after it), returning -1 from the reader when readValue says so. */
function valueCode(j: number, known: Buffer[]): string {
  const fallback = `{ if ((i = readValue(b, s, end, encoding, S[${j}], B[${j}])) < 0) return -1; x = got(); }`;
  // A remembered string: its bytes then the closing quote, before the end (as the parser's rememberedString checks).
  const strings = known.map((k, q) => `if (i + ${k.length + 1} < end && !(${bytesDiffer([...k, QUOTE], 1)})) { x = S${j}[${q}]; i += ${k.length + 2}; } else `).join("");
  return `s = i; c = b[i];
    if (c >= 48 && c <= 57 && (c !== 48 || !(b[i + 1] >= 48 && b[i + 1] <= 57))) {
      x = c - 48; d = c === 48 ? 0 : 1; f = 0; c = b[++i];
      while (c >= 48 && c <= 57) { x = x * 10 + (c - 48); d++; c = b[++i]; }
      if (c === 46) {
        c = b[++i];
        if (!(c >= 48 && c <= 57)) d = 99;
        while (c >= 48 && c <= 57) { x = x * 10 + (c - 48); if (x !== 0) d++; f++; c = b[++i]; }
      }
      if (c === 101 || c === 69 || d > 15 || f > 15) ${fallback}
      else if (f > 0) x = x / P[f];
    } else if (c === ${QUOTE}) { ${strings}${fallback} }
    else ${fallback}
    const v${j} = x;`;
}

/**
 * The reader of one key order. `strings[j]` / `stringBytes[j]`: the strings the parser remembers under key j (their
 * first INLINE_STRINGS as of now are compiled in; later ones are found by readValue). `readValue` and `got` are the
 * parser's (numbers it cannot read inline, strings it has not remembered, null, true, false).
 */
export function compileCompact(
  keys: string[],
  keyBytes: Buffer[],
  strings: string[][],
  stringBytes: Buffer[][],
  readValue: ReadValue,
  got: () => unknown,
  pow10: readonly number[],
): CompactReader {
  const lines: string[] = [];
  const head: string[] = [];
  let expect: number[] = [COMMA, OPEN];
  keyBytes.forEach((k, j) => {
    expect.push(QUOTE, ...k, QUOTE, COLON);
    // The bytes compared lie before the record's closing brace, itself before end: past it, the general loop reads.
    lines.push(`if (i + ${expect.length} >= end || ${bytesDiffer(expect, 0)}) return at;`);
    lines.push(`i += ${expect.length};`);
    lines.push(valueCode(j, stringBytes[j].slice(0, INLINE_STRINGS)));
    head.push(`const S${j} = S[${j}];`);
    expect = [COMMA];
  });
  if (keyBytes.length === 0) expect.push(CLOSE);
  else expect = [CLOSE];
  lines.push(`if (i + ${expect.length - 1} >= end || ${bytesDiffer(expect, 0)}) return at;`);
  lines.push(`i += ${expect.length};`);
  const literal = keys.map((k, j) => `${JSON.stringify(k)}: v${j}`).join(", ");
  const code = `${head.join(" ")}
return function compact(b, dv, i, end, encoding, out) {
  let s, c, x, d, f;
  for (;;) {
    const at = i;
    if (i >= end) return at;
    ${lines.join("\n    ")}
    out.push({ ${literal} });
  }
};`;
  return new Function("readValue", "got", "S", "B", "P", code)(readValue, got, strings, stringBytes, pow10) as CompactReader;
}

/** How many remembered strings a reader compiled now would hold inline (the parser recompiles when it grows). */
export function inlineStrings(stringBytes: Buffer[][]): number {
  let count = 0;
  for (const list of stringBytes) count += Math.min(list.length, INLINE_STRINGS);
  return count;
}
