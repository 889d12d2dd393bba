/**
 * The step machine (SEMANTICS §2.2). One transition per step; the driver is a loop over steps, so JS
 * recursion never grows with frames, segments, handlers, effects or resumes.
 *
 * Re-push rule: a yielding frame stays on top of its segment while its yielded value is processed
 * (we peek, and pop only on completion), so a continuation captured meanwhile contains it and the
 * eventual answer is delivered to it.
 */
import { AsyncRequiredError, VMInternalError } from "../errors.js";
import type { RunContextImpl } from "../run/context.js";
import { brandOf, describe, isEffectInstance, isGeneratorObject } from "./brand.js";
import { dispatch } from "./dispatch.js";
import { execute, RESUMES } from "./execute.js";
import { abortError, beginAbort, exitSegment, unwindExit } from "./finalize.js";
import { isProgram, type Program } from "./program.js";
import { isPrimitive } from "./primitives.js";
import { Frame, type Invocation, type Job, pushFrame, Segment, unpark } from "./segment.js";
import type { StepTracer } from "./trace-hook.js";
import { Era, liveInvocations, type Relinks } from "./eras.js";
import { MARK_THREW } from "../trace/entries.js";
import { type EffectInfo, Origins } from "../trace/origin.js";
import { siteState } from "./sites.js";
import { checked } from "./result.js";
import { invalidYield, putBack, runaway, throwInto } from "./invalid-yield.js";

import {
  M_DELIVER,
  M_HANDLE_YIELD,
  M_RETURN_ERROR,
  M_RETURN_VALUE,
  M_THROW,
  M_UNWIND,
  ST_ASYNC,
  ST_BUDGET,
  ST_DONE,
} from "./modes.js";
import {
  B_EFFECT,
  B_PRIMITIVE,
  B_PROGRAM,
  J_CLOSE,
  P_FLATMAP,
  P_GEN,
  P_GEN1,
  P_GENOBJ,
  P_INTERNAL,
  P_MAP,
  P_PURE,
  P_REPORT,
  S_BODY,
  S_HANDLER,
  S_ROOT,
} from "./codes.js";
import { FAST_LANE } from "./codes.js";

function* mapGen(src: unknown, f: (a: unknown) => unknown): Generator<unknown, unknown, unknown> {
  return f(yield src);
}

function* flatMapGen(src: unknown, f: (a: unknown) => unknown): Generator<unknown, unknown, unknown> {
  const q = f(yield src);
  const b = brandOf(q);
  if (b !== B_PROGRAM && b !== B_EFFECT && b !== B_PRIMITIVE) {
    throw new TypeError(`flatMap's function must return a Program or Effect, got ${describe(q)}`);
  }
  return yield q;
}

