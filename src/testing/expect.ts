/**
 * `expectEffects(program, expected, options?)`: run a program with a recorder innermost and check the
 * effects it performed, in order, against a list of expectations.
 */
import { Effect } from "../effects/effect.js";
import { AsyncRequiredError, UnhandledEffectError } from "../errors.js";
import { brandOf, describe, head, isProgramLike, notAnEffectClass } from "../vm/brand.js";
import { B_EFFECT } from "../vm/codes.js";
import type { Handler } from "../vm/handler.js";
import type { RunOptions } from "../run/options.js";
import type { RunResult } from "../run/result.js";
import type { FirstPass, InferOnly, MaybeNone } from "../run/entry-check.js";
import type { AnyHandlerFn, ReturnedBy } from "../run/rows.js";
import { checkProgram, run, runAsync } from "../run/run.js";
import { hidden } from "../vm/program.js";
import type { EnvPatch } from "../effects/env-types.js";
import type { SettleForAsync, TestCovered, TestCoveredProgram, TestRunOptionsOf } from "./covered.js";
import type { AnyFunction, AnyProgramLike, ProgramArg, ResultOf } from "../vm/types.js";
import { explainUnhandled, type Recorder, type RecordFilter, record } from "./record.js";
import {
  fieldDifference,
  fieldKeys,
  fieldValue,
  hasField,
  isAsymmetric,
  showEffectFields,
  showValue,
} from "./show.js";
import { SYNC_RUN_OPTIONS, unknownOption } from "./util.js";

/**
 * One expected effect: an effect instance (matches an effect of the same class whose own fields are
 * equal — deeply for plain objects, arrays and effect instances, by identity for anything else; an
 * effect with no own field, its data in `#private` fields, by its class's getters), an effect class
 * (matches any instance), a predicate `(effect) => boolean`, or a Jest / vitest asymmetric matcher
 * (`expect.objectContaining({…})`; in a field too, `new Fetch(expect.stringMatching(/^\/a/))`).
 */
export type EffectExpectation = object | Function | ((effect: unknown) => boolean);

/** Thrown by `expectEffects` when the performed effects differ from the expected ones. */
export class EffectExpectationError extends Error {
  /** The effects the program performed, in order. */
  declare readonly actual: readonly unknown[];
  /** The run's result, for further inspection. */
  declare readonly result: RunResult<unknown>;
  constructor(message: string, actual: readonly unknown[], result: RunResult<unknown>) {
    // a failed run's error is the cause: it is often why the effects differ
    super(message, result.ok ? undefined : { cause: result.error });
    // (`actual` and `result` are `declare`d: made here, before `name`, the order they had as fields)
    // (by Reflect.set, as doeff's errors fill theirs: a subclass's getter for one stands, where an
    // assignment threw a TypeError out of this constructor)
    Reflect.set(this, "actual", actual);
    Reflect.set(this, "result", result);
    Reflect.set(this, "name", "EffectExpectationError");
  }
}

function isClass(f: unknown): f is Function {
  if (typeof f !== "function") return false;
  const proto = (f as { prototype?: unknown }).prototype;
  return proto !== null && typeof proto === "object" && /^class\b/.test(Function.prototype.toString.call(f));
}

/**
 * The pairs of objects being compared further up (a → the objects it is compared with): a pair met
 * again inside itself is taken as equal — the rest of the comparison decides — so two equal
 * structures with a cycle (a parent link, `order.items[0].order`) compare, where the recursion
 * overflowed the stack and expectEffects threw a RangeError.
 */
type Comparing = Map<object, object[]>;

/**
 * A class, or a built-in constructor (`Error`, `Map`: `function Error() { [native code] }`), as
 * opposed to a predicate. (A bound predicate's source reads `[native code]` too, but it has no
 * `prototype`; an ordinary `function (e) {…}` is taken as the predicate it usually is.)
 */
function isConstructor(f: Function): boolean {
  if (isClass(f)) return true;
  try {
    const proto = (f as { prototype?: unknown }).prototype;
    return (
      proto !== null &&
      typeof proto === "object" &&
      /\{\s*\[native code\]\s*\}\s*$/.test(Function.prototype.toString.call(f))
    );
  } catch {
    return false;
  }
}

