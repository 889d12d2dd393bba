/** RunResult (SEMANTICS §8.4): immutable; `value` throws the error when not ok; the error is never wrapped. */
import { errorLine, printable } from "../trace/format.js";
import { formatReport } from "../trace/report.js";
import type { LogEntry } from "../effects/log-types.js";
import type { Store } from "../effects/state-types.js";
import type { RunWarning } from "./context.js";

const NONE: readonly unknown[] = Object.freeze([]);
/**
 * The keys of what a result holds as own data, for deep equality (see the class's comment): symbols
 * made here, so a result still has no own string key (`Object.keys(r)` is `[]`).
 */
const VALUE: unique symbol = Symbol("value");
const ERROR: unique symbol = Symbol("error");
const STORE: unique symbol = Symbol("store");
const LOG: unique symbol = Symbol("log");
const WARNINGS: unique symbol = Symbol("warnings");
/**
 * format() lists this many of a run's warnings first, and this many last (the rest are counted);
 * tracebackOf keeps the same ones (trace/data.ts warningsData, which writes the numbers out: an
 * import of these cost 12 B gzipped), so the data is as bounded as the text.
 */
const SHOW_FIRST = 20;
const SHOW_LAST = 5;

/**
 * The outcome of `run` / `runAsync` (immutable). A failed run is a result too — `run` never throws for
 * program errors: check `ok`, or read `value`, which throws the original error (never wrapped).
 *
 * @example
 * ```ts
 * const r = run(main(), { handlers: [state, writer], store: { n: 0 } });
 * if (r.ok) console.log(r.value, r.store, r.log);
 * else console.error(r.format()); // the error with doeff's traceback
 * for (const w of r.warnings) console.warn(w); // errors no program could receive
 * ```
 *
 * Two results are deep-equal — `assert.deepStrictEqual`, `util.isDeepStrictEqual`, Jest's and
 * vitest's `toEqual` and `toStrictEqual` — when they hold the same: both ok with equal values, or both
 * failed with equal errors (equal as the comparer compares errors), and equal `store`, `log` and
 * `warnings`. A value never equals an error, even the same object thrown. The comparer finds these
 * as the result's own properties, keyed by symbols (its members are accessors, which comparers do
 * not read; nothing else is to be read or written there): node's legacy `assert.deepEqual` (not
 * `node:assert/strict`) leaves symbol keys out, so to it any two results are equal.
 */
// Immutable by construction rather than by Object.freeze: every member is an accessor or method over
// private fields, so assigning `ok` throws in strict code and nothing it reports can change.
// Freezing each result cost ~35 ns per run (a runtime call on V8 11), more than the whole
// `run(pure(v))` shortcut (issue 13, target 6). What it returns — `store`, `log`, `warnings` — is
// frozen, as before. Its own properties are for deep equality only, which compares own data: the
// outcome under VALUE or ERROR (set here: one store, which costs `run(pure(v))` nothing measurable),
// then the state map, log and warnings when not empty (resultOf). No member reads them, so writing
// them (reflection on purpose) changes nothing a result reports; the state map and log are the run's
// own (made for it, and the run is over), never the Map that every `run(pure(v))` result shares.
export class RunResult<T = unknown> {
  readonly #ok: boolean;
  readonly #outcome: unknown; // the value when ok, else the error
  readonly #report: string | null;
  // The run's final state map and log, copied on first read (a run's result is often only checked
  // for its value): the run is over, so nothing changes them any more.
  readonly #state: ReadonlyMap<string, unknown>;
  readonly #log: readonly unknown[];
  #storeCopy: Readonly<Record<string, unknown>> | null = null;
  #logCopy: readonly unknown[] | null = null;
  #warningsCopy: readonly unknown[] | null = null;
  readonly #warnings: readonly RunWarning[] | null;

