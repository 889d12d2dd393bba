/**
 * Log entries while LogTypes is not declared (every file of test/types/ but isolated/): everything
 * is typed as before typed log entries came — `tell` and `new Tell` take any value, `Tell.message`,
 * `listen`'s log and `RunResult.log` are `unknown`, and listen's log stays a mutable array. The
 * declared mode is in isolated/log-entries.ts (and a declaration without `entry` in
 * isolated/log-entries-no-entry.ts).
 */
import { handle, type LogEntry, listen, program, resume, run, Tell, tell, writer } from "../../src/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

expectType<Equal<LogEntry, unknown>>();
expectType<Equal<Parameters<typeof tell>, [message: unknown]>>();
expectType<Equal<ConstructorParameters<typeof Tell>, [message: unknown]>>();
tell("started");
tell({ any: "value" });
tell(undefined);
new Tell(42);
const main = program(function* () {
  yield* tell("started");
  const { value, log } = yield* listen(
    program(function* () {
      yield* tell(1);
      return "v";
    }),
  );
  expectType<Equal<typeof value, string>>();
  expectType<Equal<typeof log, readonly unknown[]>>(); // read-only, as RunResult.log is
  // @ts-expect-error -- a fresh array, but not to be changed: copy it ([...log]) to add to it
  log.push("a");
  const copied = [...log, "a"];
  return copied.length;
});
const r = run(main, { handlers: [writer] });
expectType<Equal<typeof r.log, readonly unknown[]>>();
handle(Tell, function* (e, k) {
  expectType<Equal<typeof e.message, unknown>>();
  return yield* resume(k, undefined);
});
