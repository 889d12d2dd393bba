/**
 * fast-check arbitraries for differential testing. They produce *raw* programs, whose cross-unit
 * references are free integers; `normalize` resolves them deterministically (unit i may reference
 * only units j > i; handler-only statements are dropped outside handlers; code after a terminal
 * statement is dropped). Shrinking works on the raw form, so every shrink is still a valid program.
 */
import fc from "fast-check";
import {
  type Call,
  type EffCls,
  HANDLER_ONLY,
  type HandlerUnit,
  type HRef,
  type Program,
  type StdName,
  type Stmt,
  TERMINAL,
  TRANSFORMS,
  type Unit,
} from "./ast.js";

type RawRef = { readonly std: StdName } | { readonly rawUnit: number };
interface RawCall {
  readonly wrap: readonly RawRef[];
  readonly fn: number;
}
/** A statement whose calls are still raw. */
type RawStmt =
  | Exclude<Stmt, { call: Call } | { body: readonly Stmt[] } | { yes: readonly Stmt[] }>
  | { readonly t: "local"; readonly key: "a" | "b"; readonly n: number; readonly call: RawCall }
  | { readonly t: "listen" | "safe" | "call" | "transferWith"; readonly call: RawCall }
  | { readonly t: "unstarted" | "transferNew"; readonly call: RawCall; readonly hs: readonly RawRef[] }
  | { readonly t: "intercept"; readonly call: RawCall; readonly transform: number }
  | {
      readonly t: "try";
      readonly body: readonly RawStmt[];
      readonly catch: readonly RawStmt[] | null;
      readonly finally: readonly RawStmt[] | null;
    }
  | { readonly t: "if"; readonly yes: readonly RawStmt[]; readonly no: readonly RawStmt[] };

type RawUnit =
  | { readonly kind: "fn"; readonly body: readonly RawStmt[] }
  | {
      readonly kind: "handler";
      readonly classes: readonly EffCls[];
      readonly filter: HandlerUnit["filter"];
      readonly style: HandlerUnit["style"];
      readonly body: readonly RawStmt[];
    };

export interface RawProgram {
  readonly units: readonly RawUnit[];
  readonly main: readonly RawStmt[];
  readonly runHandlers: readonly RawRef[];
  readonly store: Readonly<Partial<Record<"x" | "y", number>>>;
  readonly env: Readonly<Partial<Record<"a" | "b", number>>>;
  /** when set, env.b is the lazy value `uN(1)` (N resolved among the fns) */
  readonly lazy: number | null;
}

const cls = fc.constantFrom<EffCls>("A", "B", "C");
const small = fc.integer({ min: 0, max: 9 });
const label = (prefix: string) => small.map((n) => `${prefix}${n}`);
const key = fc.constantFrom<"x" | "y">("x", "y");
const envKey = fc.constantFrom<"a" | "b">("a", "b");
const sub = fc.option(fc.record({ cls, n: small }), { freq: 3 });

const rawRef: fc.Arbitrary<RawRef> = fc.oneof(
  { arbitrary: fc.nat(7).map((rawUnit) => ({ rawUnit })), weight: 5 },
  { arbitrary: fc.constantFrom<StdName>("state", "reader", "writer").map((std) => ({ std })), weight: 1 },
);
const rawCall: fc.Arbitrary<RawCall> = fc.record({
  wrap: fc.oneof(
    { arbitrary: fc.constant([]), weight: 2 },
    { arbitrary: fc.array(rawRef, { minLength: 1, maxLength: 2 }), weight: 3 },
  ),
  fn: fc.nat(7),
});

type Weighted = { arbitrary: fc.Arbitrary<RawStmt>; weight: number };

/** Statements with no sub-blocks, common to all code (`perform` weighted by context). */
const common = (performWeight: number): Weighted[] => [
  { arbitrary: fc.record({ t: fc.constant("perform" as const), cls, n: small }), weight: performWeight },
  { arbitrary: fc.record({ t: fc.constant("tell" as const), tag: label("t") }), weight: 6 },
  { arbitrary: fc.record({ t: fc.constant("get" as const), key }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant("put" as const), key }), weight: 2 },
  {
    arbitrary: fc.record({
      t: fc.constant("modify" as const),
      key,
      n: small,
      throws: fc.option(label("m"), { freq: 5, nil: null }),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ t: fc.constant("ask" as const), key: envKey }), weight: 1 },
  {
    arbitrary: fc.record({ t: fc.constant("local" as const), key: envKey, n: small, call: rawCall }),
    weight: 1,
  },
  { arbitrary: fc.record({ t: fc.constant("listen" as const), call: rawCall }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant("safe" as const), call: rawCall }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant("call" as const), call: rawCall }), weight: 10 },
  { arbitrary: fc.record({ t: fc.constant("throw" as const), msg: label("u") }), weight: 1 },
  { arbitrary: fc.constant({ t: "return" as const }), weight: 1 },
  {
    arbitrary: fc.record({
      t: fc.constant("unstarted" as const),
      call: rawCall,
      hs: fc.array(rawRef, { maxLength: 2 }),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ t: fc.constant("resumeSaved" as const), n: small }), weight: 2 },
  {
    arbitrary: fc.record({
      t: fc.constant("intercept" as const),
      call: rawCall,
      transform: fc.nat(TRANSFORMS.length - 1),
    }),
    weight: 2,
  },
];

