/**
 * The lines of a segment's frames on an error's chain: a frame's own (its name and yield site, a
 * task's boundary, the `handler h for E ⇢` of a transferWith that started it), and what a frame has
 * below it in its segment (Below), summarized once and kept, so that recording an origin costs what
 * a traceback keeps, not the depth of the stack. The walk (walk.ts) reads them; Origin.passes reads
 * the summaries to tell a re-throw from a new throw.
 */
import type { Frame, FrameLabel, Invocation, Segment } from "../vm/segment.js";
import { KEEP } from "../vm/codes.js";
import { type Entry, handlerName, MARK_TRANSFERRED } from "./entries.js";

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
export function transferOf(effect: unknown, site: Segment): Invocation | undefined {
  const t = site.top === null ? undefined : transferredEffects.get(site.top);
  return t !== undefined && t[1] === effect && t[0].site === site ? t[0] : undefined;
}
/**
 * Does the handler segment `seg` hold a frame another handler started there with `transferWith` —
 * a program given to the continuation of this handler's `delegate()` (an `observe` delegating the
 * effect, answered by `handle(E, (e, k) => transferWith(k, program))`)? Such a frame runs on the
 * handler's segment, so its throw would read as the handler's own code's. Cold path: an error's.
 */
export function transferredOnto(seg: Segment): boolean {
  for (let f = seg.top; f !== null; f = f.prev) {
    const inv = transferredInto.get(f);
    if (inv !== undefined && inv !== seg) return true;
  }
  return false;
}
export const transferLine = (inv: Invocation): Entry => ({
  kind: "handler",
  name: handlerName(inv.handler!),
  site: null,
  marker: MARK_TRANSFERRED,
  effect: inv.effect,
});

export const boundaryLine = (label: string | FrameLabel): Entry => ({
  kind: "boundary",
  name: typeof label === "string" ? label : label.frameLabel(),
  site: null,
  marker: "",
  effect: undefined,
});

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
export const below = new WeakMap<object, Below>();
/** Test hook: frames and segments origin walks have visited (summaries made, and those read directly). */
export const walkStats = { frames: 0 };

const NONE: readonly Entry[] = [];
export function entriesOf(f: Frame): readonly Entry[] {
  if (f.name !== null) {
    const e: Entry = { kind: "frame", name: f.name, site: f.site, marker: "", effect: undefined };
    const inv = transferredInto.get(f);
    return inv === undefined ? [e] : [e, transferLine(inv)];
  }
  // a hidden frame that marks a boundary has its label as `program` (a task's line is not a frame's:
  // its segment's Reporter gives it, see Reporter)
  const l = f.program;
  return typeof l === "string" ? [boundaryLine(l)] : NONE;
}

/** `f`'s Below, made (iteratively: a recursion 100,000 deep) down to the first frame that has one. */
export function belowOf(f: Frame, seg: Segment, walk: number): Below {
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