function equal(a: unknown, b: unknown, comparing?: Comparing): boolean {
  if (Object.is(a, b)) return true;
  // (the expected side: `new Fetch(expect.stringMatching(/^\/a/))` — it compared by identity)
  if (isAsymmetric(a)) return asymmetric(a, b);
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  const isArray = Array.isArray(a);
  if (isArray) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
  } else {
    const pa = Object.getPrototypeOf(a);
    if (pa !== Object.getPrototypeOf(b)) return false;
    // a Date compares by its time (two equal dates are seldom the same object)
    if (pa === Date.prototype) return Object.is((a as Date).getTime(), (b as Date).getTime()); // (two Invalid Dates too)
    // class instances: identity only — but an effect, as one in the list: by its class and fields
    // (a batch of requests, a spawned effect; `new Batch([new Fetch(1)])` never matched otherwise)
    if (pa !== Object.prototype && pa !== null && brandOf(a) !== B_EFFECT) return false;
  }
  const c = comparing ?? new Map<object, object[]>();
  const pairs = c.get(a);
  if (pairs?.includes(b)) return true;
  if (pairs === undefined) c.set(a, [b]);
  else pairs.push(b);
  try {
    if (!isArray) return sameFields(a, b, c);
    // (a hole is not `undefined`: `[, 1]` and `[undefined, 1]` differ, as in assert.deepStrictEqual)
    const x = a as unknown[];
    const y = b as unknown[];
    for (let i = 0; i < x.length; i++) if (i in x !== i in y || !equal(x[i], y[i], c)) return false;
    return true;
  } finally {
    const w = c.get(a)!;
    w.pop();
    if (w.length === 0) c.delete(a);
  }
}

function sameFields(a: object, b: object, comparing?: Comparing): boolean {
  const ka = fieldKeys(a);
  const kb = fieldKeys(b);
  return (
    ka.length === kb.length &&
    ka.every((k) => hasField(b, k) && equal(fieldValue(a, k), fieldValue(b, k), comparing))
  );
}

/** An asymmetric matcher's verdict: `true` alone matches; a matcher that throws does not. */
function asymmetric(m: { asymmetricMatch(other: unknown): unknown }, actual: unknown): boolean {
  try {
    return m.asymmetricMatch(actual) === true;
  } catch {
    return false;
  }
}

function matches(expected: EffectExpectation, actual: unknown): boolean {
  if (isClass(expected)) return actual instanceof expected;
  if (isAsymmetric(expected)) return asymmetric(expected, actual);
  if (typeof expected === "function") return (expected as (e: unknown) => unknown)(actual) === true;
  return (
    actual !== null &&
    typeof actual === "object" &&
    Object.getPrototypeOf(actual) === Object.getPrototypeOf(expected) &&
    sameFields(expected, actual)
  );
}

function show(expected: EffectExpectation): string {
  if (isClass(expected)) return `any ${expected.name || "effect"}`;
  if (typeof expected === "function") return `an effect matching ${predicateText(expected)}`;
  if (isAsymmetric(expected)) return `an effect matching ${showValue(expected)}`;
  return showEffectFields(expected);
}

/** Longest source of an anonymous predicate shown in a message before it is cut with `…`. */
const PREDICATE_CAP = 80;

/**
 * A predicate as the message names it: its name, or — an arrow written inline in the expected list,
 * the usual case — its source on one line, so that the reader sees which of several it was and what it
 * asked (`expected an effect matching a predicate` named neither).
 */
function predicateText(f: Function): string {
  if (f.name) return f.name;
  try {
    const s = Function.prototype.toString.call(f).replace(/\s+/g, " ");
    return s.length > PREDICATE_CAP ? `${head(s, PREDICATE_CAP - 1)}…` : s;
  } catch {
    return "a predicate";
  }
}

/**
 * The message for the first difference, or null when `actual` matches `expected`. When an expected
 * effect instance differs from an effect of its class inside an object or array field (or where the
 * printed forms look alike), a second line names the path: `  at value.age: expected 37, got 36`.
 */
