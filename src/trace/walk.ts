/**
 * The chain walk (SEMANTICS §8.8): from the segment where an error appeared outwards (to the run's
 * root, or a task's boundary), innermost first, collecting the lines a traceback keeps — the first
 * KEEP, a count, the last KEEP — from the frames' summaries (frame-lines.ts) and, once the first
 * KEEP are in, from the summaries of runs of waiting handlers (waiting-runs.ts, when a bundle can
 * resume). Iterative throughout: chains of thousands of segments or frames must not overflow the
 * stack while an error is recorded.
 */
import { TRACE_QUIET } from "../vm/handler.js";
import type { Frame, Invocation, Reporter, Segment } from "../vm/segment.js";
import { KEEP, S_FINALIZER, S_HANDLER } from "../vm/codes.js";
import { type Entry, fold, gap, handlerName, MARK_RESUMED, MARK_THREW, type Passed } from "./entries.js";
import { belowOf, boundaryLine, entriesOf, labelsOn, segToken, transfers, walkStats } from "./frame-lines.js";
import { runsOf } from "./waiting-runs.js";

/**
 * A reported segment's Reporter (a task): its line where a report frame's was, below its frames;
 * true when it ends the chain (Reporter.chainEnd): a task's prompt is linked where the scheduler's
 * invocation would have run, so past it are the frames the scheduler is installed under (main's,
 * for `withHandler(scheduler, …)` inside main), not the task's: they printed above its line, and
 * again where its waiter re-threw its error (`main / ── in task 1 ──`).
 */
function reportedLine(seg: Segment, c: Collector): boolean {
  if (seg.job === null || seg.kind === S_FINALIZER || seg.kind === S_HANDLER) return false;
  c.add(boundaryLine(seg.job as Reporter)); // `── label ──`
  return (seg.job as Reporter).chainEnd === true;
}
/**
 * reportedLine once a segment can be reported (blocked-in.ts groupTasks, which vm/reported.ts,
 * site-answers.ts and `boundary(…)` call): a bundle that reports none (the small import) leaves the
 * boundary lines out, a hidden frame's label too (frame-lines.ts labelLine).
 */
let reported: typeof reportedLine | null = null;
/** @internal Turns the boundary lines on (see reported). */
export function boundariesOn(): void {
  reported = reportedLine;
  labelsOn();
}

/**
 * The most frames a segment may have for a walk to take them one by one (Collector.frames) rather
 * than from their summaries (frame-lines.ts Below). A summary pays for itself when errors are
 * recorded again and again under one deep stack; made for every frame of every failing run, the
 * summaries (an object per frame, kept in a WeakMap by generator, linked to the frames below)
 * were most of what a failure cost — a `throw` caught by `safe` under a few frames took ~30 µs,
 * mostly in the garbage collector.
 */
const SHALLOW = 256;

/** walks made (each origin walk takes the next number) */
let walks = 0;