export class Machine {
  declare cur: Segment;
  declare mode: number;
  declare value: unknown;
  /** the unwinding job of the current Unwind mode */
  declare job: Job | null;
  /**
   * bumped when the prompts outside a prompt that a search-cache walk went past change — a captured
   * prompt linked below other prompts than it was captured from (eras.ts `link`): invalidates the
   * handler-search caches (dispatch.ts, the search-cache invariant). A capture alone does not: nothing
   * inside a captured continuation runs until it is linked again.
   */
  declare linkEpoch: number;
  /** getHandlers (eras.ts): the open era, the oldest era kept and the re-links kept (null: none) */
  declare era: Era;
  declare eras: Era | null;
  declare relinks: WeakMap<Segment, Relinks> | null;
  declare readonly ctx: RunContextImpl;
  declare tracer: StepTracer | null;
  declare done: boolean;
  /** done or waiting for asyncEscape: the step loop stops (one test per step for both) */
  declare halt: boolean;
  declare ok: boolean;
  declare result: unknown;
  /** set when the machine stops for asyncEscape */
  declare asyncThunk: (() => unknown) | null;
  /**
   * Effects answered in the fast lane (below) since runAsync last reset it: each is a step's worth
   * of work done inside one step, so runAsync counts them toward its yield budget (§7: yield after
   * at most 10,000 steps or 5 ms) — else one run(1000) could answer 64,000 effects between checks.
   */
  declare laneEffects: number;
  /** the effect (and its taker) a FAST_PATH suspended the site on (awaitAnswer), or null: its
   * rejection is reported as thrown by that handler for that effect, as the handler would have */
  declare awaitEffect: unknown;
  declare awaitTaker: Segment | null;
  /** trace: yield sites on (trace.sites) */
  declare readonly sites: boolean;
  /** trace: where errors came from (made on the first error) */
  declare origins: Origins | null;
  /** trace: the invocation of the last transferWith, for errors thrown right at its perform site */
  declare lastTransferWith: Invocation | null;
  /** trace: the frame the last transferWith's program was called in (finalize.ts performTerminal) */
  declare lastTransferFrame: Frame | null;
  /**
   * Run option `signal` (SEMANTICS §9.8): 0 = no abort; 1 = abort requested (halt is set, so the
   * step loop notices it at its existing halt test — nothing is checked per step); 2 = the run is
   * being finalized.
   */
  declare abortState: number;
  declare abortReason: unknown;
  /** with a signal: the body segment right above the root, the bottom of everything an abort closes */
  declare base: Segment | null;
  /** the unwinding job of an abort (every error a finally block throws in it becomes a warning) */
  declare abortJob: Job | null;
  /** runAsync: ends the driver's wait for an asyncEscape when the signal aborts */
  declare wakeOnAbort: (() => void) | null;
  /**
   * While the site waits on a FAST_PATH's awaitAnswer in a run with a signal: what turns that wait
   * back into the handler's (site-answers.ts handBack), called as the abort is requested or begins
   * — so that an abort finds the machine as the general path would have left it. Null otherwise.
   */
  declare beforeAbort: ((m: Machine) => void) | null;
  /** removes the signal's listener (when the run ends) */
  declare stopListening: (() => void) | null;
  /**
   * A frame that ended and that nothing can reach any more, for the next program call to reuse
   * (afterCall keeps it, `call` takes it): a task's body frame in spawn + gather, one Frame (56 B)
   * and constructor less per task. Kept only while nothing records frames: no tracer, no yield sites,
   * no error origin yet, no transferWith (trace/frame-lines.ts keys its WeakMaps by frame).
   */
  declare spare: Frame | null;
  /** frames `call` made (not the spare reused), counted modulo 65,536 for runaway's check */
  declare calls: number;

  /** handler invocations started and not ended (counted per era: eras.ts) */
  get depth(): number {
    return liveInvocations(this);
  }

  constructor(
    top: unknown,
    ctx: RunContextImpl,
    tracer: StepTracer | null,
    sites = false,
    abortable = false,
  ) {
    const root = new Segment(S_ROOT, null, null, null);
    const base = abortable ? new Segment(S_BODY, root, null, null) : null;
    // (its fields are `declare`d, so they are made here, in this order: the order they are declared)
    this.cur = base ?? root;
    this.mode = M_HANDLE_YIELD;
    this.value = top;
    this.job = null;
    this.linkEpoch = 0;
    this.era = new Era(0);
    this.eras = null;
    this.relinks = null;
    this.ctx = ctx;
    this.tracer = tracer;
    this.done = false;
    this.halt = false;
    this.ok = false;
    this.result = undefined;
    this.asyncThunk = null;
    this.laneEffects = 0;
    this.awaitEffect = null;
    this.awaitTaker = null;
    this.sites = sites;
    this.origins = null;
    this.lastTransferWith = null;
    this.lastTransferFrame = null;
    this.abortState = 0;
    this.abortReason = undefined;
    this.base = base;
    this.abortJob = null;
    this.wakeOnAbort = null;
    this.beforeAbort = null;
    this.stopListening = null;
    this.spare = null;
    this.calls = 0;
  }

  /** Record where error `e` came from (a re-throw keeps its origin: Origins.note). Off the hot path. */
  noteError(e: unknown, info: EffectInfo | null = null): void {
    // (tracing must never break a run: a hostile error object, a Proxy whose traps throw)
    try {
      if (this.origins === null) this.origins = new Origins();
      const top = this.cur.top;
      // An error thrown by a hidden frame right at the site of the last transferWith was put there by
      // a handler (e.g. transferWith(k, raise(error))): attribute it to that effect, or, when the error
      // is already known (a task's error delivered to its waiter), record the waiting site.
      const tw = this.lastTransferWith;
      // (the very frame the transferWith called — a frame stays in its segment, so this is also "in the
      // segment where it ran" — not a later hidden frame that happens to run in the same segment, e.g.
      // library code rethrowing a known error after the program's last delay)
      const atSite = top !== null && top.name === null && tw !== null && top === this.lastTransferFrame;
      // attribute a new error to the invocation's effect only when it was thrown at that effect's own site
      // (a scheduler transfers into *another* task's stashed continuation)
      if (info === null && atSite && tw.site === this.cur && this.origins.get(e) === null) {
        info = { effect: tw.effect, site: tw.site, taker: tw.prompt, marker: MARK_THREW, outer: tw.outer };
      }
      this.origins.note(this.cur, e, info, atSite);
    } catch {}
  }

