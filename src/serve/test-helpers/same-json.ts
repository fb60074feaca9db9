// Test helpers of the byte-level body parsers (records-parser, scalar-objects): their input region and a deep equality
// strict enough to stand for "exactly JSON.parse's value".
import { isAscii } from "node:buffer";
import { expect } from "vitest";

/** Deep equality that also tells -0 from 0 and compares key order. */
export function expectSame(got: unknown, want: unknown): void {
  expect(got).toEqual(want);
  const walk = (g: unknown, w: unknown): void => {
    if (typeof w === "number") expect(Object.is(g, w)).toBe(true);
    else if (w !== null && typeof w === "object") {
      expect(Object.keys(g as object)).toEqual(Object.keys(w));
      for (const k of Object.keys(w)) walk((g as Record<string, unknown>)[k], (w as Record<string, unknown>)[k]);
    }
  };
  walk(got, want);
}

/**
 * What a parser of `{"<key>":[ {…}, … ]}` text is called with: the bytes, the first element's `{`, the index after the
 * last element's `}` and whether the bytes are ASCII; null when the text has another outer shape.
 */
export function elementsRegion(text: string, key: string): [Buffer, number, number, boolean] | null {
  const b = Buffer.from(text);
  const head = new RegExp(`^\\s*\\{\\s*"${key}"\\s*:\\s*\\[\\s*`).exec(text);
  const tail = /\s*\]\s*\}\s*$/.exec(text);
  if (head === null || tail === null || !text.startsWith("{", head[0].length)) return null;
  // Index arithmetic on the text holds for the bytes: the head and tail are ASCII.
  return [b, head[0].length, b.length - Buffer.byteLength(tail[0]), isAscii(b)];
}

/** The text with 0 to 2 random edits (a JSON-ish character replaced or inserted, or a character cut): fuzz cases. */
export function mutated(text: string, next: () => number): string {
  const edits = Math.floor(next() * 3);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(next() * text.length);
    const pick = next();
    const ch = ' \n\t,:{}[]"\\-+.eE0123456789nulltruefalse'[Math.floor(next() * 40)];
    text = pick < 0.4 ? text.slice(0, at) + ch + text.slice(at + 1) : pick < 0.7 ? text.slice(0, at) + ch + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
  }
  return text;
}
