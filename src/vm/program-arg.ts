/**
 * The check of a program argument that spawn, the toolkit and createContinuation make (SEMANTICS §1:
 * at the call). In vm/ because createContinuation is (vm/ imports nothing of effects/); only the
 * modules that use it carry it, never the small import (withHandler's checkProgramLike stays short).
 */
import { isProgramLike, notAnEffectClass } from "./brand.js";
import { checkProgramLike } from "./primitives.js";
import { functionKind, isProgram, madeByFn } from "./program.js";
import type { AnyProgramLike } from "./types.js";

/**
 * @internal checkProgramLike for spawn and the toolkit, which run a program as a task (and for
 * createContinuation, whose unstarted continuation the scheduler's tasks are made of): effection's
 * `spawn(() => op)` and redux-saga's `fork(fn)` take a function there, so a function is what their
 * users pass first, and "got function (anonymous)" did not say what to pass instead. (Kept out of
 * checkProgramLike, and of src/concurrency/check.ts, so that the small import does not carry it, nor
 * the whole package the toolkit's checks.) An assertion: the combinators' program parameters admit a
 * function in their types, only for its compile error (ProgramArg in vm/types.ts).
 */
export function checkProgramArg(p: unknown, where: string): asserts p is AnyProgramLike {
  // the usual argument (a task's program: per spawn), told by its prototype chain as the VM tells
  // it when it calls it (isProgram), without the brand read every kind of value shares
  if (isProgram(p)) return;
  if (typeof p === "function" && !isProgramLike(p)) {
    const advice = functionAdvice(p);
    // (null: a function fn made, or a Proxy whose traps throw — checkProgramLike says so)
    if (advice !== null)
      throw new TypeError(`${where} expects a Program, Effect or primitive, got ${advice}`);
  }
  checkProgramLike(p, where);
}

/** What function `f` is and what to pass in its place; null when reading it throws, or fn made it. */
function functionAdvice(f: Function): string | null {
  let name: string;
  try {
    name = f.name || "(anonymous)";
  } catch {
    return null;
  }
  // `spawn(job)` for `spawn(job(…))`: checkProgramLike says to call it ("not () => job(…)" named
  // what the user had not written)
  if (madeByFn(f)) return null;
  // an effect class without `new`: not "() => job(…)", whose advice (call it) would throw
  if (notAnEffectClass(f) === null) return `the effect class ${name}, not an effect: pass new ${name}(…)`;
  const kind = functionKind(f); // (never throws: a hostile getPrototypeOf reads as a plain function)
  if (kind === "a generator function")
    return `the generator function ${name}: pass program(function* () {…}), or job(…) of const job = fn(function* job(…) {…})`;
  // an async function's call is a Promise, not a program: "pass the program itself" misled
  if (kind !== null)
    return `${kind} ${name}: a task runs a doeff program, not ${kind === "an async function" ? "a Promise" : "an async iterator"} — write fn(function* job(…) {…}) and await promises in it with awaitPromise(() => …)`;
  return `function ${name}: pass the program itself, job(…), not () => job(…) (effection's spawn takes a function, doeff's the program)`;
}
