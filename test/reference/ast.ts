/**
 * The program language of the differential tests: a tiny imperative language whose programs are
 * printed as real doeff TypeScript (print.ts) and evaluated by the reference interpreter
 * (interpreter.ts). Every code unit has one numeric local, `acc`.
 *
 * A Program is a list of code units (sub-programs `fn` and handlers) plus `main`. Unit i may only call
 * or install units j > i, and `main` any unit, so every program terminates: continuations are
 * one-shot, there are no loops, and handler code performs effects outward only (INV-14).
 */

export type EffCls = "A" | "B" | "C";
export const EFF_CLASSES: readonly EffCls[] = ["A", "B", "C"];
export type StateKey = "x" | "y";
export type EnvKey = "a" | "b";
export type StdName = "state" | "reader" | "writer";

/** A handler reference: a standard handler or a handler unit. */
export type HRef = { readonly std: StdName } | { readonly unit: number };

/** `f(acc)`, wrapped in `withHandler(h, ·)` for each element of `wrap` (outermost first). */
export interface Call {
  readonly wrap: readonly HRef[];
  readonly fn: number;
}

export type Stmt =
  /** `acc += yield* new A(n);` */
  | { readonly t: "perform"; readonly cls: EffCls; readonly n: number }
  /** `yield* tell("tag:" + acc);` */
  | { readonly t: "tell"; readonly tag: string }
  /** `acc += yield* get("x");` */
  | { readonly t: "get"; readonly key: StateKey }
  /** `yield* put("x", acc);` */
  | { readonly t: "put"; readonly key: StateKey }
  /** `acc += yield* modify("x", (v) => (v ?? 0) + n);` or a modify function that throws `new Error(msg)` */
  | { readonly t: "modify"; readonly key: StateKey; readonly n: number; readonly throws: string | null }
  /** `acc += yield* ask("a");` */
  | { readonly t: "ask"; readonly key: EnvKey }
  /** `acc += yield* local({ a: n }, call);` */
  | { readonly t: "local"; readonly key: EnvKey; readonly n: number; readonly call: Call }
  /** `{ const r = yield* listen(call); acc += r.value + r.log.length; }` */
  | { readonly t: "listen"; readonly call: Call }
  /** `{ const r = yield* safe(call); if (r.ok) acc += r.value; else yield* tell("safe:" + msg(r.error)); }` */
  | { readonly t: "safe"; readonly call: Call }
  /** `acc += yield* call;` */
  | { readonly t: "call"; readonly call: Call }
  /** `try { body } catch (err) { yield* tell("caught:" + msg(err)); handler } finally { fin }` */
  | {
      readonly t: "try";
      readonly body: readonly Stmt[];
      readonly catch: readonly Stmt[] | null;
      readonly finally: readonly Stmt[] | null;
    }
  /** `if (acc % 2 === 0) { yes } else { no }` */
  | { readonly t: "if"; readonly yes: readonly Stmt[]; readonly no: readonly Stmt[] }
  /** `throw new Error(msg);` */
  | { readonly t: "throw"; readonly msg: string }
  /** `return acc;` */
  | { readonly t: "return" }
  /** `acc += yield* resumeContinuation(yield* createContinuation(call, [hs…]), acc);` (§4 unstarted continuation) */
  | { readonly t: "unstarted"; readonly call: Call; readonly hs: readonly HRef[] }
  /** `if (saved !== null) acc += yield* resume(saved, acc + n);` — a continuation stashed by `stash` */
  | { readonly t: "resumeSaved"; readonly n: number }
  /** `acc += yield* intercept(call, TRANSFORMS[transform]);` (§7.7) */
  | { readonly t: "intercept"; readonly call: Call; readonly transform: number }
  // ---- handler code only (e, k in scope) ----
  /** `acc += yield* resume(k, acc + n);` */
  | { readonly t: "resume"; readonly n: number }
  /** `return yield* transfer(k, acc + n);` */
  | { readonly t: "transfer"; readonly n: number }
  /** `return yield* transferWith(k, call);` */
  | { readonly t: "transferWith"; readonly call: Call }
  /** `acc += yield* discontinue(k, new Error(msg));` */
  | { readonly t: "discontinue"; readonly msg: string }
  /** `return yield* pass();` or `return yield* pass(new B(n));` */
  | { readonly t: "pass"; readonly sub: { readonly cls: EffCls; readonly n: number } | null }
  /** `acc += yield* delegate();` or `acc += yield* delegate(new B(n));` */
  | { readonly t: "delegate"; readonly sub: { readonly cls: EffCls; readonly n: number } | null }
  /** `yield* detach(k);` */
  | { readonly t: "detach" }
  /** `yield* finalize(k);` */
  | { readonly t: "finalize" }
  /** `saved = k;` */
  | { readonly t: "stash" }
  /** `return yield* transfer(yield* createContinuation(call, [hs…]), acc);` — k itself is not finalized (§5.1) */
  | { readonly t: "transferNew"; readonly call: Call; readonly hs: readonly HRef[] }
  /** `yield* tell("hs:" + (yield* getHandlers()).map((h) => h.name).join(","));` */
  | { readonly t: "handlers" };