  /** @hidden Results are made by run and runAsync. */
  constructor(
    ok: boolean,
    valueOrError: unknown,
    state: ReadonlyMap<string, unknown>,
    log: readonly unknown[],
    report: string | null,
    warnings: readonly RunWarning[] | null = null,
  ) {
    this.#ok = ok;
    this.#outcome = valueOrError;
    this.#report = report;
    this.#state = state;
    this.#log = log;
    this.#warnings = warnings;
    // the outcome as own data, for deep equality (the class comment); the rest: seeBeside
    (this as unknown as Record<symbol, unknown>)[ok ? VALUE : ERROR] = valueOrError;
  }

  /** Whether the run ended with a value (`true`) or an error (`false`). */
  get ok(): boolean {
    return this.#ok;
  }

  /** The error the run ended with (the original object, never wrapped); `undefined` when ok. */
  get error(): unknown {
    return this.#ok ? undefined : this.#outcome;
  }

  /**
   * Errors the run could not deliver to any program, kept beside its outcome (never dropped): an
   * error thrown by a finally block of a task cancelled because main finished (SEMANTICS §9.4, R9),
   * because the run was aborted (§9.8), or by a program (`cancel`, a combinator, `scoped`) when no
   * `wait` / `gather` / `race` received it afterwards; the error of a task that failed when
   * nothing waited for it; an error thrown by a finally block after its handler failed; an error
   * thrown by an `observe` callback; and one `DoeffError` for the `tell` entries of spawned tasks
   * that nothing collected ("the log of task 2 was never collected": wait for the task to keep
   * them). In the order they happened; each is the original error object. Empty (and frozen) for
   * most runs; `format()` lists them (the first 20 and the last 5 of more than 26, the others
   * counted). The run option `onWarning` is told of each as it happens, with its `where` (what
   * threw it, as `format()` says: `task 2 failed and nothing waited for it`);
   * `tracebackOf(r).warnings` has the same `where` typed, beside each error as data.
   */
  // No second accessor with each `where`: the errors themselves are what a
  // program checks (`instanceof`, rethrow), and `where` already has two typed ways out — every one
  // through onWarning as it happens, and tracebackOf's TraceWarning for the report (capped as
  // format() is) — while an accessor on this class would be bytes in every bundle that runs.
  get warnings(): readonly unknown[] {
    if (this.#warningsCopy === null) {
      const ws = this.#warnings;
      this.#warningsCopy = ws === null ? NONE : Object.freeze(ws.map((w) => w.error));
    }
    return this.#warningsCopy;
  }