/** Handler-code-only statements (normalize drops them elsewhere). */
const handlerOps: Weighted[] = [
  { arbitrary: fc.record({ t: fc.constant("resume" as const), n: small }), weight: 20 },
  { arbitrary: fc.record({ t: fc.constant("transfer" as const), n: small }), weight: 6 },
  { arbitrary: fc.record({ t: fc.constant("transferWith" as const), call: rawCall }), weight: 3 },
  { arbitrary: fc.record({ t: fc.constant("discontinue" as const), msg: label("d") }), weight: 3 },
  { arbitrary: fc.record({ t: fc.constant("pass" as const), sub }), weight: 4 },
  { arbitrary: fc.record({ t: fc.constant("delegate" as const), sub }), weight: 4 },
  { arbitrary: fc.constant({ t: "detach" as const }), weight: 2 },
  { arbitrary: fc.constant({ t: "finalize" as const }), weight: 2 },
  { arbitrary: fc.constant({ t: "stash" as const }), weight: 2 },
  {
    arbitrary: fc.record({
      t: fc.constant("transferNew" as const),
      call: rawCall,
      hs: fc.array(rawRef, { maxLength: 2 }),
    }),
    weight: 1,
  },
  { arbitrary: fc.constant({ t: "handlers" as const }), weight: 2 },
];

/** Blocks of statements drawn from `leaves`, with nested try / if up to depth 3. */
function blocks(leaves: Weighted[], minLength: number, maxLength: number): fc.Arbitrary<RawStmt[]> {
  const leaf = fc.oneof(...leaves);
  const top = fc.letrec<{ stmt: RawStmt; block: RawStmt[] }>((tie) => ({
    stmt: fc.oneof(
      { maxDepth: 3, depthIdentifier: "stmt" },
      { arbitrary: leaf, weight: 8 },
      {
        arbitrary: fc.record({
          t: fc.constant("try" as const),
          body: tie("block"),
          catch: fc.option(tie("block"), { freq: 2 }),
          finally: fc.option(tie("block"), { freq: 5 }),
        }),
        weight: 4,
      },
      {
        arbitrary: fc.record({ t: fc.constant("if" as const), yes: tie("block"), no: tie("block") }),
        weight: 1,
      },
    ),
    block: fc.array(tie("stmt"), { maxLength: 4, depthIdentifier: "stmt" }),
  }));
  return fc.array(top.stmt, { minLength, maxLength });
}

const bodyBlock = blocks(common(12), 1, 4);
const handlerBlock = blocks([...common(4), ...handlerOps], 1, 4);

const rawUnit: fc.Arbitrary<RawUnit> = fc.oneof(
  fc.record({ kind: fc.constant("fn" as const), body: bodyBlock }),
  fc.record({
    kind: fc.constant("handler" as const),
    classes: fc.oneof(
      fc.subarray<EffCls>(["A", "B", "C"], { minLength: 1 }),
      fc.subarray<EffCls>(["A", "B", "C"], { minLength: 2 }),
    ),
    filter: fc.constantFrom<HandlerUnit["filter"]>("handles", "handles", "guard", "guard", "throws", "takes"),
    style: fc.oneof(
      { arbitrary: fc.constant<HandlerUnit["style"]>("gen"), weight: 5 },
      {
        arbitrary: fc.record({
          plain: fc.constantFrom(
            "resume" as const,
            "transfer" as const,
            "pure" as const,
            "pass" as const,
            "delegate" as const,
          ),
          n: small,
        }),
        weight: 1,
      },
    ),
    body: handlerBlock,
  }),
);

const stdRefs = fc.constantFrom<RawRef[]>(
  [{ std: "state" }, { std: "reader" }, { std: "writer" }],
  [{ std: "writer" }, { std: "state" }, { std: "reader" }],
  [{ std: "reader" }, { std: "writer" }, { std: "state" }],
);
const unitRef = fc.nat(7).map((rawUnit): RawRef => ({ rawUnit }));

export const rawProgram: fc.Arbitrary<RawProgram> = fc.record({
  units: fc.array(rawUnit, { minLength: 1, maxLength: 6 }),
  main: blocks(common(6), 1, 5),
  runHandlers: fc.oneof(
    {
      arbitrary: fc
        .tuple(stdRefs, fc.array(unitRef, { minLength: 1, maxLength: 2 }))
        .map(([a, b]) => [...a, ...b]),
      weight: 6,
    },
    {
      arbitrary: fc.tuple(fc.array(unitRef, { maxLength: 2 }), stdRefs).map(([a, b]) => [...a, ...b]),
      weight: 1,
    },
    { arbitrary: fc.array(rawRef, { maxLength: 4 }), weight: 1 },
  ),
  store: fc.record({ x: small, y: small }, { requiredKeys: [] }),
  env: fc.record({ a: small, b: small }, { requiredKeys: [] }),
  lazy: fc.option(fc.nat(7), { freq: 3, nil: null }),
});

