/** Writer effects (SEMANTICS §7.5): Tell, Listen (their entries' type: log-types.ts). */
import { checkProgramArg } from "./program-arg.js";
import type { LogEntry } from "./log-types.js";
import type { ProgramLikeOf } from "../vm/program.js";
import type { AnyFunction, AnyProgramLike, EffectsOf, ProgramArg, ResultOf } from "../vm/types.js";
import { Effect } from "./effect.js";

/** The effect of `tell(message)` (handled by `writer`); `message` is a `LogEntry` once `LogTypes` is declared. */
export class Tell extends Effect<undefined> {
  /** @internal the standard handler that answers it (UnhandledEffectError's message) */
  static readonly standardHandler: string = "writer";
  /** @internal its name in a minified bundle too (`className`) */
  static readonly displayName = "Tell";
  declare readonly _tag: "Tell";
  declare readonly message: LogEntry;
  constructor(message: LogEntry) {
    super();
    this.message = message;
  }
}
/**
 * What `listen(program)` answers: the program's value and the log entries it appended (a fresh
 * array, read-only as `RunResult.log` is; typed by `LogTypes` once declared).
 */
export interface Listened<T> {
  readonly value: T;
  readonly log: readonly LogEntry[];
}
/**
 * The effect of `listen(program)` (handled by `writer`). Runs `program` at the perform site: its row
 * `R` is part of the performer's row.
 */
export class Listen<T = unknown, R = never> extends Effect<Listened<T>> {
  /** @internal the standard handler that answers it (UnhandledEffectError's message) */
  static readonly standardHandler: string = "writer";
  /** @internal its name in a minified bundle too (`className`) */
  static readonly displayName = "Listen";
  declare readonly _tag: "Listen";
  declare readonly __row?: R;
  declare readonly program: ProgramLikeOf<T>;
  constructor(program: ProgramLikeOf<T>) {
    super();
    this.program = program;
    checkProgramArg(program, "listen"); // (named as listen, which checks nothing itself; was "yielded 5")
  }
}

/**
 * Append `message` (unchanged; arrays are not flattened) to the current task's log. Checked against
 * `LogTypes`'s `entry` once declared.
 */
export function tell(message: LogEntry): Tell {
  return new Tell(message);
}
/** Run `program` and answer `{ value, log }` with the entries it appended. */
export function listen<P extends AnyProgramLike | AnyFunction>(
  program: P & NoInfer<ProgramArg<P>>,
): Listen<ResultOf<P>, EffectsOf<P>> {
  return new Listen(program as ProgramLikeOf<ResultOf<P>>);
}
