/**
 * The lines of an error's chain (SEMANTICS §8.8) and what every part of the origin record shares:
 * the outcome markers, an Entry (a frame, handler, boundary, gap or wait line), a Visit (a handler
 * an effect visited), what the walks of an origin passed (Passed), and folding a run of like lines.
 * Kept apart from the walk and the record so the formatters (format.ts, abort-groups.ts, data.ts)
 * and the VM's modules that only mark a throw (✗) read these without the walk's code.
 */
import type { StandIn } from "../effects/scheduler.js";
import type { Handler } from "../vm/handler.js";
import type { Segment } from "../vm/segment.js";

export const MARK_RESUMED = "✓";
export const MARK_TRANSFERRED = "⇢";
export const MARK_PASSED = "↗";
export const MARK_DELEGATED = "⇆";
export const MARK_THREW = "✗";
export const MARK_NOT_REACHED = "·";

export interface Entry {
  /**
   * "frame": a program frame; "handler": a handler invocation; "boundary": a task separator; "gap";
   * "wait": what an aborted computation was blocked in (its `effect`: the ids of the tasks it waited on)
   */
  readonly kind: "frame" | "handler" | "boundary" | "gap" | "wait";
  readonly name: string;
  readonly site: Error | null;
  readonly marker: string;
  /**
   * a handler's: the effect; a gap's: how many lines it leaves out; a wait's: the task ids; a
   * boundary's: what its line is made from (LineFields), if tracebackOf reads more than its text
   */
  readonly effect: unknown;
}

/**
 * What a boundary line's text is made from, kept on its Entry (`effect`) so that `tracebackOf`'s
 * entry (data.ts) takes its fields as they are instead of splitting the text, which a class or
 * queue named with the line's own words in it split wrongly:
 *  - a stand-in task's (TaskRec.lineFields): the task it stands in for as the line names it
 *    (`task 1`, `main`, `task 2.1`), and what it does for it (Spawn.standIn) — `in task 1
 *    (forwarded Fetch from worker job jobs.ts#crawl)`;
 *    Its `task`: that task's id when it is one of the run's own scheduler (0: its main), absent in
 *    a scheduler nested in a task (`task 2.1`), as the line's text does not tell it apart;
 *  - a task's of the run's own scheduler (TaskRec.lineFields): its id, the task that spawned it (0:
 *    main), where (`file:line`, with trace sites on) — `in task 3 (spawned by task 1 at app.ts:9)`;
 *    a task of a scheduler nested in a task (`in task 2.3`) has none, its line a plain boundary's;
 *  - a doeff/queue job's (crossed.ts): `in queue job (images#42: resize)`, or `(images#42)` where
 *    its program is not known;
 *  - a doeff/workers job's (workers/effect.ts, frame-lines.ts labelMadeOf): `in worker
 *    (jobs.ts#resize)`, its `module#export`.
 */
export type LineFields =
  | { readonly caller: string; readonly task?: number; readonly standIn: StandIn }
  | TaskLineFields
  | QueueJobFields
  | { readonly job: string };

/** A task's line (`in task 3 (spawned by task 1 at app.ts:9)`): its id, its parent's (0: main), where. */
export interface TaskLineFields {
  readonly id: number;
  readonly by: number;
  readonly at: string | null;
}

/** A doeff/queue job: its queue's name, its id, the name of its program where it is known. */
export interface QueueJobFields {
  readonly queue: string;
  readonly jobId: string;
  readonly program?: string;
}

export interface Visit {
  readonly handler: Handler;
  readonly marker: string;
}

export function handlerName(h: Handler): string {
  return h.name || "(anonymous handler)";
}

/** (a gap's count of entries left out is its `effect`) */
export function gap(n: number): Entry {
  return { kind: "gap", name: `… ${n} more …`, site: null, marker: "", effect: n };
}

/**
 * The key of a handler line a run folds on: live invocations (✓, a non-tail `resume` in a loop
 * leaves one per effect, of one handler or several taking turns) fold together; other lines only
 * with lines of the same handler, outcome and effect class (a chain of handlers delegating).
 */
const runKey = (e: Entry | undefined): string | undefined =>
  e?.kind !== "handler"
    ? undefined
    : e.marker === MARK_RESUMED
      ? MARK_RESUMED
      : `${e.name} ${e.marker} ${(e.effect as object | null)?.constructor?.name}`;

/**
 * A run of like handler lines reads as its first line, a count and its last (one line each told
 * nothing and buried the program's frames), also across the gap of a chain cut to its ends (not
 * fullChain's `re-thrown at` line); and, with format.ts's key (when a report is made: the sites
 * parsed), a run of identical program lines (a recursion 100,000 deep printed 79 alike).
 */
export function fold(list: Entry[], key: (e: Entry | undefined) => string | undefined = runKey): Entry[] {
  const out: Entry[] = [];
  for (let i = 0, j = 0; i < list.length; i = ++j) {
    const k = key(list[i]);
    if (k !== undefined)
      while (
        key(list[j + 1]) === k ||
        (list[j + 1]?.kind === "gap" && list[j + 1]!.effect !== 0 && key(list[j + 2]) === k)
      )
        j++;
    let hidden = 0;
    for (let m = i + 1; m < j; m++) hidden += list[m]!.kind === "gap" ? (list[m]!.effect as number) : 1;
    out.push(...(hidden > 1 ? [list[i]!, gap(hidden), list[j]!] : list.slice(i, j + 1)));
  }
  return out;
}

/**
 * What the walks of an origin passed (Origin.passes): the segments walked from their frames'
 * summaries (by their tokens, frame-lines.ts segToken), by the walk's number; the generators passed
 * one by one (a shallow segment's frames, parked handlers); the runs of waiting handlers taken from
 * a summary, by their bottom segment's token: the most of the run's segments a walk took, and the
 * last walk that took some.
 */
export interface Passed {
  readonly segs: WeakMap<object, number>;
  readonly gens: WeakSet<object>;
  readonly runs: WeakMap<object, [n: number, walk: number]>;
}