export function compareEffects(
  expected: readonly EffectExpectation[],
  actual: readonly unknown[],
): string | null {
  // (called from JS with something else, it answered null, "no difference", or V8's "reading 'length'")
  check(expected, "compareEffects");
  if (!Array.isArray(actual))
    throw new TypeError(
      `compareEffects expects the performed effects (an array, e.g. a recorder's .effects) second, got ${describe(actual)}`,
    );
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    if (i >= expected.length)
      return `effect #${i + 1}: expected no more effects, got ${showEffectFields(actual[i])}`;
    if (i >= actual.length)
      return `effect #${i + 1}: expected ${show(expected[i]!)}, but the program performed only ${actual.length}`;
    const e = expected[i]!;
    const a = actual[i];
    if (typeof e === "function" && !isClass(e)) {
      // a predicate: its error, or a truthy answer that is not `true`, is reported, not lost
      const name = (e as Function).name; // "" for an arrow function written inline
      let said: unknown;
      try {
        said = (e as (x: unknown) => unknown)(a);
      } catch (err) {
        return `effect #${i + 1}: the predicate${name ? ` ${name}` : ""} threw ${errorLine(err)} on ${showEffectFields(a)}`;
      }
      if (said === true) continue;
      const head = `effect #${i + 1}: expected ${show(e)}, got ${showEffectFields(a)}`;
      return said
        ? `${head}\n  (the predicate returned ${describe(said)}, not true: return a boolean, e.g. !!x)`
        : head;
    }
    if (!matches(e, a)) {
      const head = `effect #${i + 1}: expected ${show(e)}, got ${showEffectFields(a)}`;
      // an instance of the same class: name the field (and the path inside it) that differs
      const where =
        typeof e === "object" &&
        a !== null &&
        typeof a === "object" &&
        Object.getPrototypeOf(a) === Object.getPrototypeOf(e)
          ? fieldDifference(e, a, equal)
          : null;
      return where === null ? head : `${head}\n  ${where}`;
    }
  }
  return null;
}

function check(expected: unknown, where = "expectEffects"): asserts expected is readonly EffectExpectation[] {
  if (!Array.isArray(expected))
    throw new TypeError(
      `${where} expects an array of expected effects ${where === "expectEffects" ? "second" : "first"}, got ${describe(expected)}`,
    );
  // (a for loop: forEach skipped the holes of a sparse list, `[, Roll]`, which then "expected undefined")
  for (let i = 0; i < expected.length; i++) {
    const e: unknown = expected[i];
    // a class that is no effect class (`Error`, `Map`, a class of the app's): as a predicate, called
    // without `new`, it threw "cannot be invoked without 'new'" or answered an object ("the predicate
    // returned Error object"); as a class, it never matched. Say so at the call
    if (typeof e === "function" && isConstructor(e) && notAnEffectClass(e) !== null)
      throw new TypeError(
        `${where}: expected[${i}] is ${notAnEffectClass(e)}, so no performed effect is an instance of it; use an effect class (Roll), an effect instance (new Roll(6)) or a predicate ((e) => e instanceof Roll && e.sides > 2)`,
      );
    // a plain object, an array or a Program never equals a performed effect: say so at the call
    if (typeof e !== "function" && !(e instanceof Effect) && !isAsymmetric(e))
      throw new TypeError(
        `${where}: expected[${i}] is ${Array.isArray(e) ? "an array" : isProgramLike(e) ? "a Program" : e !== null && typeof e === "object" && Object.getPrototypeOf(e) === Object.prototype ? "a plain object" : describe(e)}, which never matches a performed effect; use an effect instance (new Roll(6)), an effect class (Roll) or a predicate ((e) => e instanceof Roll && e.sides > 2)`,
      );
  }
}

/** The performed effects listed in a failed expectation: all of them up to LIST_MAX, else the first and last few. */
const LIST_MAX = 40;
const LIST_HEAD = 30;
const LIST_TAIL = 5;

