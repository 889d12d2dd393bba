/**
 * `expectEffects(program, expected, options?)`: run a program with a recorder innermost and check the
 * effects it performed, in order, against a list of expectations.
 */
import { describe } from "../vm/brand.js";
import type { Handler } from "../vm/handler.js";
import type { RunOptions } from "../run/options.js";
import type { RunResult } from "../run/result.js";
import { run, runAsync } from "../run/run.js";
import type { AnyProgramLike, ResultOf } from "../vm/types.js";
import { type Recorder, type RecordFilter, record } from "./record.js";
import { fieldDifference, showEffectFields } from "./show.js";

/**
 * One expected effect: an effect instance (matches an effect of the same class whose own fields are
 * equal — deeply for plain objects and arrays, by identity for anything else), an effect class
 * (matches any instance), or a predicate `(effect) => boolean`.
 */
export type EffectExpectation = object | Function | ((effect: unknown) => boolean);

/** Thrown by `expectEffects` when the performed effects differ from the expected ones. */
export class EffectExpectationError extends Error {
  /** The effects the program performed, in order. */
  readonly actual: readonly unknown[];
  /** The run's result, for further inspection. */
  readonly result: RunResult<unknown>;
  constructor(message: string, actual: readonly unknown[], result: RunResult<unknown>) {
    super(message);
    this.name = "EffectExpectationError";
    this.actual = actual;
    this.result = result;
  }
}

function isClass(f: unknown): f is Function {
  if (typeof f !== "function") return false;
  const proto = (f as { prototype?: unknown }).prototype;
  return proto !== null && typeof proto === "object" && /^class\b/.test(Function.prototype.toString.call(f));
}

function equal(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => equal(x, b[i]));
  }
  const pa = Object.getPrototypeOf(a);
  if (pa !== Object.getPrototypeOf(b)) return false;
  if (pa !== Object.prototype && pa !== null) return false; // class instances: identity only
  return sameFields(a, b);
}

function sameFields(a: object, b: object): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every(
      (k) =>
        Object.hasOwn(b, k) && equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    )
  );
}

function matches(expected: EffectExpectation, actual: unknown): boolean {
  if (isClass(expected)) return actual instanceof expected;
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
  if (typeof expected === "function") return `an effect matching ${expected.name || "a predicate"}`;
  return showEffectFields(expected);
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
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    if (i >= expected.length)
      return `effect #${i + 1}: expected no more effects, got ${showEffectFields(actual[i])}`;
    if (i >= actual.length)
      return `effect #${i + 1}: expected ${show(expected[i]!)}, but the program performed only ${actual.length}`;
    if (!matches(expected[i]!, actual[i])) {
      const e = expected[i]!;
      const a = actual[i];
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

function check(expected: unknown): asserts expected is readonly EffectExpectation[] {
  if (!Array.isArray(expected))
    throw new TypeError(
      `expectEffects expects an array of expected effects second, got ${describe(expected)}`,
    );
  expected.forEach((e, i) => {
    if (e === null || (typeof e !== "object" && typeof e !== "function"))
      throw new TypeError(
        `expectEffects: expected[${i}] is ${describe(e)}; use an effect instance, an effect class or a predicate`,
      );
  });
}

function verdict<T>(rec: Recorder, expected: readonly EffectExpectation[], r: RunResult<T>): RunResult<T> {
  const diff = compareEffects(expected, rec.effects);
  if (diff === null) return r;
  const list = rec.effects.map((e, i) => `  ${i + 1}. ${showEffectFields(e)}`).join("\n");
  throw new EffectExpectationError(
    `${diff}\nperformed effects:\n${list === "" ? "  (none)" : list}`,
    rec.effects,
    r as RunResult<unknown>,
  );
}

/**
 * `expectEffects`' options: the run's, plus `only` — which effects to check (as `record(only)`:
 * classes or a predicate), so the scheduler effects of a `timeout` or a `retry` need not be listed.
 */
export type ExpectOptions = RunOptions & { readonly only?: RecordFilter };

function optionsWith(rec: Recorder, options: ExpectOptions | undefined): RunOptions {
  const { only: _, ...rest } = options ?? {};
  return { ...rest, handlers: [...(options?.handlers ?? []), rec as Handler] };
}

/**
 * Runs `program` with `run` and the `options` given, plus a recorder installed innermost, and checks
 * that the effects it performed are exactly `expected`, in order. Returns the `RunResult` (a failed
 * run is returned, not thrown, so a test can assert on it); throws `EffectExpectationError` naming
 * the first difference and listing the performed effects otherwise.
 *
 * @example
 * ```ts
 * expectEffects(counter, [new Get("n"), new Put("n", 1)], { handlers: [state], store: { n: 0 } });
 * expectEffects(counter, [Get, Put], { handlers: [state], store: { n: 0 } }); // by class
 * ```
 */
export function expectEffects<P extends AnyProgramLike>(
  program: P,
  expected: readonly EffectExpectation[],
  options?: ExpectOptions,
): RunResult<ResultOf<P>> {
  check(expected);
  const rec = recorder(options?.only);
  const r = (run as (p: unknown, o: RunOptions) => RunResult<ResultOf<P>>)(
    program,
    optionsWith(rec, options),
  );
  return verdict(rec, expected, r);
}

/** expectEffects' recorder, named so (an effect no handler takes: "performed by handler function expectEffects") */
function recorder(only: ExpectOptions["only"]): Recorder {
  return Object.defineProperty(record(only), "name", { value: "expectEffects" });
}

/** `expectEffects` on `runAsync`: resolves to the `RunResult`, rejects with `EffectExpectationError`. */
export async function expectEffectsAsync<P extends AnyProgramLike>(
  program: P,
  expected: readonly EffectExpectation[],
  options?: ExpectOptions,
): Promise<RunResult<ResultOf<P>>> {
  check(expected);
  const rec = recorder(options?.only);
  const r = await (runAsync as (p: unknown, o: RunOptions) => Promise<RunResult<ResultOf<P>>>)(
    program,
    optionsWith(rec, options),
  );
  return verdict(rec, expected, r);
}
