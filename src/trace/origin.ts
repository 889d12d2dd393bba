/**
 * Where an error came from (SEMANTICS §8.8). When an error first appears in the machine — thrown by a
 * frame, by a handler, or by the VM into a yielder — we snapshot the chain active at that moment
 * (program frame names and yield sites, handler invocations with their outcome markers, task
 * boundaries) and, when it concerns an effect, the handlers that effect visited. Errors are
 * exceptional, so this costs nothing on the normal path; the snapshot is capped in size.
 */
import { UnhandledEffectError } from "../errors.js";
import { groupedLines } from "./abort-groups.js";
import type { RunWarning } from "../run/context.js";
import type { Continuation } from "../vm/continuation.js";
import { type Handler, TRACE_QUIET } from "../vm/handler.js";
import type { Frame, FrameLabel, Invocation, Reporter, Segment } from "../vm/segment.js";
import { S_FINALIZER, S_HANDLER } from "../vm/codes.js";
import { KEEP, OUTER_KEEP } from "../vm/codes.js";

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
  readonly effect: unknown;
}

export interface Visit {
  readonly handler: Handler;
  readonly marker: string;
}

export class Origin {
  /** the chain, outermost first */
  declare readonly chain: Entry[];
  declare readonly effect: unknown;
  declare readonly visits: Visit[] | null;
  /**
   * The chains where library frames re-threw this error, in the order they did (a task's error at
   * its waiting site, that task's error at its own waiter's, …), each outermost first; capped to
   * the first and last OUTER_KEEP, with `outerSkipped` left out between them.
   */
  declare outer: Entry[][] | null;
  declare outerSkipped: number;
  /**
   * What its chains pass (hidden frames too), for `passes`: a throw of the error by one of their
   * frames is a re-throw (it caught the error), by any other frame a new throw (Origins.note).
   */
  declare passed: Passed;
  constructor(chain: Entry[], effect: unknown, visits: Visit[] | null, passed: Passed) {
    this.chain = chain;
    this.effect = effect;
    this.visits = visits;
    this.outer = null;
    this.outerSkipped = 0;
    this.passed = passed;
  }
  /**
   * Did one of its chains pass the frame of generator `gen`? Each walk notes the segments it passes
   * (and the walk's number), not their frames: a frame still alive that was in such a segment when
   * the walk passed it — its summary made by then (`Below.walk`) — was on the chain, as a
   * segment's frames are a stack (a frame never moves, nor comes back once popped; a generator run
   * again elsewhere has a summary per place, `Below.older`, as it was passed in any). Likewise a
   * parked generator's waiting handler in a run a walk took from its summary (`Run`): as deep in
   * the run as the walk took it, and made by then.
   */
  passes(gen: object): boolean {
    const p = this.passed;
    if (p.parked.has(gen) || inRuns?.(gen, p)) return true;
    for (let b = below.get(gen); b !== undefined; b = b.older) {
      const seg = b.seg.deref();
      const w = seg === undefined ? undefined : p.segs.get(seg);
      if (w !== undefined && b.walk <= w) return true;
    }
    return false;
  }
  /** The whole report's chain, outermost first: the re-throw sites' chains, then this one. */
  fullChain(): Entry[] {
    const out: Entry[] = [];
    const o = this.outer ?? [];
    for (let i = o.length - 1; i >= 0; i--) {
      out.push(...o[i]!);
      if (i === OUTER_KEEP && this.outerSkipped > 0)
        out.push({ ...gap(0), name: `… re-thrown at ${this.outerSkipped} more places …` });
    }
    return out.concat(this.chain);
  }
}

/**
 * A named program's frame that a handler started with `transferWith(k, program)` at the perform
 * site — or the effect it gave instead (`transferWith(k, awaitPromise(…))`) — and that invocation:
 * the traceback shows `handler h for Effect ⇢` between the performer's frame and the program's (or
 * the effect's line), or they would read as the performer's own (SEMANTICS §8.8's ⇢). Not for hidden
 * frames (the standard handlers' transferWith programs).
 */
