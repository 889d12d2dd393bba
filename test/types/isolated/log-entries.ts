/**
 * Typed log entries: LogTypes declared (checked on its own, as state-keys.ts is: module augmentation
 * is global to a compilation). Never executed. The text of the compile errors is checked by
 * test/types-matrix.test.ts (LOG_ERROR_CASES).
 */
import {
  answer,
  Get,
  handle,
  intercept,
  type Listened,
  type LogEntry,
  listen,
  program,
  resume,
  type RunResult,
  run,
  runAsync,
  Tell,
  tell,
  writer,
} from "../../../src/index.js";
import { expectEffects } from "../../../src/testing/index.js";

interface AppLog {
  readonly level: "info" | "warn";
  readonly msg: string;
}
declare module "../../../src/index.js" {
  interface LogTypes {
    entry: AppLog;
  }
}

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

expectType<Equal<LogEntry, AppLog>>();
const told = tell({ level: "info", msg: "started" });
expectType<Equal<typeof told, Tell>>();
const main = program(function* () {
  yield* tell({ level: "warn", msg: "slow" });
  const { value, log } = yield* listen(
    program(function* () {
      yield* tell({ level: "info", msg: "inner" });
      return 1;
    }),
  );
  expectType<Equal<typeof value, number>>();
  expectType<Equal<typeof log, readonly AppLog[]>>();
  const first = log[0];
  if (first !== undefined) yield* tell(first); // an entry read back is an entry
  return value;
});
// what listen answers, named
const heard: Listened<number>["log"] = [{ level: "info", msg: "x" }];
expectType<Equal<typeof heard, readonly AppLog[]>>();

// RunResult.log, of run and runAsync
const r = run(main, { handlers: [writer] });
expectType<Equal<typeof r, RunResult<number>>>();
expectType<Equal<typeof r.log, readonly AppLog[]>>();
const levels = r.log.map((e) => e.level);
expectType<Equal<typeof levels, ("info" | "warn")[]>>();
void runAsync(main, { handlers: [writer] }).then((a) => {
  expectType<Equal<typeof a.log, readonly AppLog[]>>();
});
// doeff/testing's expectEffects gives a RunResult too, and takes the effects built by new Tell
const t = expectEffects(main, [new Tell({ level: "warn", msg: "slow" })], { handlers: [writer] });
expectType<Equal<typeof t.log, readonly AppLog[]>>();

// a handler reading Tell.message sees an entry
handle(Tell, function* (e, k) {
  expectType<Equal<typeof e.message, AppLog>>();
  return yield* resume(k, undefined);
});
answer(Tell, (e) => {
  expectType<Equal<typeof e.message, AppLog>>();
  return undefined;
});
intercept(main, (e) => (e instanceof Get ? new Tell({ level: "info", msg: `read ${e.key}` }) : undefined));
class Started extends Tell {
  constructor() {
    super({ level: "info", msg: "started" });
  }
}
void Started;

// @ts-expect-error -- not an entry (the newcomer's tell("started"))
tell("started");
// @ts-expect-error -- a level the entry does not declare
tell({ level: "debug", msg: "x" });
// @ts-expect-error -- a missing field
tell({ level: "info" });
// @ts-expect-error -- new Tell is checked as tell is
new Tell(42);
// @ts-expect-error -- an expectEffects list's too
expectEffects(main, [new Tell("slow")], { handlers: [writer] });
class BadStarted extends Tell {
  constructor() {
    // @ts-expect-error -- a subclass's super call too
    super("started");
  }
}
void BadStarted;
// @ts-expect-error -- the result's log holds entries, not strings
const asStrings: readonly string[] = r.log;
void asStrings;
// @ts-expect-error -- and is readonly (a frozen copy)
r.log.push({ level: "info", msg: "late" });