function listEffects(effects: readonly unknown[]): string {
  const line = (e: unknown, i: number) => `  ${i + 1}. ${showEffectFields(e)}`;
  if (effects.length === 0) return "  (none)";
  if (effects.length <= LIST_MAX) return effects.map(line).join("\n");
  const head = effects.slice(0, LIST_HEAD).map(line);
  const tail = effects.slice(-LIST_TAIL).map((e, j) => line(e, effects.length - LIST_TAIL + j));
  return [...head, `  … ${effects.length - LIST_HEAD - LIST_TAIL} more …`, ...tail].join("\n");
}

/** The warnings a failed expectation names, at most (the rest are counted). */
const WARNINGS_SHOWN = 3;

/**
 * The errors the run kept beside its outcome (RunResult.warnings): a task that failed with nothing
 * waiting for it — a worker whose request threw — stopped performing effects, so it is often why
 * they are missing, yet the run was ok and the message said nothing of it.
 */
function keptLines(r: RunResult<unknown>): string {
  let ws: readonly unknown[];
  try {
    ws = r.warnings;
  } catch {
    return "";
  }
  const n = ws.length;
  if (n === 0) return "";
  const head = `\nthe run kept ${n === 1 ? "an error" : `${n} errors`} that nothing received (.result.warnings; .result.format() says where ${n === 1 ? "it was" : "each was"} thrown)`;
  if (n === 1) return `${head}: ${errorLine(ws[0])}`;
  const lines = ws.slice(0, WARNINGS_SHOWN).map((w) => `\n  - ${errorLine(w)}`);
  return `${head}:${lines.join("")}${n > WARNINGS_SHOWN ? `\n  … ${n - WARNINGS_SHOWN} more` : ""}`;
}

/** "Name: message" of a run's error, never throwing */
function errorLine(e: unknown): string {
  try {
    if (e instanceof Error) return `${e.name}: ${e.message}`;
  } catch {}
  return describe(e);
}

function verdict<T>(
  rec: Recorder,
  expected: readonly EffectExpectation[],
  r: RunResult<T>,
  filtered: boolean,
  sync: boolean,
): RunResult<T> {
  // a scheduler effect, local or listen the recorder passed on and nothing took (a forgotten
  // scheduler, reader, writer): the VM's message blamed the order of "that handler", the recorder
  const u = r.ok ? null : r.error;
  if (
    u instanceof UnhandledEffectError &&
    rec.entries.some((x) => x.effect === u.effect && x.status === "passed")
  )
    explainUnhandled(u, "expectEffects", true);
  const diff = compareEffects(expected, rec.effects);
  if (diff === null) return r;
  // a run that failed performed fewer effects than expected: the failure is usually the news
  const failed = r.ok
    ? ""
    : `\nthe run failed (its error is .result.error and this error's cause): ${errorLine(r.error)}${
        sync && r.error instanceof AsyncRequiredError
          ? "\n  (under expectEffects: use await expectEffectsAsync(program, expected, options) instead)"
          : ""
      }`;
  // nothing at all reached the recorder (no `only` to explain it), yet the run went well: the program's effects were taken
  // inside it (a backend review's service installed its db handler around its own code)
  const unseen =
    r.ok && !filtered && rec.entries.length === 0 && expected.length > 0
      ? "\n(no effect reached the recorder: an effect that a withHandler inside the program takes never does — test the program that handler runs, with the handler in `handlers`)"
      : "";
  throw new EffectExpectationError(
    `${diff}${failed}${keptLines(r)}${unseen}\nperformed effects (${rec.effects.length}${filtered ? ", only those the `only` option selects" : ""}):\n${listEffects(rec.effects)}`,
    rec.effects,
    r as RunResult<unknown>,
  );
}