const transferredInto = new WeakMap<Frame, Invocation>();
/** the performer frame of an effect given to transferWith → [the invocation, the effect] */
// (keyed by the performer's frame, not the effect: a constant module-level effect given to
// transferWith would keep the invocation and its frames alive after the run)
const transferredEffects = new WeakMap<Frame, [Invocation, object]>();
export function noteTransferInto(
  f: Frame | null,
  inv: Invocation,
  effect: object,
  performer: Frame | null,
): void {
  if (f !== null) transferredInto.set(f, inv);
  else if (performer !== null) transferredEffects.set(performer, [inv, effect]);
}
/**
 * The invocation that gave `effect` to transferWith, if this perform at `site` is that one: the
 * same effect object given again, or performed later by another frame of the segment, is not.
 */
function transferOf(effect: unknown, site: Segment): Invocation | undefined {
  const t = site.top === null ? undefined : transferredEffects.get(site.top);
  return t !== undefined && t[1] === effect && t[0].site === site ? t[0] : undefined;
}
const transferLine = (inv: Invocation): Entry => ({
  kind: "handler",
  name: handlerName(inv.handler!),
  site: null,
  marker: MARK_TRANSFERRED,
  effect: inv.effect,
});

function handlerName(h: Handler): string {
  return h.name || "(anonymous handler)";
}

