/** RunOptions (API §2) and their validation (SEMANTICS §8.1: bad options → TypeError). */
import { describe, notAHandler } from "../vm/brand.js";
import type { Handler } from "../vm/handler.js";
import type { EnvPatch } from "../effects/env-types.js";
import type { Store } from "../effects/state-types.js";
import type { WarningHook, WarningInfo } from "./context.js";
import { isMap, isPlainRecord, ReadOptions, TRACE_OPTIONS } from "./read-options.js";

/**
 * The `trace` run option. Tracing never changes results, stores, logs or ordering.
 *
 * @example
 * ```ts
 * run(main(), { handlers: [state], trace: { sites: true } }); // failure reports name file:line of each yield*
 * ```
 */
export interface TraceOptions {
  /** `true`: print one line per VM step to stderr; a function: receive each line instead. */
  steps?: true | ((line: string) => void);
  /** Record the `file:line` of each `yield*` and show it in failure reports (costs time; off by default). */
  sites?: boolean;
}

/**
 * Options of `run` and `runAsync`. Unknown keys and bad values are a synchronous `TypeError` from
 * `run` (a rejected promise from `runAsync`) naming the option and the fix.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const result = await runAsync(main(), {
 *   handlers: [scheduler, state, reader, writer, realTime],
 *   env: { "db.url": "postgres://localhost/app" },
 *   store: new Map([["count", 0]]),
 *   signal: controller.signal,
 * });
 * ```
 */
export interface RunOptions {
  /**
   * The handlers to run under, outermost first: `handlers: [h0, h1]` is exactly
   * `withHandler(h0, withHandler(h1, program))`.
   */
  handlers?: readonly Handler<any, any>[];
  /**
   * A plain object or a Map with string keys (copied; never mutated). Once `EnvTypes` is declared,
   * an object's keys and values are checked against it, as `local`'s patch is.
   */
  env?: EnvPatch;
  /**
   * A plain object or a Map with string keys (copied; never mutated). Once `StateTypes` is declared,
   * an object's keys and values are checked against it; a Map is accepted unchecked.
   */
  store?: Store | ReadonlyMap<string, unknown>;
  /** Step and site tracing (off by default). */
  trace?: TraceOptions;
  /**
   * Abort the run (SEMANTICS §9.8): when it aborts — before or during the run — the run stops at the
   * next step boundary, its finally blocks run (main finalized, every task cancelled as in R9) and
   * the result is `Err(signal.reason)`.
   */
  signal?: AbortSignal;
  /**
   * Told of each error no program can receive as it becomes known, while the run goes on — the
   * errors `RunResult.warnings` holds when the run ends, for a run that ends late or never (a
   * server, a queue consumer). Called synchronously where the error is found, first for each in the
   * order they go on `RunResult.warnings`, under `run` and `runAsync` alike, never after the run's
   * result is given.
   *
   * A spawned task's error that nothing is waiting for is told at once as `"provisional"` (a later
   * `wait` on the task would still receive it): the earliest point where it is known that no
   * program will is the run's end, since any program holding the task's handle may still wait for
   * it. It is then told again, `"retracted"` if a program received it, else `"final"` as the run
   * ends. Every other warning is told `"final"` once, when it is made. (See {@link WarningInfo}.)
   *
   * A throw from the hook does not stop the run and is not thrown anywhere: it is kept on
   * `RunResult.warnings` itself ("the run option onWarning threw"), without calling the hook again.
   * The hook must not rely on running inside the run: it is a plain function (perform no effect).
   * A promise it returns (an `async` hook) is not awaited by the run; `runAsync`'s result waits for
   * it, a rejection kept as a throw is — once the run's `signal` has aborted, at most `settle` ms
   * more (0: not at all), each promise not waited for a warning. `run` cannot wait: it says so once
   * on the warnings, and ignores the promise.
   *
   * @example
   * ```ts
   * await runAsync(server(), {
   *   handlers: [scheduler, realTime],
   *   onWarning: (error, { where, status }) => {
   *     if (status !== "retracted") logger.error({ where, status, error }); // "provisional": nothing waits for it yet
   *   },
   * });
   * ```
   */
  onWarning?: WarningHook;
  /**
   * `runAsync` only (`run` cannot wait: a compile error, `SettleForRunAsyncError`, when its options
   * set it; a TypeError at run time). Milliseconds, a non-negative finite number;
   * 0 (the default): do not wait. When a run is aborted by its signal, or main ends while tasks still
   * wait in `awaitPromise`, those tasks are cancelled — their thunk's signal aborted, their finally
   * blocks run — but the promise a thunk returned may still be running (a write stream still
   * opening its file). With `settle`, once the run's outcome is decided and every finally block
   * ran, `runAsync` waits up to `settle` ms for the promises of the awaitPromise calls that
   * cancellation abandoned in this run (and for doeff/workers jobs it cancelled, until each job's
   * thread has run its finally blocks or was terminated), then resolves with the result — made
   * then, so the warnings that work reports meanwhile (a cancelled job's finalization) are on it.
   * The promises' outcomes are ignored (a rejection is never unhandled, and no warning). It resolves at once when none is
   * pending, and never waits longer than `settle`.
   *
   * @example
   * ```ts
   * const result = await runAsync(main(), { handlers: [scheduler, realTime], signal, settle: 2000 });
   * await rm(tmpDir, { recursive: true }); // no write abandoned by the abort is still under way
   * ```
   */
  settle?: number;
}

