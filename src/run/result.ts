/** RunResult (SEMANTICS §8.4): frozen; `value` throws the error when not ok; the error is never wrapped. */
import { formatReport } from "../trace/report.js";

export class RunResult<T = unknown> {
  readonly ok: boolean;
  readonly error: unknown;
  readonly store: Readonly<Record<string, unknown>>;
  readonly log: readonly unknown[];
  readonly #value: T | undefined;
  readonly #report: string | null;

  /** @internal */
  constructor(
    ok: boolean,
    valueOrError: unknown,
    store: Record<string, unknown>,
    log: unknown[],
    report: string | null,
  ) {
    this.ok = ok;
    this.#report = report;
    this.#value = ok ? (valueOrError as T) : undefined;
    this.error = ok ? undefined : valueOrError;
    this.store = Object.freeze(store);
    this.log = Object.freeze(log);
    Object.freeze(this);
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
