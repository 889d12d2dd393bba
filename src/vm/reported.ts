/**
 * The scheduler's task report as a program (P_REPORT), and a reported segment's exit. A module of
 * its own: its code comes with the program (its `b`, which Machine.call calls) and its exit with the
 * registration (finalize.ts REPORTS), so a bundle that never makes one — the small import `run,
 * program, state, get, put`, which cannot spawn — does not carry it.
 */
import { groupTasks } from "../trace/blocked-in.js";
import { deliverTo } from "./dispatch.js";
import { REPORTS } from "./finalize.js";
import type { Machine } from "./machine.js";
import { Program } from "./program.js";
import { type Reporter, Segment } from "./segment.js";
import { P_REPORT, S_BODY, S_PROMPT } from "./codes.js";

reportsOn();

/**
 * @internal What a reported segment needs beyond the mark, turned on where one can be made (here
 * and site-answers.ts, when they load): its exit (finalize.ts REPORTS), and the grouping of an
 * aborted run's report, whose task chains start at a reported segment's line (trace/blocked-in.ts
 * grouping).
 */
export function reportsOn(): void {
  REPORTS.exit = exitReported;
  groupTasks();
}

/**
 * finalize.ts exitSegment at a reported segment `s` (marked with Reporter `r`): its outcome goes to
 * `r`, whose effect is performed here as if by a frame at the bottom of `s` (a task's report) —
 * true; false when `r` gives none (then `s` exits as any other).
 */
function exitReported(m: Machine, s: Segment, r: Reporter, isErr: boolean): boolean {
  const e = r.exit(!isErr, m.value);
  if (e === null) return false;
  // A prompt whose handler takes the effect by its very class is what the search from here finds
  // (a prompt is its own first prompt; its search cache holds no entry for a class it takes):
  // handed to it at once, without the yield's classification and the search (a task's report, once
  // per task). Sites on: the general path, which records the site.
  const ps = s.takes;
  if (ps !== null && !m.sites && takenExactly(ps, e)) deliverTo(m, s, e, s);
  else m.handleYield(e);
  return true;
}

/** Is `e`'s own prototype one of `ps` (a loop: no builtin call, per task)? */
function takenExactly(ps: readonly object[], e: unknown): boolean {
  const proto = Object.getPrototypeOf(e);
  for (let i = 0; i < ps.length; i++) if (ps[i] === proto) return true;
  return false;
}

/**
 * @internal A one-shot program that runs the body `reporter.start()` gives and hands its outcome to
 * `reporter.exit` (segment.ts, Reporter), which may answer an effect to perform in its place; shown
 * in tracebacks as `── reporter.frameLabel() ──`, the label made only when a traceback is. As the
 * generator `function* () { let o; try { o = ok(yield* body) } catch (e) { o = err(e) } return
 * yield exit(o) }` would be, without a generator, a frame, its arguments or an eager label string:
 * the segment the body runs on is marked instead (the scheduler's task report: one per task).
 */
export function reported<A>(reporter: Reporter & { start(): unknown }): Program<A> {
  return new Program<A>(P_REPORT, reporter, callReported, "");
}

/** Machine.call of a reported program `p`. */
function callReported(m: Machine, p: Program): void {
  // Mark the segment the body runs on; it must be frameless (then its exit is the body's) and
  // unmarked: cur when it is (a continuation just started: a fresh prompt), else a new one.
  let seg = m.cur;
  if (seg.top !== null || seg.job !== null || (seg.kind !== S_BODY && seg.kind !== S_PROMPT))
    m.cur = seg = new Segment(S_BODY, seg, seg.invocation, null);
  const r = p.a as Reporter & { start(): unknown };
  let body: unknown;
  try {
    body = r.start();
  } catch (e) {
    m.throwHere(e); // (unmarked: nothing ran to report on)
    return;
  }
  seg.job = r;
  m.callProgramLike(body);
}
