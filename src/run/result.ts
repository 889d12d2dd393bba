/** RunResult (SEMANTICS §8.4): frozen; `value` throws the error when not ok; the error is never wrapped. */
import { formatReport } from "../trace/report.js";

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

  /** @internal */
  constructor(
    ok: boolean,
    valueOrError: unknown,
    state: ReadonlyMap<string, unknown>,
    log: readonly unknown[],
    report: string | null,
  ) {
    this.ok = ok;
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
    return this.#report ?? formatReport(this.ok, this.ok ? this.#value : this.error);
  }
}