  /** Runs at most `budget` steps; returns ST_DONE, ST_ASYNC (asyncEscape pending) or ST_BUDGET. */
  run(budget: number): number {
    if (this.done) return ST_DONE; // e.g. a run whose signal was aborted before it started
    try {
      if (this.abortState === 1) beginAbort(this); // per call, not per step
      while (budget-- > 0) {
        if (this.tracer !== null) this.tracer.before(this);
        switch (this.mode) {
          case M_DELIVER:
            this.stepResume(false);
            break;
          case M_THROW:
            this.stepResume(true);
            break;
          case M_HANDLE_YIELD:
            this.handleYield(this.value);
            break;
          case M_UNWIND:
            this.stepUnwind();
            break;
          case M_RETURN_VALUE:
            exitSegment(this, false);
            break;
          case M_RETURN_ERROR:
            exitSegment(this, true);
            break;
          default:
            throw new VMInternalError(`unknown mode ${this.mode}`);
        }
        if (this.halt) {
          // an abort request shares the halt test: it begins here (or, in the middle of a closing,
          // right after it: halt stays set until then)
          if (this.abortState !== 1 || this.done) return this.done ? ST_DONE : ST_ASYNC;
          beginAbort(this);
        }
      }
      return ST_BUDGET;
    } catch (e) {
      // Anything escaping a step is a bug in the machine (user code is always called inside a
      // try that turns its errors into Throw). End the run at once; no finally runs.
      this.done = true;
      this.halt = true;
      this.ok = false;
      this.result =
        e instanceof VMInternalError ? e : new VMInternalError(`internal error: ${String(e)}`, { cause: e });
      return ST_DONE;
    }
  }

  /** Deliver(v) / Throw(e): call into the top frame of `cur`. */
  private stepResume(isThrow: boolean): void {
    const seg = this.cur;
    const f = seg.top;
    if (f === null) {
      if (seg.kind !== S_HANDLER || seg.detachedFrom === null)
        this.mode = isThrow ? M_RETURN_ERROR : M_RETURN_VALUE;
      else RESUMES.parked!(this, seg, isThrow); // (a handler parked in resume: vm/resume.ts stepParked)
      return;
    }
    let done: unknown;
    let value: unknown;
    try {
      // (a frame's first Deliver is always undefined — every frame is pushed with Deliver(undefined)
      // next — so an unstarted frame needs no flag: next(undefined) starts it, §2.2's "v is ignored")
      const r = isThrow ? throwInto(f.gen, this.value) : f.gen.next(this.value);
      // read inside the try: a broken iterator result is the frame's own failure
      const ok = checked(r);
      done = ok.done;
      value = ok.value;
    } catch (x) {
      // the engine's TypeError for an error lost in a yield*: that error put back (invalid-yield.ts)
      const e = putBack(f.gen, x, isThrow, this.value);
      // an error merely propagating through a frame is not a new origin
      if (e === x && (!isThrow || e !== this.value)) this.noteError(e);
      seg.top = f.prev; // pop
      this.frameThrew(f, e);
      return;
    }
    if (this.tracer === null && !done) {
      // Fast lane (untraced): while the frame yields effects that a FAST_PATH handler answers at the
      // perform site, hand each answer straight back to the generator instead of going round the
      // step loop (mode write, switch, done/async checks, re-reading cur.top). Bounded, so
      // runAsync still reaches its step/time checks.
      let lane = 0;
      // (halt: the run's signal aborted in the generator's code — its next effect is not handled)
      while (lane < FAST_LANE && !this.halt && isEffectInstance(value)) {
        lane++;
        const site = this.cur;
        if (this.sites) this.recordSite();
        dispatch(this, value);
        // anything but a fast-path answer (an invocation started, an error thrown) has set the machine;
        // halt: the answer's code aborted the run, so the answer is not delivered (as in the loop)
        if (this.mode !== M_DELIVER || this.cur !== site || this.halt) {
          this.laneEffects += lane;
          return;
        }
        try {
          const r = f.gen.next(this.value);
          const ok = checked(r);
          done = ok.done;
          value = ok.value;
        } catch (x) {
          this.laneEffects += lane;
          const e = putBack(f.gen, x, false, undefined); // (a finally's last effect answered: invalid-yield.ts)
          if (e === x) this.noteError(e);
          seg.top = f.prev;
          this.frameThrew(f, e);
          return;
        }
        if (done) break;
      }
      this.laneEffects += lane;
    }
    this.afterCall(seg, f, done, value);
  }

