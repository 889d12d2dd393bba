/**
 * LogTypes declared without `entry` (here misspelled): every entry is the named
 * LogTypesDeclaresNoEntry, so each tell is a compile error whose text says to declare `entry`,
 * rather than the declaration being silently ignored. Checked on its own (see log-entries.ts).
 */
import {
  type LogEntry,
  type LogTypesDeclaresNoEntry,
  program,
  run,
  tell,
  writer,
} from "../../../src/index.js";

declare module "../../../src/index.js" {
  interface LogTypes {
    entries: string;
  }
}

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

expectType<Equal<LogEntry, LogTypesDeclaresNoEntry>>();
const main = program(function* () {
  // @ts-expect-error -- no entry declared: the error names LogTypesDeclaresNoEntry, whose key says what to do
  yield* tell("started");
  return 1;
});
const r = run(main, { handlers: [writer] });
expectType<Equal<typeof r.log, readonly LogTypesDeclaresNoEntry[]>>();
