/** safe(p) (SEMANTICS §7.6): a Program (no handler needed) that turns p's error into a value. */
import { checkProgramArg } from "./program-arg.js";
import { formatFailure } from "../trace/format.js";
import type { Origin } from "../trace/origin.js";
import { originOf } from "../vm/introspect.js";
import { hidden, type Program, type ProgramLikeOf } from "../vm/program.js";
import type { AnyFunction, AnyProgramLike, EffectsOf, ProgramArg, ResultOf } from "../vm/types.js";

/** A successful outcome of `safe(program)`: `{ ok: true, value }`. */
export class Ok<T> {
  readonly ok = true as const;
  constructor(readonly value: T) {
    Object.freeze(this);
  }
  isOk(): this is Ok<T> {
    return true;
  }
  isErr(): this is Err {
    return false;
  }
  get error(): undefined {
    return undefined;
  }
}
/** Where an Err's error was seen first, for tracebackOf (trace/data.ts): a private field's reader. */
export let errOrigin: (r: Err) => Origin | null;
/** A failed outcome of `safe(program)`: `{ ok: false, error }`, `error` being the very object thrown. */
export class Err {
  readonly ok = false as const;
  // where the run saw the error first (safe's catch asks the VM); not a property, so an Err still
  // prints and compares as `{ ok: false, error }`
  readonly #origin: Origin | null;
  /** @hidden `safe` makes these; `new Err(error)` is an Err whose `format()` has no traceback. */
  constructor(
    readonly error: unknown,
    origin: Origin | null = null,
  ) {
    this.#origin = origin;
    Object.freeze(this);
  }
  /**
   * The error's traceback, as `RunResult.format()` prints a failed run's: the program chain where
   * it was thrown (outermost first, from main or its task), the failing effect with the handlers it
   * visited, then the error. For an error caught inside a long-lived run — a server's request, a
   * job — that the run itself never fails with. (A rejection or a value that the run never saw
   * thrown reads as the error alone.)
   *
   * @example
   * ```ts
   * const r = yield* safe(handleRequest(req));
   * if (!r.ok) console.error(r.format());
   * ```
   */
  format(): string {
    try {
      return formatFailure(this.#origin, this.error);
    } catch {
      return "doeff traceback unavailable: the error object cannot be inspected (its properties throw)";
    }
  }
  isOk(): this is Ok<never> {
    return false;
  }
  isErr(): this is Err {
    return true;
  }
  static {
    errOrigin = (r) => r.#origin;
  }
}
/**
 * What `safe(program)` answers: `Ok<T>` or `Err`. Narrow with `ok`, `isOk()` or `isErr()`.
 *
 * @example
 * ```ts
 * const r = yield* safe(loadConfig());
 * const config = r.ok ? r.value : defaults;
 * ```
 */
export type Result<T> = Ok<T> | Err;

function* safeGen<T>(p: ProgramLikeOf<T>): Generator<unknown, Result<T>, any> {
  try {
    return new Ok<T>(yield p);
  } catch (e) {
    // finalization is a return(), not an error, so it is never caught here
    return new Err(e, yield originOf(e));
  }
}

/** Run `p`; answer Ok(value) or Err(error). State and log are not rolled back. */
export function safe<P extends AnyProgramLike | AnyFunction>(
  p: P & NoInfer<ProgramArg<P>>,
): Program<Result<ResultOf<P>>, EffectsOf<P>> {
  checkProgramArg(p, "safe");
  return hidden(safeGen<ResultOf<P>>, p as ProgramLikeOf<ResultOf<P>>) as Program<
    Result<ResultOf<P>>,
    EffectsOf<P>
  >;
}
