/**
 * Runs of waiting handlers: a handler waiting in `resume(k, v)` for k's outcome is one line on an
 * error's chain, and a non-tail resume per effect in a loop leaves thousands of them in a row. A
 * walk (walk.ts) takes such a run's lines from a summary made once per segment instead of walking
 * it per error, and notes what it took for Origin.passes. Its own module, turned on by
 * `recordRuns` when vm/resume.ts loads: a bundle that cannot resume (no handler ever waits) leaves
 * all of it out.
 */
import { TRACE_QUIET } from "../vm/handler.js";
import type { Invocation, Segment } from "../vm/segment.js";
import { KEEP, S_HANDLER } from "../vm/codes.js";
import { type Entry, handlerName, MARK_RESUMED, type Passed } from "./entries.js";
import { segToken, walkStats } from "./frame-lines.js";

/**
 * What takeRun adds a run's lines to: the walk's collector (walk.ts Collector), by its shape — walk.ts
 * imports this module, and a type from it here would make an import cycle.
 */
interface Taker {
  readonly walk: number;
  addMany(n: number, tail: readonly Entry[]): void;
}

/**
 * A handler waiting in `resume(k, v)` for k's outcome (k used, its frame parked), not quiet: on the
 * chain it is one line, `handler h for E ✓`, and nothing in it or below it changes while the
 * segment above it is alive: only its own resume linked anything under it (so that segment is the
 * only one above it), a segment runs again only once the one above it has ended, and its caller
 * never changes (not a prompt). A non-tail resume per effect in a loop leaves thousands in a row.
 */
function waiting(s: Segment): boolean {
  return s.kind === S_HANDLER && s.top === null && s.k.used && s.handler![TRACE_QUIET] !== true;
}
/**
 * A run of waiting handlers from `s` down: how many (each one line), the last KEEP lines, its
 * bottom segment and that segment's token (segToken), the walk that made it (made once per
 * segment, like Below).
 */
interface Run extends Parked {
  readonly tail: readonly Entry[];
  readonly base: Segment;
}
/** What Origin.passes reads of a run: no segment (see parkedRun). */
interface Parked {
  readonly n: number;
  readonly key: object;
  readonly walk: number;
}
const runOfSeg = new WeakMap<Segment, Run>();
/**
 * the run a parked generator's handler segment was in, when a run was made of it (Origin.passes).
 * Without its segments: the generator can outlive its segment (an unreceived failure kept on the
 * run's warnings keeps its frames), and the run's segments must not live on with it — they hold a
 * finished task. (Not a WeakRef to the Run: its target lives to the end of the host's job, and
 * with it, in a synchronous loop of failing runs, every run's segments: segToken.)
 */
const parkedRun = new WeakMap<object, Parked>();
/**
 * `runsFor` (takeRun, its summaries made by runOf) once the module of resume and discontinue has
 * loaded (vm/resume.ts), else null: without them no handler waits for k's outcome, so there is no
 * run to summarize (walk goes on without). (One without them still reads as waiting: a handler
 * function that returns `finalize(k)` itself, while k's finally blocks run — one at a time, never a
 * run of them, and walked one by one its line is the same.)
 */
export let runsOf: typeof runsFor | null = null;
/** … and Origin.passes's reading of them (passedRun). */
export let inRuns: typeof passedRun | null = null;
/** @internal Turns the summaries of waiting handlers on (vm/resume.ts, at its load). */
export function recordRuns(): void {
  runsOf = runsFor;
  inRuns = passedRun;
}
/** takeRun for a walk from a throw by invocation `inv`, unless `inv` could be in a run (it waits). */
function runsFor(inv: Invocation | null): typeof takeRun | null {
  return inv === null || !waiting(inv) ? takeRun : null;
}
/**
 * walk's step over a run of waiting handlers from `seg` down (collector `c` has its first KEEP
 * entries): the run's entries from its summary, noted on `passed`; its bottom segment — or null
 * when `seg` does not wait (walked as any segment).
 */
function takeRun(seg: Segment, c: Taker, passed: Passed | null): Segment | null {
  if (!waiting(seg)) return null;
  const r = runOf(seg, c.walk);
  c.addMany(r.n, r.tail);
  const got = passed === null ? null : passed.runs.get(r.key);
  if (got === undefined) passed!.runs.set(r.key, [r.n, c.walk]);
  else if (got !== null) {
    got[0] = Math.max(got[0], r.n);
    got[1] = c.walk;
  }
  return r.base;
}
/** Did a walk of `p` take the parked generator `gen`'s waiting handler from a run's summary? (Origin.passes) */
function passedRun(gen: object, p: Passed): boolean {
  const r = parkedRun.get(gen);
  const got = r === undefined ? undefined : p.runs.get(r.key);
  return got !== undefined && r!.n <= got[0] && r!.walk <= got[1];
}
function runOf(s: Segment, walk: number): Run {
  let r = runOfSeg.get(s);
  if (r !== undefined) return r;
  const todo: Segment[] = [];
  for (let t: Segment | null = s; t !== null && waiting(t); t = t.caller) {
    r = runOfSeg.get(t);
    if (r !== undefined) break;
    todo.push(t);
  }
  for (let i = todo.length - 1; i >= 0; i--) {
    const t = todo[i]!;
    walkStats.frames++;
    const e: Entry = {
      kind: "handler",
      name: handlerName(t.handler!),
      site: null,
      marker: MARK_RESUMED,
      effect: t.effect,
    };
    r =
      r === undefined
        ? { n: 1, key: segToken(t), tail: [e], base: t, walk }
        : {
            n: r.n + 1,
            key: r.key,
            tail: r.n >= KEEP ? r.tail : [e, ...r.tail].slice(-KEEP),
            base: r.base,
            walk,
          };
    runOfSeg.set(t, r);
    if (t.detachedFrom !== null) parkedRun.set(t.detachedFrom, { n: r.n, key: r.key, walk });
  }
  return r!;
}
