/**
 * Type tests for tracebackOf, checked by `tsc` (this file is never executed).
 * `expectType<Equal<A, B>>()` asserts an exact type; each `// @ts-expect-error` line must fail.
 */
import {
  Err,
  type FailureTraceback,
  program,
  run,
  safe,
  type TraceEntry,
  type Traceback,
  tracebackOf,
} from "../../src/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

const r = run(program(function* main() {}));
// a RunResult may have succeeded: narrow with `outcome`
const t = tracebackOf(r);
expectType<Equal<typeof t, Traceback>>();
// @ts-expect-error -- an OkTraceback has no error
t.error;
if (t.outcome !== "ok") {
  expectType<Equal<typeof t, FailureTraceback>>();
  expectType<Equal<typeof t.chain, readonly TraceEntry[]>>();
}
// an Err or an Error is always a failure; anything else (a catch's `unknown`) may be a RunResult
const e = tracebackOf(new Error("x"));
expectType<Equal<typeof e, FailureTraceback>>();
const u = tracebackOf(r.error);
expectType<Equal<typeof u, Traceback>>();
program(function* main() {
  const caught = yield* safe(program(function* inner() {}));
  if (!caught.ok) {
    const f = tracebackOf(caught);
    expectType<Equal<typeof f, FailureTraceback>>();
  }
  return new Err(1);
});
// chain entries narrow by kind
const entry = (x: TraceEntry): string => (x.kind === "program" ? (x.at?.file ?? x.name) : x.name);
void entry;