  /**
   * A frozen plain-object copy of the main task's final state (also on failure). Typed by
   * `StateTypes` once declared (each key may be absent).
   */
  get store(): Store {
    if (this.#storeCopy === null) this.#storeCopy = Object.freeze(Object.fromEntries(this.#state));
    return this.#storeCopy as Store;
  }

  /** A frozen copy of the main task's writer log. Typed by `LogTypes` once declared. */
  get log(): readonly LogEntry[] {
    if (this.#logCopy === null) this.#logCopy = Object.freeze(this.#log.slice());
    return this.#logCopy as readonly LogEntry[];
  }

  /** The value, or throws the error when the run failed. */
  get value(): T {
    if (!(#ok in this)) return (this as unknown as Record<symbol, T>)[OK_VALUE]!; // Jest's copy (below)
    if (!this.#ok) throw this.#outcome;
    return this.#outcome as T;
  }

  isOk(): this is RunResult<T> & { readonly ok: true; readonly error: undefined } {
    return this.#ok;
  }

  isErr(): this is RunResult<T> & { readonly ok: false } {
    return !this.#ok;
  }

  /**
   * A human-readable report: the value, or the error with the effect traceback; then the warnings,
   * each with its traceback when known — the first 20 and the last 5 when there are more than 26
   * (`… N more …` between them), so that 10,000 failed tasks
   * still make a report of a few kilobytes.
   */
  format(): string {
    const main = this.#report ?? formatReport(this.#ok, this.#outcome);
    const ws = this.#warnings;
    if (ws === null) return main;
    const lines = [
      main,
      `── ${ws.length} error${ws.length === 1 ? "" : "s"} beside the outcome (RunResult.warnings) ──`,
    ];
    // the first and the last few: 10,000 tasks that failed made a report of megabytes, one that a
    // log line or a terminal cannot take; the rest are where the heading says
    const n = ws.length;
    for (let i = 0; i < n; i++) {
      if (i === SHOW_FIRST && n > SHOW_FIRST + SHOW_LAST + 1) {
        i = n - SHOW_LAST;
        lines.push(`… ${i - SHOW_FIRST} more …`);
      }
      const w = ws[i]!;
      lines.push(`${w.where}: ${describeError(w.error)}`);
      if (w.trace !== undefined) lines.push(w.trace);
    }
    return lines.join("\n");
  }
}

/**
 * `Name: message` of an error; any other thrown value as the report of a run that failed with it
 * shows it (`thrown: {"code":42}`, `thrown: undefined`), with the report's error line. Never throws: a hostile error
 * object gets a placeholder.
 */
export function describeError(e: unknown): string {
  try {
    if (e instanceof Error) return printable(`${e.name}: ${e.message}`);
    return errorLine(e);
  } catch {
    return "(an error object that cannot be printed)";
  }
}

// Jest's diff (jest-matcher-utils 30, deepCyclicCopyReplaceable) copies each value before printing
// it: an object's own and inherited accessors are read and become writable data on a copy that
// keeps the prototype; the copy's `toJSON` is what pretty-format prints, and the expected value's
// keys are read from it and written on it (to line asymmetric matchers up). It read `value`, which
// throws a failed run's error: that error replaced the assertion's diff. The list under
// `@jest/serializableProperties` is what Jest copies instead. It is asked of the instance and then
// of the prototype (one list for both), so it leaves `value` out and names it by a symbol whose
// getter never throws (`undefined` for a failed run); on a copy, `value` is read from that and
// writing it makes it the copy's own, so the hooks below work on a copy as on a result.
const OK_VALUE: unique symbol = Symbol("RunResult value when ok");
Object.defineProperties(RunResult.prototype, {
  [OK_VALUE]: {
    get(this: RunResult) {
      return this.ok ? this.value : undefined;
    },
  },
  [Symbol.for("@jest/serializableProperties")]: {
    value: Object.freeze(["ok", "error", OK_VALUE, "store", "log", "warnings"]),
  },
  value: {
    get: Object.getOwnPropertyDescriptor(RunResult.prototype, "value")!.get!,
    set(this: object, v: unknown) {
      // a result stays immutable (V8's own message, as for its other accessors); a copy has own `ok`
      if (!Object.hasOwn(this, "ok")) {
        throw new TypeError("Cannot set property value of #<RunResult> which has only a getter");
      }
      Object.defineProperty(this, "value", { value: v, writable: true, configurable: true });
    },
  },
  // `console.log(result)` in Node shows the outcome, not an empty-looking object (every member is an
  // accessor): `RunResult { ok: true, value: 1 }`. Defined off the class so the `.d.ts` stays the API.
  // chai's own copy of loupe (chai 5, under vitest's `expect`) calls the hook without Node's `inspect`:
  // then the plain object is returned, which loupe prints itself (a TypeError "inspect is not a
  // function" took the place of the assertion's message). `depth` is what is left of the caller's
  // depth (`options.depth` is the depth it was given): beyond it a result is `[RunResult]`, as any
  // object there is `[Object]`; within it the outcome goes as deep as a plain object in its place.
  [Symbol.for("nodejs.util.inspect.custom")]: {
    value(
      this: RunResult,
      depth: number | null,
      options: { stylize?: (s: string, style: string) => string },
      inspect?: (v: unknown, o: object) => string,
    ) {
      const shown: Record<string, unknown> = this.ok
        ? { ok: true, value: this.value }
        : { ok: false, error: this.error };
      if (this.warnings.length > 0) shown.warnings = this.warnings;
      if (typeof inspect !== "function") return shown;
      if (depth! < 0) return options.stylize?.("[RunResult]", "special") ?? "[RunResult]";
      return `RunResult ${inspect(shown, { ...options, depth })}`;
    },
  },
  // Test runners print a failed assertion's values by walking their own properties, and a RunResult
  // has none (private fields behind accessors). vitest's diff copied it as `Object.create(its
  // prototype)` whenever Object.prototype.toString said "[object Object]", then read `ok` on the copy,
  // whose private fields do not exist: "Cannot read private member #ok" replaced the test's failure.
  // Its own tag makes such cloners keep the instance, and `toJSON` (which pretty-format, vitest's
  // and Jest's printer, and JSON.stringify call) gives what the result holds, so a diff shows it.
  // Printers call `toJSON()` and print the very error (`[Error: card declined]`); JSON.stringify calls
  // it with a key (a string), and would write an Error as `{}` (its name and message are not own
  // enumerable data): there each error becomes `{ name, message, cause? }`.
  [Symbol.toStringTag]: { value: "RunResult" },
  toJSON: {
    value(this: RunResult, key?: unknown): Record<string, unknown> {
      const json = typeof key === "string";
      return {
        ...(this.ok
          ? { ok: true, value: this.value }
          : { ok: false, error: json ? errorJSON(this.error) : this.error }),
        store: this.store,
        log: this.log,
        warnings: json ? this.warnings.map((w) => errorJSON(w)) : this.warnings,
      };
    },
  },
});

/** an Error as JSON data, `{ name, message }` and its cause likewise (a few deep); anything else as it is */
function errorJSON(e: unknown, depth = 0): unknown {
  return e instanceof Error
    ? {
        name: e.name,
        message: e.message,
        ...(e.cause !== undefined && depth < 8 && { cause: errorJSON(e.cause, depth + 1) }),
      }
    : e;
}

// A failed result answers `value` by throwing its error, and Jest's toMatchObject (and vitest's)
// reads each key it is given that the result has — `hasPropertyInObject`: own, or on a prototype,
// walking the prototypes while they are objects (@jest/expect-utils 30) — so matching a failed
// result against `{ value: … }` threw the run's error in place of the diff. A failed result is a
// Failed: its prototype has every member of RunResult.prototype but `value`, and sits on a function
// object whose prototype is RunResult.prototype. Reading `value` goes on to RunResult.prototype's
// (which throws the error) and `instanceof RunResult` holds, but that walk stops at the function
// (not an object): `value` is not a key it finds, and the match fails with its diff. An ok result's
// prototype is RunResult.prototype itself: nothing changes for `run(pure(v))`. (A subclass, not
// Reflect.construct with another new.target: that took ~12 µs a result on V8 11, a new map each.)
class Failed<T> extends RunResult<T> {}
const beneath = Object.setPrototypeOf(() => {}, RunResult.prototype) as { name?: string; length?: number };
delete beneath.name; // (a result has neither)
delete beneath.length;
Object.setPrototypeOf(Failed.prototype, beneath);
for (const k of Reflect.ownKeys(RunResult.prototype)) {
  // (its constructor too: a failed result's is RunResult)
  if (k !== "value")
    Object.defineProperty(Failed.prototype, k, Object.getOwnPropertyDescriptor(RunResult.prototype, k)!);
}

/**
 * @internal The result of a run that ended (run.ts). Beside the outcome (the constructor's), what it
 * holds as own data for deep equality (see RunResult): the main task's state map, its log and its
 * warnings' errors, each only when not empty, as in the result of `run(pure(v))`, which has none
 * (those lines in the constructor stopped it being inlined into `run(pure(v))`, whose result then
 * cost an allocation: ~1 ns more per run, measured on V8 11).
 */
export function resultOf<T>(
  ok: boolean,
  valueOrError: unknown,
  state: ReadonlyMap<string, unknown>,
  log: readonly unknown[],
  report: string | null,
  warnings: readonly RunWarning[] | null,
): RunResult<T> {
  const r = new (ok ? RunResult<T> : Failed<T>)(ok, valueOrError, state, log, report, warnings);
  const own = r as unknown as Record<symbol, unknown>;
  if (state.size !== 0) own[STORE] = state;
  if (log.length !== 0) own[LOG] = log;
  if (warnings !== null) own[WARNINGS] = r.warnings;
  return r;
}
