/** The check of a program argument that spawn and the toolkit make (SEMANTICS §1: at the call). */
import { isProgramLike } from "../vm/brand.js";
import { checkProgramLike } from "../vm/primitives.js";

/**
 * @internal checkProgramLike for spawn and the toolkit, which run a program as a task: effection's
 * `spawn(() => op)` and redux-saga's `fork(fn)` take a function there, so a function is what their
 * users pass first, and "got function (anonymous)" did not say what to pass instead. (Kept out of
 * checkProgramLike, and of src/concurrency/check.ts, so that the small import does not carry it, nor
 * the whole package the toolkit's checks.)
 */
export function checkProgramArg(p: unknown, where: string): void {
  if (typeof p === "function" && !isProgramLike(p)) {
    const name = p.name || "(anonymous)";
    throw new TypeError(
      Object.getPrototypeOf(p) === Object.getPrototypeOf(function* () {})
        ? `${where} expects a Program, Effect or primitive, got the generator function ${name}: pass program(function* () {…}), or job(…) of const job = fn(function* job(…) {…})`
        : `${where} expects a Program, Effect or primitive, got function ${name}: pass the program itself, job(…), not () => job(…) (effection's spawn takes a function, doeff's the program)`,
    );
  }
  checkProgramLike(p, where);
}