/** The mistakes the spread below would turn into "is not iterable" or `unknown run option "0"`. */
function checkExpectOptions(options: unknown, sync: boolean): void {
  if (options === undefined) return;
  if (options === null || typeof options !== "object" || Array.isArray(options))
    throw new TypeError(
      `expectEffects' third argument is its options, { handlers: [...], only?, env?, store? }; got ${Array.isArray(options) ? "an array (write { handlers: [state, …] })" : describe(options)}`,
    );
  // (run's own refusal would say to use runAsync)
  if (sync && (options as { settle?: unknown }).settle !== undefined)
    throw new TypeError(
      "expectEffects: option settle is for expectEffectsAsync only (expectEffects cannot wait): use expectEffectsAsync or remove it",
    );
  unknownOption(
    options,
    sync ? "expectEffects" : "expectEffectsAsync",
    sync ? [...SYNC_RUN_OPTIONS, "only"] : [...SYNC_RUN_OPTIONS, "settle", "only"],
  );
  const hs = (options as { handlers?: unknown }).handlers;
  if (hs !== undefined && !Array.isArray(hs))
    throw new TypeError(
      `expectEffects: options.handlers must be an array of handlers, got ${typeof hs === "function" ? `the handler ${hs.name || "function"} alone (write handlers: [${hs.name || "handler"}])` : describe(hs)}`,
    );
}

/**
 * `expectEffects`' options: the run's, plus `only` — which effects to check (as `record(only)`:
 * classes or a predicate), so the scheduler effects of a `timeout` or a `retry` need not be listed.
 */
export type ExpectOptions = RunOptions & { readonly only?: RecordFilter };

/** ExpectOptions typed for the coverage check (TestCovered). */
export type ExpectOptionsOf<
  Hs extends readonly AnyHandlerFn[],
  Patch extends EnvPatch,
  Keys extends PropertyKey,
  Left extends keyof RunOptions = never,
> = TestRunOptionsOf<Hs, Patch, Keys, keyof ExpectOptions, Left> & { readonly only?: RecordFilter };

/**
 * `expectEffects`' options parameter, as run's CheckedRunOptions: the check `C` (unknown, or the
 * error: MissingHandlerError<…>, …) first, then the options typed for inference (ExpectOptionsOf,
 * `settle` refused by SettleForAsync). One alias, so that a failed call's first line prints it by
 * its name and arguments, the missing effects first; written as a bare intersection, it printed
 * each member (~370 characters) and cut the check, last, to `MissingHandlerError<...>`.
 */
export type CheckedExpectOptions<
  C,
  Hs extends readonly AnyHandlerFn[],
  Keys extends PropertyKey,
  Patch extends EnvPatch,
  O,
> = NoInfer<C> &
  ExpectOptionsOf<Hs, Patch, Keys, "settle"> &
  NoInfer<SettleForAsync<O, ExpectSettleError>> &
  InferOnly<O>;

/** `expectEffectsAsync`'s options parameter, as CheckedExpectOptions (`settle` is expectEffectsAsync's). */
export type CheckedExpectAsyncOptions<
  C,
  Hs extends readonly AnyHandlerFn[],
  Keys extends PropertyKey,
  Patch extends EnvPatch,
  O,
> = NoInfer<C> & ExpectOptionsOf<Hs, Patch, Keys> & InferOnly<O>;

/** The compile error for `settle` in expectEffects' options, in the words of its TypeError. */
export type ExpectSettleError =
  "doeff: the expectEffects option settle is for expectEffectsAsync only (expectEffects cannot wait): use expectEffectsAsync or remove it";

function optionsWith(rec: Recorder, options: ExpectOptions | undefined, sync: boolean): RunOptions {
  checkExpectOptions(options, sync);
  const { only: _, ...rest } = options ?? {};
  return { ...rest, handlers: [...(options?.handlers ?? []), rec as Handler] };
}

/**
 * Runs `program` with `run` and the `options` given, plus a recorder installed innermost, and checks
 * that the effects it performed are exactly `expected`, in order. Returns the `RunResult` (a failed
 * run is returned, not thrown, so a test can assert on it); throws `EffectExpectationError` naming
 * the first difference and listing the performed effects otherwise.
 *
 * Compile-time, as `run`: every effect the program may perform must be taken by one of
 * `options.handlers` (`MissingHandlerError<…>` names those none takes). The recorder answers no
 * effect itself — it asks the handlers outside it — and neither does the `expected` list, so they
 * count for nothing.
 *
 * @example
 * ```ts
 * expectEffects(counter, [new Get("n"), new Put("n", 1)], { handlers: [state], store: { n: 0 } });
 * expectEffects(counter, [Get, Put], { handlers: [state], store: { n: 0 } }); // by class
 * ```
 */