class Collector {
  declare readonly walk: number;
  declare readonly inner: Entry[];
  declare readonly outer: Entry[];
  declare skipped: number;
  constructor(walk: number) {
    this.walk = walk;
    this.inner = [];
    this.outer = [];
    this.skipped = 0;
  }
  add(e: Entry): void {
    if (this.inner.length < KEEP) this.inner.push(e);
    else {
      this.outer.push(e);
      if (this.outer.length > KEEP) {
        this.outer.shift();
        this.skipped++;
      }
    }
  }
  /** `add` for each of `n` entries whose last min(n, KEEP) are `tail`, once `inner` is full */
  addMany(n: number, tail: readonly Entry[]): void {
    const o = this.outer;
    const total = o.length + n;
    if (total > KEEP) {
      this.skipped += total - KEEP;
      o.splice(0, Math.min(o.length, total - KEEP));
    }
    o.push(...(n > KEEP ? tail.slice(-KEEP) : tail));
  }
  /**
   * the frames of segment `seg` (it has some), from its top frame down, noting on `passed` what
   * Origin.passes reads: a segment of at most SHALLOW frames frame by frame, each generator noted;
   * a deeper one from its frames' summaries (frame-lines.ts Below), the segment noted.
   */
  frames(seg: Segment, passed: Passed | null): void {
    const top = seg.top!;
    let n = 0;
    for (let g: Frame | null = top; g !== null && n <= SHALLOW; g = g.prev) n++;
    if (n <= SHALLOW) {
      for (let g: Frame | null = top; g !== null; g = g.prev) {
        walkStats.frames++;
        for (const e of entriesOf(g)) this.add(e);
        passed?.gens.add(g.gen);
      }
      return;
    }
    if (passed !== null) passed.segs.set(segToken(seg), this.walk);
    walkStats.frames++;
    for (const e of entriesOf(top)) this.add(e);
    for (let f = top; ; ) {
      const b = belowOf(f, seg, this.walk);
      if (b.n === 0) return;
      const room = KEEP - this.inner.length;
      if (room <= 0) {
        this.addMany(b.n, b.tail);
        return;
      }
      if (b.n <= room) {
        this.inner.push(...b.tail);
        return;
      }
      // the first entries one frame at a time (to fill `inner`), then the rest from a summary
      f = b.first!;
      walkStats.frames++;
      for (const e of entriesOf(f)) this.add(e);
    }
  }
  /** innermost-first collected → outermost first */
  result(): Entry[] {
    return fold([...this.inner, ...(this.skipped > 0 ? [gap(this.skipped)] : []), ...this.outer]).reverse();
  }
}

/**
 * Walk the chain from `cur`, innermost first. At a handler segment whose continuation has not been
 * used (the handler is still running its own code), the body frames it captured (site … prompt) are
 * shown too, so the perform site is never lost — through any handler among them that is itself
 * still running (one that delegated the effect, e.g. record(): its own perform site's frames).
 */
export function walk(
  cur: Segment,
  originInv: Invocation | null,
  ownThrow = true,
  passed: Passed | null = null,
): Entry[] {
  const c = new Collector(++walks);
  // (runs of waiting handlers from their summaries, unless the one that threw could be among them)
  const runs = runsOf === null ? null : runsOf(originInv);
  // (iterative: a chain of thousands of handlers that delegated must not overflow the stack here)
  const todo: (Segment | null)[] = [cur, null]; // pairs: where a walk starts, and where it stops
  while (todo.length > 0) {
    const stop = todo.pop() as Segment | null;
    for (let seg = todo.pop() as Segment | null; seg !== null; seg = seg === stop ? null : seg.caller) {
      walkStats.frames++;
      const base = runs !== null && c.inner.length >= KEEP ? runs(seg, c, passed) : null;
      if (base !== null) {
        seg = base; // (a run never holds `stop`, a prompt)
        continue;
      }
      // (a segment without frames has none a throw could come from: Origin.passes)
      if (seg.top !== null) c.frames(seg, passed);
      // a handler parked while it waits for k's outcome (segment.ts) has no frame on the chain, but
      // its generator is passed through all the same: the scheduler catches main's error there, runs
      // R9 (the tasks' cancellation performs effects) and rethrows it — a rethrow, not a new throw
      // (recorded anew, the report named the scheduler's first effect instead of where main failed)
      if (seg.detachedFrom !== null) passed?.gens.add(seg.detachedFrom);
      // a reported segment's line (a task's), which can end the chain (reportedLine)
      if (reported?.(seg, c)) break;
      if (seg.kind !== S_HANDLER) continue;
      const inv: Invocation = seg.invocation!;
      const marker = inv === originInv ? MARK_THREW : inv.k.used ? MARK_RESUMED : "";
      // (a quiet handler shows when its own code threw, not when an effect it performed met an
      // error: the effect's line names the thrower, and record() leaves the chain as without it)
      if (inv.handler![TRACE_QUIET] !== true || (marker === MARK_THREW && ownThrow))
        c.add({ kind: "handler", name: handlerName(inv.handler!), site: null, marker, effect: inv.effect });
      if (!inv.k.used) {
        const t = transfers?.of(inv.effect, inv.site);
        if (t !== undefined) c.add(t);
        // its captured body frames first, then on from here
        todo.push(seg === stop ? null : seg.caller, stop, inv.site, inv.prompt);
        break;
      }
    }
  }
  return c.result();
}
