/** RunResult (SEMANTICS §8.4): frozen; `value` throws the error when not ok; the error is never wrapped. */
import { formatReport } from "../trace/report.js";
import type { RunWarning } from "./context.js";

const NONE: readonly unknown[] = Object.freeze([]);

/**
 * The outcome of `run` / `runAsync` (frozen). A failed run is a result too — `run` never throws for
 * program errors: check `ok`, or read `value`, which throws the original error (never wrapped).
 *
 * @example
 * ```ts
 * const r = run(main(), { handlers: [state, writer], store: { n: 0 } });
 * if (r.ok) console.log(r.value, r.store, r.log);
 * else console.error(r.format()); // the error with doeff's traceback
 * for (const w of r.warnings) console.warn(w); // errors no program could receive
 * ```
 */
export class RunResult<T = unknown> {
  readonly ok: boolean;
  readonly error: unknown;
  readonly #value: T | undefined;
  readonly #report: string | null;
  // The run's final state map and log, copied on first read (a run's result is often only checked
  // for its value): the run is over, so nothing changes them any more.
  readonly #state: ReadonlyMap<string, unknown>;
  readonly #log: readonly unknown[];
  #storeCopy: Readonly<Record<string, unknown>> | null = null;
  #logCopy: readonly unknown[] | null = null;
  readonly #warnings: readonly RunWarning[] | null;
  /**
   * Errors the run could not deliver to any program, kept beside its outcome (never dropped): an
   * error thrown by a finally block of a task cancelled because main finished (SEMANTICS §9.4, R9)
   * or because the run was aborted (§9.8), in the order they happened. Each is the original error
   * object. Empty for most runs; `format()` lists them.
   */
  readonly warnings: readonly unknown[];

  /** @hidden Results are made by run and runAsync. */
  constructor(
    ok: boolean,
    valueOrError: unknown,
    state: ReadonlyMap<string, unknown>,
    log: readonly unknown[],
    report: string | null,
    warnings: readonly RunWarning[] | null = null,
  ) {
    this.ok = ok;
    this.#warnings = warnings;
    this.warnings = warnings === null ? NONE : Object.freeze(warnings.map((w) => w.error));
    this.#report = report;
    this.#value = ok ? (valueOrError as T) : undefined;
    this.error = ok ? undefined : valueOrError;
    this.#state = state;
    this.#log = log;
    Object.freeze(this);
  }

  /** A frozen plain-object copy of the main task's final state (also on failure). */
  get store(): Readonly<Record<string, unknown>> {
    if (this.#storeCopy === null) this.#storeCopy = Object.freeze(Object.fromEntries(this.#state));
    return this.#storeCopy;
  }

  /** A frozen copy of the main task's writer log. */
  get log(): readonly unknown[] {
    if (this.#logCopy === null) this.#logCopy = Object.freeze(this.#log.slice());
    return this.#logCopy;
  }

  /** The value, or throws the error when the run failed. */
  get value(): T {
    if (!this.ok) throw this.error;
    return this.#value as T;
  }

  isOk(): this is RunResult<T> & { readonly ok: true; readonly error: undefined } {
    return this.ok;
  }

  isErr(): this is RunResult<T> & { readonly ok: false } {
    return !this.ok;
  }

  /** A human-readable report: the value, or the error with the effect traceback. */
  format(): string {
    const main = this.#report ?? formatReport(this.ok, this.ok ? this.#value : this.error);
    const ws = this.#warnings;
    if (ws === null) return main;
    const lines = [
      main,
      `── ${ws.length} error${ws.length === 1 ? "" : "s"} beside the outcome (RunResult.warnings) ──`,
    ];
    for (const w of ws) lines.push(`${w.where}: ${describeError(w.error)}`);
    return lines.join("\n");
  }
}

/** `Name: message` of an error (never throws: a hostile error object gets a placeholder). */
function describeError(e: unknown): string {
  try {
    if (e instanceof Error) return `${e.name}: ${e.message}`;
    return `thrown ${typeof e === "string" ? JSON.stringify(e) : String(e)}`;
  } catch {
    return "(an error object that cannot be printed)";
  }
}