  /** Unwind(J): close the top frame with return(), or apply the unwind-exit rule. */
  private stepUnwind(): void {
    const seg = this.cur;
    const f = seg.top;
    if (f === null) {
      if (seg.kind !== S_HANDLER || seg.detachedFrom === null) unwindExit(this);
      else unpark(seg); // its parked frame (segment.ts): made again, and the next step closes it
      return;
    }
    const prev = f.closing;
    // §5.3: a newer unwinding takes over a frame an invocation's closing was closing (its finally's
    // effect was taken outside and abandoned, or the run aborted): that terminal primitive will never
    // be performed, so its target becomes unused again — and §5.1 finalizes it with the invocation
    if (prev !== null && prev !== this.job && prev.kind === J_CLOSE && prev.k !== null) prev.k.used = false;
    f.closing = this.job;
    let done: unknown;
    let value: unknown;
    try {
      const r = f.gen.return(undefined);
      const ok = checked(r);
      done = ok.done;
      value = ok.value;
    } catch (e) {
      this.noteError(e);
      seg.top = f.prev;
      this.frameThrew(f, e);
      return;
    }
    this.afterCall(seg, f, done, value);
  }

  /** `f`, the top frame of `seg`, gave (done, value): pop it when done, else handle its yield. */
  /** @internal (also vm/resume.ts stepParked) */
  afterCall(seg: Segment, f: Frame, done: unknown, value: unknown): void {
    if (done) {
      const prev = f.prev;
      seg.top = prev;
      if (f.closing !== null) {
        this.mode = M_UNWIND;
        this.job = f.closing;
      } else {
        this.mode = M_DELIVER;
        this.value = value;
        if (this.tracer === null) {
          // (popped and not closing: nothing holds it unless a trace recorded it)
          if (this.origins === null && this.lastTransferWith === null && !this.sites) this.spare = f;
          // Untraced, the segment's exit is fused into this step when that frame was its last: the
          // two steps that would follow (Deliver to a frameless segment, then its Return) do no
          // more than this (a task's body ending: its report and the next task's start in one step).
          // Not when halted (the run's signal aborted in the frame's code: the loop stops first).
          if (prev === null && !this.halt && (seg.kind !== S_HANDLER || seg.detachedFrom === null))
            exitSegment(this, false);
        }
      }
    } else if (this.tracer === null && !this.halt) {
      // Untraced, the HandleYield step is fused into this one (one loop turn per effect); traced,
      // it stays a step of its own so each gets its trace line. Step counts are not normative.
      // (Not when halted: the run's signal aborted in the code that yielded, so the yield waits
      // for the abort, which closes the frame instead.)
      this.handleYield(value);
    } else {
      this.mode = M_HANDLE_YIELD;
      this.value = value;
    }
  }

  /** The frame `f` (already popped) threw `e`. A closing frame records it and unwinding goes on. */
  private frameThrew(f: Frame, e: unknown): void {
    if (f.closing !== null) {
      if (f.closing === this.abortJob) abortError(this, e); // every one, not only the first
      f.closing.record(e);
      this.mode = M_UNWIND;
      this.job = f.closing;
    } else {
      this.mode = M_THROW;
      this.value = e;
    }
  }

  /** HandleYield(y) (§2.4): classify by brand and act. */
  handleYield(y: unknown): void {
    if (this.sites) this.recordSite();
    // by prototype chain first (isEffectInstance: no brand read shared by every class yielded)
    if (isEffectInstance(y)) {
      dispatch(this, y);
      return;
    }
    if (isPrimitive(y)) {
      execute(this, y as never);
      return;
    }
    if (isProgram(y)) {
      this.call(y);
      return;
    }
    // anything else is no library object (the brand lives on these classes' prototypes only)
    this.throwHere(invalidYield(y));
  }

  /** Call a ProgramLike from `cur`: a Program gets a frame; an Effect/Primitive is handled in place. */
  callProgramLike(p: unknown): void {
    if (isProgram(p)) this.call(p);
    else {
      this.mode = M_HANDLE_YIELD;
      this.value = p;
    }
  }

