/** Writer effects (SEMANTICS §7.5): Tell, Listen. */
import { checkProgramLike } from "../vm/primitives.js";
import type { ProgramLikeOf } from "../vm/program.js";
import { Effect } from "./effect.js";

export class Tell extends Effect<undefined> {
  constructor(readonly message: unknown) {
    super();
  }
}
export interface Listened<T> {
  readonly value: T;
  readonly log: unknown[];
}
export class Listen<T = unknown> extends Effect<Listened<T>> {
  constructor(readonly program: ProgramLikeOf<T>) {
    super();
  }
}

/** Append `message` (unchanged; arrays are not flattened) to the current task's log. */
export function tell(message: unknown): Tell {
  return new Tell(message);
}
/** Run `program` and answer `{ value, log }` with the entries it appended. */
export function listen<T>(program: ProgramLikeOf<T>): Listen<T> {
  checkProgramLike(program, "listen");
  return new Listen<T>(program);
}
