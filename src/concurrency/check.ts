/**
 * Argument checks of the toolkit (SEMANTICS §9.8: validated at the call, before any task starts).
 * Each throws a TypeError / RangeError whose message says how to fix the call.
 */
import { describe, isProgramLike } from "../vm/brand.js";
import { checkProgramArg } from "../effects/program-arg.js";
import type { AnyProgramLike } from "../vm/types.js";

/** The programs of `all` / `raceAll` as an array (any iterable is accepted; it is read once, now). */
export function programList(programs: unknown, where: string): AnyProgramLike[] {
  if (
    programs === null ||
    programs === undefined ||
    typeof programs === "function" || // (fn's result is iterable, only to say it was not called)
    typeof (programs as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== "function" ||
    typeof programs === "string"
  ) {
    throw new TypeError(
      `${where} expects an array (or another iterable) of programs, e.g. ${where}([a(), b()]), got ${describe(programs)}`,
    );
  }
  // (a program is iterable itself — for yield* — so all(p) would read as all([p]))
  if (isProgramLike(programs))
    throw new TypeError(
      `${where} expects an array of programs, got a single ${describe(programs)}: put the programs in one array, ${where}([a, b])`,
    );
  const list = Array.from(programs as Iterable<unknown>);
  // (the message's name of the item is made only for one that fails: not a string per program)
  for (let i = 0; i < list.length; i++)
    if (!isProgramLike(list[i])) checkProgramArg(list[i], `${where} (item ${i})`);
  return list as AnyProgramLike[];
}

/**
 * The programs of `all({ a, b })` / `raceAll({ a, b })` and their keys, in `Object.keys` order; null
 * when `programs` is not a plain object (an array, a Set: the iterable path, with its errors).
 */
export function programRecord(
  programs: unknown,
  where: string,
): { keys: string[]; list: AnyProgramLike[] } | null {
  const proto = programs !== null && typeof programs === "object" ? Object.getPrototypeOf(programs) : 0;
  if ((proto !== Object.prototype && proto !== null) || isProgramLike(programs)) return null;
  const keys = Object.keys(programs as object);
  const list = keys.map((key) => {
    const p = (programs as Record<string, unknown>)[key];
    if (!isProgramLike(p)) checkProgramArg(p, `${where} (key ${JSON.stringify(key)})`);
    return p as AnyProgramLike;
  });
  return { keys, list };
}

/**
 * An options argument: undefined or a plain object with only the given keys. `advice`: what to write
 * instead of an option that is not one (another library's habit: retry's `schedule`), by its name.
 */
export function optionsObject(
  options: unknown,
  where: string,
  keys: readonly string[],
  advice?: Readonly<Record<string, string>>,
): Record<string, unknown> {
  if (options === undefined) return {};
  const program = isProgramLike(options);
  // (a program where the options go: all(a, b) and forEachAsync's two arguments get a fix of their
  // own; elsewhere — createChannel(p), retry(p, q) — what the options are)
  if (program && where === "all")
    throw new TypeError(
      "all takes its programs as one array, and options second: write all([a, b]), not all(a, b)",
    );
  if (program && where === "forEachAsync")
    throw new TypeError(
      "forEachAsync takes an async iterable, a function that makes each item's program, and options third: forEachAsync(lines, (line) => work(line), { concurrency: 4 })",
    );
  if (options === null || typeof options !== "object" || Array.isArray(options) || program) {
    throw new TypeError(
      `${where} options must be an object ({ ${keys.join(", ")} }), got ${program ? "a " : ""}${describe(options)}`,
    );
  }
  for (const key of Object.keys(options)) {
    if (!keys.includes(key))
      throw new TypeError(
        `unknown ${where} option ${JSON.stringify(key)}; the options are ${keys.join(", ")}${advice !== undefined && Object.hasOwn(advice, key) ? `: ${advice[key]}` : ""}`,
      );
  }
  return options as Record<string, unknown>;
}

/** `concurrency`: an integer ≥ 1, or Infinity (the default: unbounded). */
export function concurrencyOption(options: unknown, where: string): number {
  const c = optionsObject(options, where, ["concurrency"]).concurrency;
  if (c === undefined) return Infinity;
  if (typeof c !== "number")
    throw new TypeError(
      `${where} option concurrency must be a number (an integer ≥ 1, or Infinity), got ${describe(c)}`,
    );
  if (c !== Infinity && (!Number.isInteger(c) || c < 1)) {
    throw new RangeError(
      `${where} option concurrency must be an integer ≥ 1 (or Infinity for no limit), got ${String(c)}`,
    );
  }
  return c;
}

/** A duration in ms: a finite number ≥ 0. */
export function milliseconds(ms: unknown, where: string): number {
  if (typeof ms !== "number")
    throw new TypeError(`${where} expects a number of milliseconds, got ${describe(ms)}${inMs(ms)}`);
  if (!Number.isFinite(ms) || ms < 0)
    throw new RangeError(`${where} expects a finite number of milliseconds ≥ 0, got ${String(ms)}`);
  return ms;
}

/** A function argument. */
export function functionArg<F>(f: unknown, where: string, example: string): F {
  if (typeof f !== "function")
    throw new TypeError(`${where} expects a function, e.g. ${example}, got ${describe(f)}`);
  return f as F;
}

// (the prototypes of every `function*` and `async function*`: how a generator function is told
// from a function that makes programs, such as fn's result, without calling it)
const generatorFunction: unknown = Object.getPrototypeOf(function* () {});
const asyncGeneratorFunction: unknown = Object.getPrototypeOf(async function* () {});

/**
 * The function of forEach / forEachAsync / forEachLatest, which makes each item's program. A bare
 * generator function is the first thing a user writes there (Effect's forEach takes a function
 * returning an Effect, effection's a generator function): said at the call, with the fix, rather
 * than as "(item 0) got a raw generator object" — or not at all before the first item arrives.
 * `example` is the call written with fn, e.g. `forEach(files, fn(function* one(file) { … }))`.
 */
export function programFunction<F>(f: unknown, where: string, example: string, plain: string): F {
  functionArg(f, where, plain);
  const proto: unknown = Object.getPrototypeOf(f);
  if (proto === generatorFunction)
    throw new TypeError(
      `${where}'s function is a generator function (function* …), whose calls make raw generator objects, not programs: wrap it with fn, e.g. ${example}`,
    );
  if (proto === asyncGeneratorFunction)
    throw new TypeError(
      `${where}'s function is an async generator function (async function* …): a program cannot await; write ${example} and bring a promise in with yield* awaitPromise(() => promise)`,
    );
  return f as F;
}

/**
 * What to write instead of a duration given as a string, after the message's "got …": the number of
 * ms it means when it reads as one (Effect's `"100 millis"`: `: write 100`; `"2 seconds"`, `"5s"`,
 * `"1.5 hours"`), else that durations are numbers; "" for a value that is not a string.
 */
export function inMs(v: unknown): string {
  if (typeof v !== "string") return "";
  const m =
    /^\s*(\d+(?:\.\d+)?)\s*(?:ms|millis?|milliseconds?|(s|secs?|seconds?)|(m|mins?|minutes?)|(h|hours?))?\s*$/i.exec(
      v,
    );
  return m === null
    ? " (a duration is a number of milliseconds here, not a string: e.g. 100)"
    : `: write ${Math.round(Number(m[1]) * (m[2] ? 1e3 : m[3] ? 6e4 : m[4] ? 36e5 : 1))} (a duration is a number of milliseconds here, not a string)`;
}