export function expectEffects<P extends AnyProgramLike | AnyFunction>(
  program: P & TestCoveredProgram<P>,
  expected: readonly EffectExpectation[],
): RunResult<ResultOf<P>>;
export function expectEffects<
  P extends AnyProgramLike | AnyFunction,
  const Hs extends readonly AnyHandlerFn[],
  Patch extends EnvPatch = EnvPatch,
  Keys extends PropertyKey = never,
  O extends object = {},
  // the check, never given: a default, so that TypeScript instantiates it only once the others are
  // inferred (see FirstPass)
  C = FirstPass<Keys, O> extends true ? unknown : TestCovered<P, MaybeNone<Hs, O>, Patch, Keys>,
>(
  program: P & NoInfer<ProgramArg<P>>,
  expected: readonly EffectExpectation[],
  options: CheckedExpectOptions<C, Hs, Keys, Patch, O>,
): RunResult<ResultOf<P> | ReturnedBy<Hs>>;
export function expectEffects(
  program: AnyProgramLike,
  expected: readonly EffectExpectation[],
  options?: ExpectOptions,
): RunResult<unknown> {
  checkProgram(program, "expectEffects");
  check(expected);
  const rec = recorder(options?.only);
  const r = (run as (p: unknown, o: RunOptions) => RunResult<unknown>)(
    hidden(explained, rec, program),
    optionsWith(rec, options, true),
  );
  return verdict(rec, expected, r, options?.only !== undefined, true);
}

/**
 * The program under test, as the error of an effect the recorder passed on and nothing took passes
 * out of it: explained (explainUnhandled) there, before the run ends, so that the run's report —
 * `r.format()`, made when it ends — says what `r.error.message` says (it kept the VM's "passed on by
 * a handler … list it before the handler"). verdict explains what did not pass here (a task's).
 */
function* explained(rec: Recorder, p: AnyProgramLike): Generator<unknown, unknown, any> {
  try {
    return yield* p as Iterable<unknown>;
  } catch (u) {
    if (
      u instanceof UnhandledEffectError &&
      rec.entries.some((x) => x.effect === u.effect && x.status === "passed")
    )
      explainUnhandled(u, "expectEffects", true);
    throw u;
  }
}

/** expectEffects' recorder, named so (an effect no handler takes: "performed by handler function expectEffects") */
function recorder(only: ExpectOptions["only"]): Recorder {
  return Object.defineProperty(record(only), "name", { value: "expectEffects" });
}

/** `expectEffects` on `runAsync`: resolves to the `RunResult`, rejects with `EffectExpectationError`. Typed as expectEffects. */
export function expectEffectsAsync<P extends AnyProgramLike | AnyFunction>(
  program: P & TestCoveredProgram<P>,
  expected: readonly EffectExpectation[],
): Promise<RunResult<ResultOf<P>>>;
export function expectEffectsAsync<
  P extends AnyProgramLike | AnyFunction,
  const Hs extends readonly AnyHandlerFn[],
  Patch extends EnvPatch = EnvPatch,
  Keys extends PropertyKey = never,
  O extends object = {},
  // the check, never given: a default, so that TypeScript instantiates it only once the others are
  // inferred (see FirstPass)
  C = FirstPass<Keys, O> extends true ? unknown : TestCovered<P, MaybeNone<Hs, O>, Patch, Keys>,
>(
  program: P & NoInfer<ProgramArg<P>>,
  expected: readonly EffectExpectation[],
  options: CheckedExpectAsyncOptions<C, Hs, Keys, Patch, O>,
): Promise<RunResult<ResultOf<P> | ReturnedBy<Hs>>>;
export async function expectEffectsAsync(
  program: AnyProgramLike,
  expected: readonly EffectExpectation[],
  options?: ExpectOptions,
): Promise<RunResult<unknown>> {
  checkProgram(program, "expectEffectsAsync");
  check(expected);
  const rec = recorder(options?.only);
  const r = await (runAsync as (p: unknown, o: RunOptions) => Promise<RunResult<unknown>>)(
    hidden(explained, rec, program),
    optionsWith(rec, options, false),
  );
  return verdict(rec, expected, r, options?.only !== undefined, false);
}