/** (a gap's count of entries left out is its `effect`) */
function gap(n: number): Entry {
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
 * What the walks of an origin passed (Origin.passes): the segments, by the walk's number; the parked
 * generators; the runs of waiting handlers taken from a summary, by their bottom segment: the most
 * of the run's segments a walk took, and the last walk that took some.
 */
export interface Passed {
  readonly segs: WeakMap<Segment, number>;
  readonly parked: WeakSet<object>;
  readonly runs: WeakMap<Segment, [n: number, walk: number]>;
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
 * bottom segment, the walk that made it (made once per segment, like Below).
 */
interface Run {
  readonly n: number;
  readonly tail: readonly Entry[];
  readonly base: Segment;
  readonly walk: number;
}
const runOfSeg = new WeakMap<Segment, Run>();
/**
 * the run a parked generator's handler segment was in, when a run was made of it (Origin.passes).
 * Weakly: the generator can outlive its segment (an unreceived failure kept on the run's warnings
 * keeps its frames), and the run's segments must not live on with it — they hold a finished task.
 */
const parkedRun = new WeakMap<object, WeakRef<Run>>();
/**
 * `runsFor` (takeRun, its summaries made by runOf) once the module of resume and discontinue has
 * loaded (vm/resume.ts), else null: without them no handler waits for k's outcome, so there is no
 * run to summarize (walk goes on without). (One without them still reads as waiting: a handler
 * function that returns `finalize(k)` itself, while k's finally blocks run — one at a time, never a
 * run of them, and walked one by one its line is the same.)
 */
let runsOf: typeof runsFor | null = null;
/** … and Origin.passes's reading of them (passedRun). */
let inRuns: typeof passedRun | null = null;
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
function takeRun(seg: Segment, c: Collector, passed: Passed | null): Segment | null {
  if (!waiting(seg)) return null;
  const r = runOf(seg, c.walk);
  c.addMany(r.n, r.tail);
  const got = passed === null ? null : passed.runs.get(r.base);
  if (got === undefined) passed!.runs.set(r.base, [r.n, c.walk]);
  else if (got !== null) {
    got[0] = Math.max(got[0], r.n);
    got[1] = c.walk;
  }
  return r.base;
}
/** Did a walk of `p` take the parked generator `gen`'s waiting handler from a run's summary? (Origin.passes) */
function passedRun(gen: object, p: Passed): boolean {
  const r = parkedRun.get(gen)?.deref();
  const got = r === undefined ? undefined : p.runs.get(r.base);
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
        ? { n: 1, tail: [e], base: t, walk }
        : { n: r.n + 1, tail: r.n >= KEEP ? r.tail : [e, ...r.tail].slice(-KEEP), base: r.base, walk };
    runOfSeg.set(t, r);
    if (t.detachedFrom !== null) parkedRun.set(t.detachedFrom, new WeakRef(r));
  }
  return r!;
}

/**
 * What a frame has below it in its segment, made on the cold path the first time a walk passes it
 * and kept (keyed by its generator: a parked frame made again is the same, segment.ts `unpark`).
 * The frames below a frame never change while it is there (`prev` links are fixed, and a frame
 * below the top does not run, so its `site` stays), so a walk takes the entries of a segment's
 * frames from its top frame's summary — the first KEEP, a count and the last KEEP are all that a
 * chain keeps — instead of walking thousands of frames per error (errors in a loop under a deep
 * recursion were quadratic).
 */
interface Below {
  /** the entries of the frames below, innermost first: how many */
  readonly n: number;
  /** … the last min(n, KEEP) of them (shared down a deep stack) */
  readonly tail: readonly Entry[];
  /** the topmost frame below with an entry (a hidden frame has none), or null */
  readonly first: Frame | null;
  /**
   * the segment, and the number of the walk that made this (Origin.passes). The segment weakly: a
   * Below lives as long as its frame's generator, which can outlive the segment (an unreceived
   * failure kept on the run's warnings keeps its frames), and a segment holds its task. When it is
   * gone no walk can pass it again, and a frame that throws is in a live segment.
   */
  readonly seg: WeakRef<Segment>;
  readonly walk: number;
  /**
   * the frame below when it was made: a generator run again elsewhere (`program(() => g)` with a g
   * left suspended in a detached continuation) is a new frame with other frames below it, its
   * summary made anew — the same only where `unpark` makes a parked handler's frame again
   */
  readonly prev: Frame | null;
  /** the generator's summary before that, if it was made anew (Origin.passes reads them all) */
  readonly older: Below | undefined;
}
const below = new WeakMap<object, Below>();
/** walks made (each origin walk takes the next number) */
let walks = 0;
/** Test hook: frames and segments origin walks have visited (summaries made, and those read directly). */
export const walkStats = { frames: 0 };

const NONE: readonly Entry[] = [];
function entriesOf(f: Frame): readonly Entry[] {
  if (f.name !== null) {
    const e: Entry = { kind: "frame", name: f.name, site: f.site, marker: "", effect: undefined };
    const inv = transferredInto.get(f);
    return inv === undefined ? [e] : [e, transferLine(inv)];
  }
  const l = f.label;
  return l === null ? NONE : [boundaryLine(l)];
}

/** `f`'s Below, made (iteratively: a recursion 100,000 deep) down to the first frame that has one. */
function belowOf(f: Frame, seg: Segment, walk: number): Below {
  let b: Below | undefined;
  const todo: Frame[] = [];
  for (let g: Frame | null = f; g !== null; g = g.prev) {
    b = below.get(g.gen);
    if (b !== undefined && b.seg.deref() === seg && b.prev === g.prev) break;
    b = undefined;
    todo.push(g);
  }
  if (todo.length === 0) return b!;
  const ref = new WeakRef(seg);
  for (let i = todo.length - 1; i >= 0; i--) {
    const g = todo[i]!;
    walkStats.frames++;
    const p = g.prev;
    const older = below.get(g.gen);
    if (p === null) b = { n: 0, tail: NONE, first: null, seg: ref, walk, prev: p, older };
    else {
      const e = entriesOf(p);
      const pb = b!;
      const n = e.length + pb.n;
      b = {
        n,
        tail: e.length === 0 || pb.n >= KEEP ? pb.tail : e.concat(pb.tail).slice(-KEEP),
        first: e.length > 0 ? p : pb.first,
        seg: ref,
        walk,
        prev: p,
        older,
      };
    }
    below.set(g.gen, b);
  }
  return b!;
}

const boundaryLine = (label: string | FrameLabel): Entry => ({
  kind: "boundary",
  name: typeof label === "string" ? label : label.frameLabel(),
  site: null,
  marker: "",
  effect: undefined,
});

class Collector {
  readonly inner: Entry[] = [];
  readonly outer: Entry[] = [];
  skipped = 0;
  constructor(readonly walk: number) {}
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
  /** the frames of segment `seg` (it has some), from its top frame down */
  frames(seg: Segment): void {
    const top = seg.top!;
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
  /** a boundary line `── label ──` */
  boundary(label: string | FrameLabel): void {
    this.add(boundaryLine(label));
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
function walk(
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
      if (seg.top !== null) {
        c.frames(seg);
        if (passed !== null) passed.segs.set(seg, c.walk);
      }
      // a handler parked while it waits for k's outcome (segment.ts) has no frame on the chain, but
      // its generator is passed through all the same: the scheduler catches main's error there, runs
      // R9 (the tasks' cancellation performs effects) and rethrows it — a rethrow, not a new throw
      // (recorded anew, the report named the scheduler's first effect instead of where main failed)
      if (seg.detachedFrom !== null) passed?.parked.add(seg.detachedFrom);
      // a reported segment's Reporter (a task): its line where a report frame's was, below its
      // frames. A task's ends the chain (Reporter.chainEnd): its prompt is linked where the
      // scheduler's invocation would have run, so past it are the frames the scheduler is installed
      // under (main's, for `withHandler(scheduler, …)` inside main), not the task's: they printed
      // above its line, and again where its waiter re-threw its error (`main / ── in task 1 ──`)
      if (seg.job !== null && seg.kind !== S_FINALIZER && seg.kind !== S_HANDLER) {
        c.boundary(seg.job as Reporter);
        if ((seg.job as Reporter).chainEnd) break;
      }
      if (seg.kind !== S_HANDLER) continue;
      const inv: Invocation = seg.invocation!;
      const marker = inv === originInv ? MARK_THREW : inv.k.used ? MARK_RESUMED : "";
      // (a quiet handler shows when its own code threw, not when an effect it performed met an
      // error: the effect's line names the thrower, and record() leaves the chain as without it)
      if (inv.handler![TRACE_QUIET] !== true || (marker === MARK_THREW && ownThrow))
        c.add({ kind: "handler", name: handlerName(inv.handler!), site: null, marker, effect: inv.effect });
      if (!inv.k.used) {
        const t = transferOf(inv.effect, inv.site);
        if (t !== undefined) c.add(transferLine(t));
        // its captured body frames first, then on from here
        todo.push(seg === stop ? null : seg.caller, stop, inv.site, inv.prompt);
        break;
      }
    }
  }
  return c.result();
}

/**
 * Handlers visible from `site`, marked: inside `taker` ↗, `taker` gets `marker`, outside it ·
 * (those of `outer`, when given; else none past the taker).
 */
export function visitsFrom(
  site: Segment,
  taker: Segment | null,
  marker: string,
  outer?: Segment | null,
): Visit[] {
  const out: Visit[] = [];
  let reached = false;
  let p = site.firstPrompt;
  while (p !== null) {
    if (p === taker) {
      out.push({ handler: p.handler!, marker });
      reached = true;
      if (outer !== undefined) break;
    } else out.push({ handler: p.handler!, marker: reached ? MARK_NOT_REACHED : MARK_PASSED });
    const c = p.caller;
    p = c === null ? null : c.firstPrompt;
  }
  for (p = outer == null ? null : outer.firstPrompt; p !== null; ) {
    out.push({ handler: p.handler!, marker: MARK_NOT_REACHED });
    const c = p.caller;
    p = c === null ? null : c.firstPrompt;
  }
  return out;
}

/**
 * The visits of the effect of `inv`, a handler that delegated it (`delegate()`) and then threw, the
 * answer back: inside it ↗, it ✗, and outside it ↗ up to `to`, the prompt that answered — ✓ when
 * that handler resumed (its invocation is live below `cur`), else ⇢ (transfer, or a fast path: the
 * same by definition) — then ·.
 */
function answeredVisits(cur: Segment, inv: Invocation, to: Segment): Visit[] {
  const out = visitsFrom(inv.site, inv.prompt, MARK_THREW, null);
  const answered = resumedBy(cur, to) ? MARK_RESUMED : MARK_TRANSFERRED;
  let before = true;
  for (let p = inv.outer === null ? null : inv.outer.firstPrompt; p !== null; ) {
    out.push({ handler: p.handler!, marker: !before ? MARK_NOT_REACHED : p === to ? answered : MARK_PASSED });
    if (p === to) before = false;
    const c = p.caller;
    p = c === null ? null : c.firstPrompt;
  }
  return out;
}
/**
 * answeredVisits once delegate's module has loaded (vm/rare-ops.ts, answerDelegated): without it no
 * invocation has a `delegatedTo`, and a bundle that cannot delegate leaves it out.
 */
let delegated: typeof answeredVisits | null = null;
/** @internal Turns on the visits of a delegated effect's answer (see answeredVisits). */
export function answerDelegated(): void {
  delegated = answeredVisits;
}

/**
 * The handlers `effect` visited from `site` — first, when `site` runs the code of an invocation
 * given that very effect object (`delegate()`, or the handler performing its `effect` itself), the
 * visits that led there: the handlers inside the delegator that passed it on, then the delegator
 * (⇆), outermost delegation first. A quiet handler (`record()`) delegates every effect and stays
 * out of the line, as in a run without it.
 */
function visited(effect: unknown, site: Segment, visits: Visit[]): Visit[] {
  const rev = visits.reverse();
  for (let inv = site.invocation; inv !== null && inv.effect === effect; inv = inv.site.invocation) {
    const h = inv.handler!;
    for (const v of visitsFrom(inv.site, inv.prompt, MARK_DELEGATED, null).reverse())
      if (v.handler !== h || h[TRACE_QUIET] !== true) rev.push(v);
  }
  return rev.reverse();
}

export interface EffectInfo {
  readonly effect: unknown;
  readonly site: Segment;
  readonly taker: Segment | null;
  readonly marker: string;
  readonly outer?: Segment | null;
  /** the handler hands on an error that is not its own (a quiet handler's discontinue, execute.ts) */
  readonly handedOn?: boolean;
}

/** Snapshot the chain at `cur` for error `e`. */
export function snapshot(cur: Segment, e: unknown, info: EffectInfo | null, atSite = false): Origin {
  const originInv = cur.invocation;
  const passed: Passed = { segs: new WeakMap(), parked: new WeakSet(), runs: new WeakMap() };
  // an effect performed by the handler's own code (delegate) failed, or nothing took it
  const chain = walk(
    cur,
    originInv,
    // (at a transferWith's site, not thrown by the handler's code: put there, as by the scheduler)
    info !== null
      ? info.site !== cur && info.handedOn !== true
      : !atSite && !(e instanceof UnhandledEffectError),
    passed,
  );
  if (info !== null) {
    // an effect a handler gave transferWith at this very site
    const t = transferOf(info.effect, info.site);
    if (t !== undefined && chain.at(-1)?.effect !== t.effect) chain.push(transferLine(t));
    if (namesBlocked !== null) namesBlocked(chain, info.site, atSite, info.effect);
    return new Origin(
      chain,
      info.effect,
      visited(info.effect, info.site, visitsFrom(info.site, info.taker, info.marker, info.outer)),
      passed,
    );
  }
  // thrown by a transferWith into a continuation another invocation stashed (the scheduler's deadlock,
  // found as another task ended, thrown into a task blocked in receive): the effect it waits at is not
  // known here, the call it is blocked in is — named as when its own invocation threw it. At a
  // handler's delegate (an observe inside the scheduler), the call that performed the delegated effect.
  if (atSite && namesBlocked !== null)
    namesBlocked(chain, cur, true, originInv?.delegatedTo ? originInv.effect : undefined);
  if (e instanceof UnhandledEffectError) {
    return new Origin(chain, e.effect, visited(e.effect, cur, visitsFrom(cur, null, MARK_PASSED)), passed);
  }
  if (originInv !== null && cur === originInv && !atSite) {
    // the handler's own code threw: the effect it was handling, with the handlers it visited —
    // outside it, when it had delegated the effect, the one that answered (answeredVisits)
    const to = originInv.delegatedTo;
    return new Origin(
      chain,
      originInv.effect,
      visited(
        originInv.effect,
        originInv.site,
        to === null
          ? visitsFrom(originInv.site, originInv.prompt, MARK_THREW, originInv.outer)
          : delegated!(cur, originInv, to),
      ),
      passed,
    );
  }
  return new Origin(chain, undefined, null, passed);
}

/** Is an invocation of prompt `p`'s handler that resumed live on the chain from `cur`? */
function resumedBy(cur: Segment, p: Segment): boolean {
  for (let s: Segment | null = cur; s !== null; s = s.caller)
    if (s.kind === S_HANDLER && s.prompt === p && s.k.used) return true;
  return false;
}

/** a chain's names without its live handler invocations (✓), a line each */
const withoutResumed = (chain: Entry[]): string =>
  chain
    .filter((x) => x.marker !== MARK_RESUMED)
    .map((x) => `${x.name}\n`)
    .join("");

/**
 * What a blocked computation waited on, for the report of an aborted run (`blocked in wait(task
 * 3)`): noted by the scheduler on each blocked task's continuation when the run's signal aborts,
 * from its waits as they are then (nothing is kept per wait), as the operation with `#` where the
 * ids of the tasks it waits on go, and those ids.
 */
const waits = new WeakMap<object, readonly [string, number[]]>();
export const noteWait = (k: object, what: string, ids: number[]): unknown => {
  grouping = groupedLines;
  waitOf = waitLine;
  return waits.set(k, [what, ids]);
};
/** The line of what noteWait noted the continuation `k` was blocked in, if it did. */
function waitLine(k: Continuation): Entry | undefined {
  const w = waits.get(k);
  return w === undefined
    ? undefined
    : { kind: "wait", name: blockedIn(k) ?? w[0], site: null, marker: "", effect: w[1] };
}
/** waitLine once noteWait has noted a wait (the scheduler, at an abort): a bundle without it has none. */
let waitOf: typeof waitLine | null = null;
/**
 * groupedLines (abort-groups.ts) once an aborted run's report can hold more than main's chains: a
 * task's, which starts at its boundary line (a reported segment, vm/reported.ts and
 * site-answers.ts, or a `boundary(…)` program), or a blocked-in line (noteWait) — set by
 * groupTasks, or noteWait; else null, and format.ts prints each chain as abortGroups would group it:
 * a group of its own, with neither line. A bundle that cannot spawn (the small import) leaves the
 * grouping out.
 */
export let grouping: typeof groupedLines | null = null;
/** @internal Turns on the grouping of an aborted run's chains (see grouping). */
export function groupTasks(): void {
  grouping = groupedLines;
}
/**
 * A library generator that blocks for a reason of its own (delay's timer, a channel's receive): what
 * the report says a computation blocked in it was blocked in, `delay(…)` for `wait(a promise)` —
 * registered once, when its module loads, and read from the continuation's perform frame.
 */
const blocksAs = new WeakMap<object, string>();
export const waitsIn = (g: Function, what: string): unknown => {
  namesBlocked = blockedLine;
  return blocksAs.set(g.prototype, what);
};
/** What `g` (a generator function) was registered as by waitsIn: `timeout(receive(ch), ms)` names it too. */
export const waitName = (g: unknown): string | undefined =>
  typeof g === "function" ? blocksAs.get(g.prototype as object) : undefined;
/**
 * The continuation whose frames `k` waits for: past the handlers at its top that wait in `delegate()`
 * for the effect `k` was captured at (an `observe` inside the scheduler holds the program's frames in
 * a continuation of its own, and the scheduler's `k` starts at its delegate), the program's own.
 */
export const heldBy = (k: Continuation): Continuation => {
  // (only a handler segment's `job`, its delegatedTo, is ever a prompt: segment.ts)
  for (let s = k.top; s !== null && s.delegatedTo === k.bottom && !s.k.used; s = k.top) k = s.k;
  return k;
};
/** What the continuation `k` is blocked in when waitsIn registered its perform frame: `receive(…)`. */
export const blockedIn = (k: Continuation): string | undefined => {
  const f = k.top?.top;
  return f == null ? undefined : blocksAs.get(Object.getPrototypeOf(f.gen));
};
/**
 * The chain of an error met at an effect a library call performed for the program (receive's
 * Wait(Future), which the program never wrote): that call named before the effect's line, as an
 * aborted run's report names it (`blocked in receive(…)`) — when waitsIn registered the frame that
 * performed it: the site's `top`, or the one below when the program a transferWith called there
 * threw (`atSite`: the scheduler throws a deadlock by `transferWith(k, raise(error))`; and a delay's
 * own Delay, thrown at in the time handler's program, is the program's, not a call to name). Thrown
 * where a handler delegated the effect (an `observe` inside the scheduler: its `delegate()` is where
 * the scheduler's raise runs), the frame is the one that performed it first: the site of the
 * outermost invocation given that very effect, as `visited` follows them.
 */
function blockedLine(chain: Entry[], site: Segment, atSite: boolean, effect: unknown): void {
  let by = atSite ? site.top!.prev : site.top;
  for (let i = site.invocation; i !== null && i.effect === effect; i = i.site.invocation) by = i.site.top;
  const what = by === null ? undefined : blocksAs.get(Object.getPrototypeOf(by.gen));
  if (what !== undefined) chain.push({ kind: "wait", name: what, site: null, marker: "", effect: undefined });
}
/**
 * blockedLine once a call has been registered (waitsIn, when its module loads): a bundle without
 * one (the small import) has no call to name, and does not carry it.
 */
let namesBlocked: typeof blockedLine | null = null;

/**
 * What a run kept for `tracebackOf` (trace/data.ts) by its RunResult: its origins, whether its
 * signal aborted it, its warnings. Set once a run ends, for a failure or warnings only.
 */
export type RunTrace = [origins: Origins | null, aborted: boolean, warnings: readonly RunWarning[] | null];
export const runTraces = new WeakMap<object, RunTrace>();
/**
 * What an error given a `doeffTrace` keeps for `tracebackOf`: its own origin — or, the reason its
 * run's signal aborted it with, where each computation was — and not its run's whole record: an
 * error kept long after (an error tracker's queue) held every warning's error and the run's last
 * thrown value's failing effect, payloads and all.
 */
export type ErrorTrace =
  | readonly [aborted: false, origin: Origin | null]
  | readonly [aborted: true, chains: Entry[][] | null];
export const errorTraces = new WeakMap<object, ErrorTrace>();

/** Per-run record of error origins. */
export class Origins {
  private readonly map = new WeakMap<object, Origin>();
  /** what an abort finalized (main, each task), one chain each, outermost first, repeats dropped */
  abortChains: Entry[][] | null = null;
  /** @internal (takeOrigin) */
  primitive: Origin | null = null;
  private primitiveValue: unknown = undefined;

  get(e: unknown): Origin | null {
    if (e !== null && (typeof e === "object" || typeof e === "function")) return this.map.get(e) ?? null;
    return this.primitiveValue === e ? this.primitive : null;
  }

  /**
   * An abort finalizes the continuation `k`: keep its chain (once per place), and what it was
   * blocked in when the scheduler noted that (noteWait).
   * A handler that was delegating the computation's effect (a clock probe, `record`) has its own
   * continuation finalized too, whose chain is the same frames without the handler's line: keep
   * the longer one only, or the report prints main's frames twice.
   */
  aborted(k: Continuation): void {
    const top = k.top!;
    const chain = walk(top, null);
    const w = waitOf === null ? undefined : waitOf(k);
    if (w !== undefined) chain.push(w);
    if (chain.length === 0) return;
    const key = (c: Entry[]): string => c.map((e) => `${e.kind} ${e.name}\n`).join("");
    const here = key(chain);
    const kept = (this.abortChains ??= []);
    for (let i = 0; i < kept.length; i++) {
      const old = key(kept[i]!);
      if (old.startsWith(here)) return; // the same place, or the frames of a place already kept
      if (here.startsWith(old)) {
        kept[i] = chain;
        return;
      }
    }
    kept.push(chain);
  }

  /**
   * Record where `e` came from. A known error re-thrown by a library frame gets an outer chain; one
   * re-thrown by a frame it passed through (caught and thrown on: `catch (e) { …; throw e }`, or
   * `throw r.error` after `safe`), or handed on by a quiet handler (a task's error to its waiter),
   * keeps its origin. Thrown by any other frame (a module-level `const NotFound = new Error(…)`
   * thrown by one request and then by another) it is a new throw, recorded anew: its first place
   * would be another request's.
   */
  note(cur: Segment, e: unknown, info: EffectInfo | null, rethrownByLibrary: boolean): void {
    const known = this.get(e);
    if (known !== null) {
      if (rethrownByLibrary && info === null) {
        // (never a quiet handler's own throw: a task's error given where observe() delegated a wait)
        const chain = walk(cur, cur.invocation, false, known.passed);
        // re-thrown where a chain it has already passes (a handler that failed k with the error an
        // outer handler threw; the same place again): the same frames would print twice — also
        // when the outer handler gave it with discontinue, which left its invocation live (✓)
        const outer = (known.outer ??= []);
        const names = withoutResumed(chain);
        if ([known.chain, ...outer].some((c) => withoutResumed(c).startsWith(names))) return;
        if (outer.push(chain) > 2 * OUTER_KEEP) {
          outer.splice(OUTER_KEEP, 1);
          known.outerSkipped++;
        }
        return;
      }
      const top = cur.top;
      if (info?.handedOn === true || (top !== null && known.passes(top.gen))) return;
    }
    this.record(cur, e, info, rethrownByLibrary);
  }

  private record(cur: Segment, e: unknown, info: EffectInfo | null, atSite = false): void {
    const o = snapshot(cur, e, info, atSite);
    if (e !== null && (typeof e === "object" || typeof e === "function")) this.map.set(e, o);
    else {
      this.primitive = o;
      this.primitiveValue = e;
    }
  }
}

/**
 * `origins.get(e)`, for `safe`, which has made `e` a value (introspect.ts originOf): a primitive's
 * origin is then forgotten — it has no identity, so the next throw of the same string elsewhere is
 * a new error, not this one again. (A function, not a method of Origins: a bundle without `safe`
 * leaves it out.)
 */
export function takeOrigin(origins: Origins, e: unknown): Origin | null {
  const o = origins.get(e);
  if (o === origins.primitive) origins.primitive = null;
  return o;
}
