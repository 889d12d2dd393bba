/** Type-level: the effects the toolkit's combinators perform themselves (API §7 rows). */
import type { Effect } from "../effects/effect.js";
import type { SchedulerEffect } from "../effects/scheduler.js";
import type { Delay } from "../effects/time.js";
import type { AnyProgramLike, EffectsOf, ResultOf } from "../vm/types.js";

/** Tasks and promises: handled by a scheduler. */
export type SchedulerRow = SchedulerEffect<any>;
/** Also a clock (`delay`): timeout and retry. */
export type TimedRow = SchedulerEffect<any> | Delay;

/** `{ [i]: result of item i }` for a tuple (or array) of programs. */
export type ResultsOf<P extends readonly unknown[]> = { -readonly [I in keyof P]: ResultOf<P[I]> };
/** The union of the rows of a tuple (or array) of programs. */
export type RowsOf<P extends readonly unknown[]> = EffectsOf<P[number]>;

export type { AnyProgramLike, Effect };
