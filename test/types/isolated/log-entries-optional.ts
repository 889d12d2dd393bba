/**
 * LogTypes declared with an optional `entry?:` declares the entry type as a required one does. It
 * made every entry `LogTypesDeclaresNoEntry` ("LogTypes is declared without `entry`", which it was
 * not), so `tell({ level: "info", msg })` failed with "'level' does not exist in type
 * 'LogTypesDeclaresNoEntry'". Checked on its own (see log-entries.ts), under exactOptionalPropertyTypes
 * and without: the entry is the declared type, no `undefined` added.
 */
import { type LogEntry, listen, program, run, tell, writer } from "../../../src/index.js";

interface AppLog {
  readonly level: "info" | "warn";
  readonly msg: string;
}
declare module "../../../src/index.js" {
  interface LogTypes {
    entry?: AppLog;
  }
}

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

expectType<Equal<LogEntry, AppLog>>();
const inner = program(function* () {
  yield* tell({ level: "info", msg: "started" });
  // @ts-expect-error -- still checked against AppLog
  yield* tell({ level: "debug", msg: "x" });
  // @ts-expect-error -- and not undefined: every entry is one
  yield* tell(undefined);
  return 1;
});
const main = program(function* () {
  const { log } = yield* listen(inner);
  expectType<Equal<typeof log, readonly AppLog[]>>();
  return log.length;
});
const r = run(main, { handlers: [writer] });
expectType<Equal<typeof r.log, readonly AppLog[]>>();