/**
 * Throws a TypeError naming the bad option. `options` is what readOptions gave: a ReadOptions, or
 * anything else as it was given (undefined: no options).
 */
export function checkOptions(options: unknown): asserts options is RunOptions | undefined {
  if (options === undefined) return;
  if (!(options instanceof ReadOptions))
    throw new TypeError(`run options must be an object, got ${describe(options)}`);
  const o = options;
  if (o.unknown !== null) {
    throw new TypeError(
      `unknown run option ${JSON.stringify(o.unknown)}; the options are handlers, env, store, trace, signal, onWarning and settle`,
    );
  }
  if (o.onWarning !== undefined && typeof o.onWarning !== "function") {
    throw new TypeError(
      `run option onWarning must be a function (error, { where, status }) => void, got ${describe(o.onWarning)}`,
    );
  }
  let signalOk = o.signal === undefined;
  try {
    signalOk ||= typeof AbortSignal === "function" && o.signal instanceof AbortSignal;
  } catch {
    // a Proxy whose getPrototypeOf trap throws: no AbortSignal
  }
  if (!signalOk) {
    throw new TypeError(
      `run option signal must be an AbortSignal (e.g. controller.signal of a new AbortController(), or AbortSignal.timeout(ms)), got ${describe(o.signal)}`,
    );
  }
  if (o.handlers !== undefined) {
    if (!Array.isArray(o.handlers)) {
      throw new TypeError(`run option handlers must be an array of handlers, got ${describe(o.handlers)}`);
    }
    // (a for loop, not forEach: forEach skips the holes of a sparse array, `[, state]`, which then
    // failed later as "withHandler expects a handler function", naming no list entry)
    for (let i = 0; i < o.handlers.length; i++) {
      const bad = notAHandler(o.handlers[i], true);
      if (bad !== null) throw new TypeError(`run option handlers[${i}] is ${bad}`);
    }
  }
  // (a copy of a plain object has string keys: nothing to check)
  if ((o.copies & 4) === 0) checkRecord("env", o.env);
  if ((o.copies & 8) === 0) checkRecord("store", o.store);
  if (o.trace !== undefined) {
    const t = o.trace as Record<string, unknown>;
    if (t === null || typeof t !== "object" || Array.isArray(t))
      throw new TypeError(`run option trace must be an object, got ${describe(t)}`);
    for (const key of Object.keys(t))
      if (!TRACE_OPTIONS.includes(key))
        throw new TypeError(
          `unknown trace option ${JSON.stringify(key)}; the trace options are steps and sites`,
        );
    if (t.steps !== undefined && t.steps !== true && t.steps !== false && typeof t.steps !== "function") {
      throw new TypeError("trace.steps must be true or a function (line) => void");
    }
    if (t.sites !== undefined && typeof t.sites !== "boolean")
      throw new TypeError("trace.sites must be a boolean");
  }
}

/** The run option env or store (`key`), unless a copy of a plain object: a Map with string keys. */
function checkRecord(key: string, v: unknown): void {
  if (v === undefined || isPlainRecord(v)) return;
  if (isMap(v)) {
    for (const k of Map.prototype.keys.call(v)) {
      if (typeof k !== "string") {
        throw new TypeError(`run option ${key}: a Map's keys must be strings, got the key ${describe(k)}`);
      }
    }
    return;
  }
  throw new TypeError(
    `run option ${key} must be a plain object ({ key: value }) or a Map with string keys, got ${describe(v)}` +
      (v !== null && typeof v === "object" && !Array.isArray(v)
        ? `; copy its data into one, e.g. { ...obj } or new Map(Object.entries(obj))`
        : ""),
  );
}