  /** Program call (§2.4.3): push a frame for a fresh generator; its result goes to the yielder. */
  call(p: Program): void {
    let gen: unknown;
    let name: string | null = null;
    switch (p.tag) {
      case P_GEN:
      case P_GEN1:
      case P_INTERNAL:
        try {
          gen =
            p.tag === P_GEN1
              ? (p.a as Function).call(undefined, p.b)
              : (p.a as Function).apply(undefined, p.b as unknown[]);
        } catch (e) {
          this.throwHere(e);
          return;
        }
        if (!isGeneratorObject(gen)) {
          const b = typeof gen === "object" ? brandOf(gen) : 0; // never throws on a hostile value
          if (b === B_PROGRAM || b === B_EFFECT || b === B_PRIMITIVE) {
            this.callProgramLike(gen);
            return;
          }
          this.throwHere(
            new TypeError(
              `program ${p.name || "(anonymous)"} did not return a generator (got ${describe(gen)}); pass a generator function: fn(function* ${p.name || "name"}() {...})`,
            ),
          );
          return;
        }
        name = p.tag !== P_INTERNAL ? p.name || "(anonymous)" : null;
        break;
      case P_PURE:
        this.mode = M_DELIVER;
        this.value = p.a;
        return;
      case P_MAP:
        gen = mapGen(p.a, p.b as (a: unknown) => unknown);
        break;
      case P_FLATMAP:
        gen = flatMapGen(p.a, p.b as (a: unknown) => unknown);
        break;
      case P_GENOBJ:
        gen = p.a;
        name = p.name;
        break;
      default:
        // the scheduler's task report: its code comes with the program (reported.ts), so that a
        // bundle without the scheduler does not carry it
        if (p.tag === P_REPORT && typeof p.b === "function") {
          (p.b as (m: Machine, p: Program) => void)(this, p);
          return;
        }
        // only a Program built by hand has another tag (doeff's own use the constants above): the
        // user's mistake, thrown where it was run, not a VMInternalError ending the run
        this.throwHere(
          new TypeError(
            `got a Program made with new Program(…), which doeff cannot run: make it with fn, program or pure`,
          ),
        );
        return;
    }
    // a hidden frame holds its boundary label, if any, where a named one holds its Program (Frame.program)
    const label = p.tag === P_INTERNAL && p.name !== "" ? p.name : null;
    const program = name === null ? label : p;
    let f = this.spare;
    if (f === null) {
      // Once every 65,536 frames made (a recursion makes one per level; a call that ended left the
      // spare the next takes), is `p` running inside itself without end? (invalid-yield.ts runaway;
      // the generator made is unstarted: dropped)
      if ((this.calls = (this.calls + 1) & 0xffff) === 0 && runaway(this, p)) return;
      f = new Frame(gen as Generator<unknown, unknown, unknown>, name, program);
    } else {
      // (as new: its `closing` and `site` are null, as afterCall kept it; `prev` is set by pushFrame)
      this.spare = null;
      f.gen = gen as Generator<unknown, unknown, unknown>;
      f.name = name;
      f.program = program;
    }
    pushFrame(this.cur, f);
    this.mode = M_DELIVER;
    this.value = undefined;
  }

  /** trace.sites: the yield site captured by the iterator that just yielded goes to the yielder. */
  private recordSite(): void {
    const site = siteState.last;
    siteState.last = null;
    const top = this.cur.top;
    // no site = a bare `yield` (no iterator ran): the frame's old site would mislead, so drop it
    if (top !== null) top.site = site;
  }

  /** Throw `e` into the yielder (the top frame of `cur`). */
  throwHere(e: unknown): void {
    this.noteError(e);
    this.mode = M_THROW;
    this.value = e;
  }

  /** The run ended with outcome (ok, value). */
  finish(ok: boolean, value: unknown): void {
    this.done = true;
    this.halt = true;
    this.ok = ok;
    this.result = value;
  }
}

/**
 * asyncEscape (and a FAST_PATH's awaitAnswer) under runAsync: stop stepping until the driver delivers
 * the outcome. (A function, not a method: a bundle that can make neither, the small import, leaves
 * it out, with its AsyncRequiredError.)
 */
export function suspendOn(m: Machine, thunk: () => unknown): void {
  if (m.ctx.driver === "sync") {
    m.throwHere(new AsyncRequiredError("asyncEscape"));
    return;
  }
  m.asyncThunk = thunk;
  m.awaitEffect = null;
  m.halt = true;
}

/**
 * Deliver `v` to the yielder (the top frame of `cur`). A function, not a method: only the rarer
 * primitives' executors call it (introspect.ts, rare-ops.ts), so the small import leaves it out.
 */
export function deliver(m: Machine, v: unknown): void {
  m.mode = M_DELIVER;
  m.value = v;
}