/** intercept transforms (§7.7): pass unchanged, substitute, run a program instead, throw, bad result. */
export const TRANSFORMS: readonly string[] = [
  "() => undefined",
  "(e) => (e instanceof A ? new B(e.v + 1) : undefined)",
  "(e) => (e instanceof B ? pure(e.v * 2) : undefined)",
  `(e) => {\n  if (e instanceof C) throw new Error("i" + e.v);\n}`,
  `(e) => (e instanceof Tell ? tell("i:" + e.message) : undefined)`,
  "(e) => (e instanceof A ? 42 : undefined)",
];

export const HANDLER_ONLY: ReadonlySet<Stmt["t"]> = new Set([
  "resume",
  "transfer",
  "transferWith",
  "discontinue",
  "pass",
  "delegate",
  "detach",
  "finalize",
  "stash",
  "transferNew",
  "handlers",
]);

/** Statements after which the rest of a block is unreachable. */
export const TERMINAL: ReadonlySet<Stmt["t"]> = new Set([
  "throw",
  "return",
  "transfer",
  "transferWith",
  "pass",
]);

export interface FnUnit {
  readonly kind: "fn";
  /** `fn(function* uN(x) { let acc = x; body; return acc; })` */
  readonly body: readonly Stmt[];
}

export interface HandlerUnit {
  readonly kind: "handler";
  /** the effect classes it handles */
  readonly classes: readonly EffCls[];
  /**
   * "handles": a `handles` property (others are skipped without running it);
   * "throws": the same, but `handles` throws `new Error("p")` for a `C` with v > 6 (§1: at the perform site);
   * "guard": no `handles`; the code starts with `if (!(e instanceof A || …)) return yield* pass();`
   * "takes": a TAKES declaration `[A, …]` (class-based: the VM's handler search skips it by
   * prototype and caches the skip, src/vm/dispatch.ts), no `handles`
   */
  readonly filter: "handles" | "throws" | "guard" | "takes";
  /**
   * gen: `function* uN(e, k) { let acc = e.v; body; return acc; }`;
   * otherwise a plain function returning one primitive / program (§3 step 3: a ProgramLike result):
   * `function uN(e, k) { return resume(k, e.v + n); }` (resume | transfer | pure | pass | delegate).
   */
  readonly style:
    | "gen"
    | { readonly plain: "resume" | "transfer" | "pure" | "pass" | "delegate"; readonly n: number };
  readonly body: readonly Stmt[];
}

export type Unit = FnUnit | HandlerUnit;

export interface Program {
  readonly units: readonly Unit[];
  /** `program(function* main() { let acc = 0; body; return acc; })` */
  readonly main: readonly Stmt[];
  /** run's `handlers` option: first = outermost */
  readonly runHandlers: readonly HRef[];
  readonly store: Readonly<Partial<Record<StateKey, number>>>;
  /** env values: numbers, or `{ lazy: i }` = the lazy value `ui(1)` (a Program, §7.4) */
  readonly env: Readonly<Partial<Record<EnvKey, number | { readonly lazy: number }>>>;
}

export function isStd(h: HRef): h is { readonly std: StdName } {
  return "std" in h;
}