/**
 * Resolve raw references: unit `self` (-1 = main) may reference only units with a larger index.
 * `transferWith(k, p)` runs p at the perform site, i.e. inside the handler's own prompt, so p could
 * perform the handled effect again forever; its fn must be *quiet*: it performs no custom effect,
 * directly or through the fns it calls. Units are resolved last to first so that this is known.
 */
export function normalize(raw: RawProgram, exclude: ReadonlySet<string> = new Set()): Program {
  const kinds = raw.units.map((u) => u.kind);
  const quiet = new Set<number>();
  const after = (self: number, kind: "fn" | "handler", onlyQuiet = false) =>
    kinds.flatMap((k, i) => (i > self && k === kind && (!onlyQuiet || quiet.has(i)) ? [i] : []));

  const ref = (r: RawRef, self: number): HRef | null => {
    if ("std" in r) return r;
    const hs = after(self, "handler");
    return hs.length === 0 ? null : { unit: hs[r.rawUnit % hs.length]! };
  };
  const call = (c: RawCall, self: number, onlyQuiet = false): Call | null => {
    const fns = after(self, "fn", onlyQuiet);
    if (fns.length === 0) return null;
    const wrap = c.wrap.flatMap((r) => {
      const h = ref(r, self);
      return h === null ? [] : [h];
    });
    return { wrap, fn: fns[c.fn % fns.length]! };
  };
  const block = (b: readonly RawStmt[], self: number, inHandler: boolean): Stmt[] => {
    const out: Stmt[] = [];
    for (const s of b) {
      const n = stmt(s, self, inHandler);
      if (n === null) continue;
      out.push(n);
      if (TERMINAL.has(n.t)) break;
    }
    return out;
  };
  const stmt = (s: RawStmt, self: number, inHandler: boolean): Stmt | null => {
    if (!inHandler && HANDLER_ONLY.has(s.t)) return null;
    if (exclude.has(s.t)) return null;
    switch (s.t) {
      case "local":
      case "listen":
      case "safe":
      case "call":
      case "transferWith":
      case "intercept": {
        // intercept transform 2 runs a program at the perform site, but a `pure` one
        const c = call(s.call, self, s.t === "transferWith");
        return c === null ? null : ({ ...s, call: c } as Stmt);
      }
      case "unstarted":
      case "transferNew": {
        const c = call(s.call, self);
        if (c === null) return null;
        const hs = s.hs.flatMap((r) => {
          const h = ref(r, self);
          return h === null ? [] : [h];
        });
        return { t: s.t, call: c, hs };
      }
      case "try":
        return {
          t: "try",
          body: block(s.body, self, inHandler),
          catch: s.catch === null ? null : block(s.catch, self, inHandler),
          finally: s.finally === null ? null : block(s.finally, self, inHandler),
        };
      case "if":
        return { t: "if", yes: block(s.yes, self, inHandler), no: block(s.no, self, inHandler) };
      default:
        return s;
    }
  };
  const isQuiet = (b: readonly Stmt[]): boolean =>
    b.every((s) => {
      switch (s.t) {
        case "perform":
          return false;
        case "local":
        case "listen":
        case "safe":
        case "call":
        case "intercept":
        case "unstarted":
          return quiet.has(s.call.fn);
        case "resumeSaved":
          return false;
        case "try":
          return isQuiet(s.body) && isQuiet(s.catch ?? []) && isQuiet(s.finally ?? []);
        case "if":
          return isQuiet(s.yes) && isQuiet(s.no);
        default:
          return true;
      }
    });
  const units: Unit[] = [];
  for (let i = raw.units.length - 1; i >= 0; i--) {
    const u = raw.units[i]!;
    if (u.kind === "fn") {
      const body = block(u.body, i, false);
      if (isQuiet(body)) quiet.add(i);
      units[i] = { kind: "fn", body };
    } else {
      const body = u.style === "gen" ? block(u.body, i, true) : [];
      units[i] = { kind: "handler", classes: u.classes, filter: u.filter, style: u.style, body };
    }
  }
  return {
    units,
    main: block(raw.main, -1, false),
    runHandlers: raw.runHandlers.flatMap((r) => {
      const h = ref(r, -1);
      return h === null ? [] : [h];
    }),
    store: raw.store,
    env: lazyEnv(raw, after(-1, "fn")),
  };
}

function lazyEnv(raw: RawProgram, fns: number[]): Program["env"] {
  if (raw.lazy === null || fns.length === 0) return raw.env;
  return { ...raw.env, b: { lazy: fns[raw.lazy % fns.length]! } };
}

export const programArb: fc.Arbitrary<Program> = rawProgram.map((r) => normalize(r));

/** Programs without the given statement kinds (e.g. to fuzz past a known, reported bug). */
export function programArbWithout(exclude: ReadonlySet<string>): fc.Arbitrary<Program> {
  return exclude.size === 0 ? programArb : rawProgram.map((r) => normalize(r, exclude));
}
