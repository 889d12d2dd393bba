/**
 * LogTypes, the opt-in type of writer log entries (beside StateTypes and EnvTypes), and LogEntry,
 * which tell, Tell, Listened and RunResult.log read it through. Types only, in a module of their
 * own, as state-types.ts is (there, why: a minifier's short names follow the character counts of
 * the sources it reads, type text included).
 *
 * One entry type, not a map of keys: a writer appends values to one list, so what there is to
 * declare is what an entry is (a union, for several kinds). LogEntry tests first whether LogTypes is
 * declared, and is no generic: it resolves once in the signatures, at no cost per call.
 */

/**
 * The type of writer log entries, opt-in (beside `StateTypes` and `EnvTypes`). Declare it as
 * `entry` by module augmentation:
 *
 * ```ts
 * declare module "doeff" {
 *   interface LogTypes { entry: { level: "info" | "warn"; msg: string } }
 * }
 *
 * yield* tell({ level: "info", msg: "started" });
 * yield* tell("started");                   // compile error: not a declared entry
 * const { log } = yield* listen(p);         // log: readonly { level: "info" | "warn"; msg: string }[]
 * run(main, { handlers: [writer] }).log;    // readonly { level: …; msg: string }[]
 * ```
 *
 * `tell(entry)` and `new Tell(entry)` are checked against it, and `Tell.message`, `listen`'s `log`
 * and `RunResult.log` are typed by it. Declare it as a named type of yours (`entry: AppLog`) and
 * compile errors name it. Without a declaration an entry is `unknown`, as before.
 */
// biome-ignore lint/suspicious/noEmptyInterface: an empty interface is the point (users augment it)
export interface LogTypes {}

/**
 * A writer log entry: `unknown`, or once `LogTypes` is declared, its `entry` type, optional
 * (`entry?: AppLog`) or not (a `LogTypes` declared without `entry` makes it
 * `LogTypesDeclaresNoEntry`, whose compile error says so).
 */
export type LogEntry = [keyof LogTypes] extends [never]
  ? unknown // (first: undeclared, it resolves once in the signatures)
  : LogTypes extends { readonly entry: infer E }
    ? E
    : // an optional `entry?: …` declares the entry type as well (every entry is one; there is no
      // entry to leave out): not "declared without `entry`", which it is not
      "entry" extends keyof LogTypes
      ? LogTypes extends { readonly entry?: infer E }
        ? E
        : LogTypesDeclaresNoEntry
      : LogTypesDeclaresNoEntry;

/**
 * What a log entry must be when `LogTypes` is declared without a (required) `entry`, a misspelled
 * one say: named so that the compile error at every `tell` says what to do.
 */
export interface LogTypesDeclaresNoEntry {
  readonly "doeff: LogTypes is declared without `entry`: declare the type of a log entry as its entry (interface LogTypes { entry: … })": never;
}
