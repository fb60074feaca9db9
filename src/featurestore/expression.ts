// On-demand feature expressions ("amount / income"): parsed once into a tree that is written out as DuckDB SQL for the
// training set and evaluated in JS for a request, with one set of rules in both (numbers as doubles, null in → null
// out, x / 0 → null), so offline and online values are equal bit for bit.

export type Expr =
  | { kind: "num"; value: number }
  | { kind: "ref"; name: string }
  | { kind: "neg"; arg: Expr }
  | { kind: "bin"; op: "+" | "-" | "*" | "/"; left: Expr; right: Expr }
  | { kind: "call"; fn: FunctionName; args: Expr[] };

/** The functions an expression may call, with how many arguments each takes. */
const FUNCTIONS = { abs: [1, 1], coalesce: [1, 16], least: [2, 16], greatest: [2, 16] } as const;
type FunctionName = keyof typeof FUNCTIONS;

const TOKEN = /\s*(?:(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|([-+*/(),]))/y;

export class ExpressionError extends Error {}

function tokenize(text: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < text.length) {
    if (/^\s*$/.test(text.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(text);
    if (!m) throw new ExpressionError(`unexpected "${text.slice(pos).trim()[0]}" at character ${pos + 1}`);
    out.push(m[1] ?? m[2] ?? m[3]);
    pos = TOKEN.lastIndex;
  }
  return out;
}

/** Parses an expression (precedence: unary minus, then * /, then + -). */
export function parseExpression(text: string): Expr {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i];
  const take = (t?: string) => {
    const tok = tokens[i++];
    if (t !== undefined && tok !== t) throw new ExpressionError(`expected "${t}" but found ${tok === undefined ? "the end" : `"${tok}"`}`);
    return tok;
  };
  const primary = (): Expr => {
    const t = take();
    if (t === undefined) throw new ExpressionError("the expression ends too early");
    if (t === "-") return { kind: "neg", arg: primary() };
    if (t === "(") {
      const e = sum();
      take(")");
      return e;
    }
    if (/^\d/.test(t)) return { kind: "num", value: Number(t) };
    if (/^[A-Za-z_]/.test(t)) {
      if (peek() !== "(") return { kind: "ref", name: t };
      const fn = t.toLowerCase();
      if (!(fn in FUNCTIONS)) throw new ExpressionError(`unknown function ${t}(): use ${Object.keys(FUNCTIONS).join(", ")}`);
      take("(");
      const args: Expr[] = [sum()];
      while (peek() === ",") {
        take(",");
        args.push(sum());
      }
      take(")");
      const [lo, hi] = FUNCTIONS[fn as FunctionName];
      if (args.length < lo || args.length > hi) throw new ExpressionError(`${fn}() takes ${lo === hi ? lo : `${lo} to ${hi}`} argument(s), not ${args.length}`);
      return { kind: "call", fn: fn as FunctionName, args };
    }
    throw new ExpressionError(`unexpected "${t}"`);
  };
  const product = (): Expr => {
    let e = primary();
    while (peek() === "*" || peek() === "/") e = { kind: "bin", op: take() as "*" | "/", left: e, right: primary() };
    return e;
  };
  const sum = (): Expr => {
    let e = product();
    while (peek() === "+" || peek() === "-") e = { kind: "bin", op: take() as "+" | "-", left: e, right: product() };
    return e;
  };
  const e = sum();
  if (i < tokens.length) throw new ExpressionError(`unexpected "${tokens[i]}" after the expression`);
  return e;
}

/** Why the text is not an expression, or null when it parses. */
export function expressionProblem(text: string): string | null {
  try {
    parseExpression(text);
    return null;
  } catch (e) {
    return `not an on-demand expression: ${(e as Error).message}`;
  }
}

/** The feature and request-field names an expression reads (empty when it does not parse). */
export function expressionInputs(text: string): string[] {
  let e: Expr;
  try {
    e = parseExpression(text);
  } catch {
    return [];
  }
  const out = new Set<string>();
  const walk = (x: Expr): void => {
    if (x.kind === "ref") out.add(x.name);
    else if (x.kind === "neg") walk(x.arg);
    else if (x.kind === "bin") (walk(x.left), walk(x.right));
    else if (x.kind === "call") x.args.forEach(walk);
  };
  walk(e);
  return [...out];
}

/**
 * DuckDB SQL for the expression; `column` renders a reference (quoted, qualified as the caller needs). A result that
 * is not finite (an overflow) is null, as online: a feature of Infinity would be stored, and read back, differently.
 */
export function expressionSql(e: Expr, column: (name: string) => string): string {
  const v = sqlOf(e, column);
  return `(CASE WHEN isfinite(${v}) THEN ${v} END)`;
}

function sqlOf(e: Expr, column: (name: string) => string): string {
  switch (e.kind) {
    case "num":
      return `CAST(${e.value} AS DOUBLE)`;
    case "ref":
      return `CAST(${column(e.name)} AS DOUBLE)`;
    case "neg":
      return `(- ${sqlOf(e.arg, column)})`;
    case "bin": {
      const l = sqlOf(e.left, column);
      const r = sqlOf(e.right, column);
      // NULLIF: a zero divisor gives null, as online (DuckDB would give NULL too; JS would give Infinity).
      return e.op === "/" ? `(${l} / NULLIF(${r}, 0))` : `(${l} ${e.op} ${r})`;
    }
    case "call": {
      const args = e.args.map((a) => sqlOf(a, column));
      // SQL least/greatest skip nulls; null-in-null-out is kept (as online) by requiring every argument.
      if (e.fn === "least" || e.fn === "greatest") return `(CASE WHEN ${args.map((a) => `${a} IS NULL`).join(" OR ")} THEN NULL ELSE ${e.fn}(${args.join(", ")}) END)`;
      return `${e.fn}(${args.join(", ")})`;
    }
  }
}

/** A JS function computing the expression over one record; null when an input is null, missing or not a number. */
export function compileExpression(e: Expr): (row: Readonly<Record<string, unknown>>) => number | null {
  const num = (v: unknown): number | null => (typeof v === "number" ? v : typeof v === "boolean" ? Number(v) : typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : null);
  const build = (x: Expr): ((row: Readonly<Record<string, unknown>>) => number | null) => {
    switch (x.kind) {
      case "num": {
        const v = x.value;
        return () => v;
      }
      case "ref": {
        const name = x.name;
        return (row) => num(row[name]);
      }
      case "neg": {
        const a = build(x.arg);
        return (row) => {
          const v = a(row);
          return v === null ? null : -v;
        };
      }
      case "bin": {
        const l = build(x.left);
        const r = build(x.right);
        const op = x.op;
        return (row) => {
          const a = l(row);
          const b = r(row);
          if (a === null || b === null) return null;
          if (op === "+") return a + b;
          if (op === "-") return a - b;
          if (op === "*") return a * b;
          return b === 0 ? null : a / b;
        };
      }
      case "call": {
        const args = x.args.map(build);
        const fn = x.fn;
        return (row) => {
          const vs = args.map((a) => a(row));
          if (fn === "coalesce") return vs.find((v) => v !== null) ?? null;
          if (vs.some((v) => v === null)) return null;
          const ns = vs as number[];
          if (fn === "abs") return Math.abs(ns[0]);
          return fn === "least" ? Math.min(...ns) : Math.max(...ns);
        };
      }
    }
  };
  const f = build(e);
  return (row) => {
    const v = f(row);
    return v !== null && Number.isFinite(v) ? v : null;
  };
}
