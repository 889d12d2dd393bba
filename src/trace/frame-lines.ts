/**
 * The lines of a segment's frames on an error's chain: a frame's own (its name and yield site, a
 * task's boundary, the `handler h for E ⇢` of a transferWith that started it), and what a frame has
 * below it in its segment (Below), summarized once and kept, so that recording an origin costs what
 * a traceback keeps, not the depth of the stack. The walk (walk.ts) reads them; Origin.passes reads
 * the summaries to tell a re-throw from a new throw.
 */
import type { Frame, FrameLabel, Invocation, Segment } from "../vm/segment.js";
import { KEEP } from "../vm/codes.js";
import type { Entry, LineFields, Passed } from "./entries.js";
import type { Origin } from "./origin.js";

/**
 * What transfers.ts notes of each `transferWith(k, program)` and `transferWith(k, effect)`, for the
 * `handler h for E ⇢` lines, once the public transferWith has run (transfersOn): null in a bundle
 * whose only transferWith throws at the perform site (the small import's state handler: raiseAt's
 * hidden program, which gets no line), so that bundle carries none of it.
 */
export let transfers: TransferNotes | null = null;
/** @internal (transfers.ts) */
export function noteTransfers(t: TransferNotes): void {
  transfers = t;
}
export interface TransferNotes {
  /**
   * performTerminal's transferWith (finalize.ts) ran `arg` at k's site: its frame `f` (null when
   * `arg` is an effect or a primitive), `performer` the site's top frame before it.
   */
  note(f: Frame | null, inv: Invocation, arg: unknown, performer: Frame | null): void;
  /** the `handler h for E ⇢` line of the transferWith that started frame `f`, if one did */
  into(f: Frame): Entry | undefined;
  /** the line of the transferWith that gave `effect`, if this perform at `site` is that one */
  of(effect: unknown, site: Segment): Entry | undefined;
  /**
   * The origin of `e`, thrown by the code of a quiet handler's invocation `inv` when that code is a
   * program another handler started there with transferWith (origin.ts quietOrigin), else undefined.
   */
  quiet(inv: Invocation, e: unknown, passed: Passed): Origin | undefined;
}

/** A boundary's line: its label's text and, for tracebackOf (data.ts), what it is made from. */
export const boundaryLine = (label: string | FrameLabel): Entry => ({
  kind: "boundary",
  name: typeof label === "string" ? label : label.frameLabel(),
  site: null,
  marker: "",
  // (a string's: undefined)
  effect: (label as FrameLabel).lineFields,
});

/**
 * What a `boundary(…)` program's label (a string, which holds no fields) is made from, registered
 * by its maker as it makes the program: a doeff/workers job's `in worker (jobs.ts#resize)`, its
 * job (workers/effect.ts frameOf, at each job), which tracebackOf's entry takes as a stand-in's
 * (data.ts) instead of reading it back from the text. Bounded: cleared at 1,000 labels (a job
 * registers its own again as it starts).
 */
const labelFields = new Map<string, LineFields>();
/** @internal */
export function labelMadeOf(label: string, fields: LineFields): void {
  if (labelFields.size >= 1000 && !labelFields.has(label)) labelFields.clear();
  labelFields.set(label, fields);
}

/**
 * boundaryLine for a hidden frame's label once a `boundary(…)` program can be made (walk.ts
 * boundariesOn), with the fields its maker registered: a bundle without one (the small import) has
 * no labelled frame.
 */
let labelLine: ((label: string) => Entry) | null = null;
/** @internal (walk.ts boundariesOn) */
export function labelsOn(): void {
  labelLine = (l) => ({ ...boundaryLine(l), effect: labelFields.get(l) });
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
   * the segment, by its token (segToken), and the number of the walk that made this
   * (Origin.passes). Not the segment: a Below lives as long as its frame's generator, which can
   * outlive the segment (an unreceived failure kept on the run's warnings keeps its frames), and a
   * segment holds its task.
   */
  readonly seg: object;
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

const tokens = new WeakMap<Segment, object>();
/**
 * A stand-in for segment `seg` that does not keep it, for what must name it after it may be gone
 * (Below.seg, Passed, waiting-runs' parked runs): the same object for as long as `seg` lives. Not a
 * WeakRef: a WeakRef's target, made or read, lives to the end of the host's job, so a synchronous
 * loop of runs that fail kept every segment their walks passed until the loop ended (~170 B a run).
 */
export function segToken(seg: Segment): object {
  let t = tokens.get(seg);
  if (t === undefined) tokens.set(seg, (t = {}));
  return t;
}
/**
 * Test hook: frames and segments origin walks have visited (summaries made, and those read
 * directly); summaries made.
 */
export const walkStats = { frames: 0, summaries: 0 };

const NONE: readonly Entry[] = [];
export function entriesOf(f: Frame): readonly Entry[] {
  if (f.name !== null) {
    const e: Entry = { kind: "frame", name: f.name, site: f.site, marker: "", effect: undefined };
    const t = transfers?.into(f);
    return t === undefined ? [e] : [e, t];
  }
  // a hidden frame that marks a boundary has its label as `program` (a task's line is not a frame's:
  // its segment's Reporter gives it, see Reporter)
  const l = f.program;
  return typeof l === "string" ? [labelLine!(l)] : NONE;
}

/** `f`'s Below, made (iteratively: a recursion 100,000 deep) down to the first frame that has one. */
export function belowOf(f: Frame, seg: Segment, walk: number): Below {
  let b: Below | undefined;
  const todo: Frame[] = [];
  const ref = segToken(seg);
  for (let g: Frame | null = f; g !== null; g = g.prev) {
    b = below.get(g.gen);
    if (b !== undefined && b.seg === ref && b.prev === g.prev) break;
    b = undefined;
    todo.push(g);
  }
  if (todo.length === 0) return b!;
  for (let i = todo.length - 1; i >= 0; i--) {
    const g = todo[i]!;
    walkStats.frames++;
    walkStats.summaries++;
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
