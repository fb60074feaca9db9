// parseJsonBytes: small and large bodies decode alike (strict UTF-8, a leading byte-order mark dropped).
import { describe, expect, it } from "vitest";
import { parseJsonBytes } from "./body.js";

describe("parseJsonBytes", () => {
  for (const n of [3, 300]) {
    const text = JSON.stringify({ records: Array.from({ length: n }, (_, i) => ({ a: `é😀${i}` })) });
    const bytes = Buffer.from(text);
    it(`decodes a ${bytes.length}-byte body, with or without a BOM, from any offset`, () => {
      expect(parseJsonBytes(bytes).text).toBe(text);
      expect(parseJsonBytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes])).value).toEqual(JSON.parse(text));
      const u = new Uint8Array(bytes.length + 10);
      u.set(bytes, 5);
      expect(parseJsonBytes(u.subarray(5, 5 + bytes.length)).text).toBe(text);
    });
    it(`refuses invalid UTF-8 in a ${bytes.length}-byte body`, () => {
      const bad = Buffer.from(bytes);
      bad[20] = 0xff;
      expect(() => parseJsonBytes(bad)).toThrow(/not valid UTF-8/);
    });
  }
});
