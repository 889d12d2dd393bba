/**
 * Reference interpreter for the differential tests: a deliberately plain transcription of
 * SEMANTICS.md §2–§7. It shares no code with src/ and imports nothing from it.
 *
 * What it evaluates. A program (ast.ts) is printed once (print.ts); the VM side evaluates that text
 * with the real doeff API, and this side evaluates the very same text with `referenceApi` below — a
 * tiny runtime whose constructors (`fn`, `withHandler`, `resume`, `get`, …) only build inert request
 * objects. Within one frame, control flow (try/catch/finally, `return` in finally, …) is therefore
 * decided by JavaScript identically on both sides; everything *between* frames — calls, handlers,
 * capture, resumption, finalization, the standard handlers — is decided here.
 *
 * Model. The whole caller chain `cur → cur.caller → … → root` is ONE array, `stack` (top = last):
 *   Frame        a generator being driven (§2.1)
 *   Prompt       the boundary of one withHandler(h, ·)                      (prompt[h] segment)
 *   HandlerMark  bottom of one handler invocation's code                   (handler[inv] segment)
 *   FinMark      receiver of one finalization, holding its pending outcome (finalizer segment)
 * Body segments need no marker: their only rule ("no frames → continue at the caller") is what the
 * flat stack does anyway (every body segment sits on a Prompt). A continuation is the slice of the
 * stack it was cut from — perform site up to and including the taking Prompt; resuming pushes the
 * slice back on top of the resumer (§3: "the chain is moved"). Each Frame remembers the invocation of
 * the segment it was pushed in (`cur.invocation`, §2.1). Nothing here is optimised: capture copies.
 */
import type { Program } from "./ast.js";
import { API_NAMES, printForEval } from "./print.js";

// ---------------------------------------------------------------------------------------------
// Runtime objects (§1): everything a program can yield. Each yields itself once (`yield*`).
// ---------------------------------------------------------------------------------------------

abstract class Yieldable {
  *[Symbol.iterator](): Generator<unknown, unknown, unknown> {
    return yield this;
  }
}

/** Effect: users extend it; the class name identifies it (`A`, `Get`, …). */
class Effect extends Yieldable {}

/** Program: lazy, re-runnable — a fresh generator at every start (§1). */
class Prog extends Yieldable {
  constructor(readonly start: () => Gen) {
    super();
  }
}

type Op =
  | "withHandler"
  | "createContinuation"
  | "getHandlers"
  | "getContinuation"
  | "resume"
  | "discontinue"
  | "transfer"
  | "transferWith"
  | "pass"
  | "delegate"
  | "detach"
  | "finalize";

/** Primitive (§4): an instruction for the machine. */
class Prim extends Yieldable {
  constructor(
    readonly op: Op,
    readonly a: unknown,
    readonly b: unknown,
  ) {
    super();
  }
}

type Gen = Generator<unknown, unknown, unknown>;
/** The reference's TAKES (print.ts: a "takes" handler declares the classes it takes under it). */
const TAKES = Symbol("TAKES");
type Handler = ((e: Effect, k: Cont) => unknown) & {
  handles?: (e: Effect) => boolean;
  [TAKES]?: readonly (abstract new (...a: never[]) => Effect)[];
};

/** Does `h` take `e`? A TAKES declaration: an instance of one of its classes; else `handles`. */
function takesEffect(h: Handler, e: Effect): boolean {
  const classes = h[TAKES];
  if (classes !== undefined) return classes.some((c) => e instanceof c);
  return h.handles === undefined || h.handles(e);
}

/** A library error, named after the doeff class it stands for (§6). */
export class LibError extends Error {
  readonly key: string | undefined;
  constructor(name: string, message: string, key?: string) {
    super(message);
    this.name = name;
    this.key = key;
  }
}

/** Thrown out of `evaluate` when the reference itself reaches an impossible state. */
export class ReferenceBug extends Error {}

function unhandled(e: Effect, context: string): LibError {
  return new LibError("UnhandledEffectError", `no handler takes ${e.constructor.name}${context}`);
}
function consumed(): LibError {
  return new LibError("ContinuationConsumedError", "continuation already used");
}
function handlerContext(op: string): LibError {
  return new LibError("HandlerContextError", `${op}() outside a handler invocation or from a closing frame`);
}

/** §1: an Effect or Primitive used as a program is the one-step program `return yield* x`. */
function startProgramLike(p: unknown): Gen {
  if (p instanceof Prog) return p.start();
  if (p instanceof Effect || p instanceof Prim) return (p as Yieldable)[Symbol.iterator]();
  throw new ReferenceBug("not a ProgramLike");
}

// ---------------------------------------------------------------------------------------------
// Machine objects (§2.1)
// ---------------------------------------------------------------------------------------------

class Frame {
  started = false;
  /** the unwinding job closing this frame (§2.1 `closing`) */
  closing: Job | null = null;
  constructor(
    readonly gen: Gen,
    readonly inv: Inv | null,
  ) {}
}
class Prompt {
  constructor(readonly handler: Handler) {}
}
class HandlerMark {
  constructor(readonly inv: Inv) {}
}
class FinMark {
  constructor(
    readonly job: Job,
    /** the pending outcome (§5.2); null for a nested finalization inside an unwinding */
    readonly pending: Outcome | null,
    /** nested finalization (§5.2 unwind-exit rule): the unwinding to go on with afterwards */
    readonly resumeJob: Job | null,
  ) {}
}
type Item = Frame | Prompt | HandlerMark | FinMark;

/**
 * A continuation. Captured: stack items from its bottom Prompt up to the perform site. Unstarted
 * (createContinuation, §4): `items` is null; it holds a program and handlers (innermost first).
 */
class Cont {
  used = false;
  detached = false;
  constructor(
    readonly items: Item[] | null,
    readonly program: unknown = undefined,
    readonly handlers: readonly Handler[] = [],
  ) {}
}

class Inv {
  constructor(
    readonly handler: Handler,
    readonly effect: Effect,
    readonly k: Cont,
    /** getHandlers (§4): the handlers visible at the perform site when the effect was performed */
    readonly visible: readonly Handler[],
  ) {}
}

type Close = {
  readonly inv: Inv;
  readonly op: "transfer" | "transferWith" | "pass";
  readonly target: Cont;
  readonly arg: unknown;
};

/** An unwinding job (§5): a finalization, or closing an invocation before a terminal primitive (§5.3). */
class Job {
  hasError = false;
  error: unknown;
  constructor(readonly close: Close | null) {}
  /** first error wins (§5.2) */
  record(e: unknown): void {
    if (!this.hasError) {
      this.hasError = true;
      this.error = e;
    }
  }
}

export type Outcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: unknown };

/** §2.2 modes */
type Mode =
  | { readonly m: "deliver"; readonly v: unknown }
  | { readonly m: "throw"; readonly e: unknown }
  | { readonly m: "unwind"; readonly job: Job }
  | { readonly m: "yield"; readonly y: unknown }
  | { readonly m: "return"; readonly o: Outcome };

/** Coverage counters (what a case exercised), for tuning the generator. */
export type Stats = Record<string, number>;

// ---------------------------------------------------------------------------------------------
// The machine (§2–§5)
// ---------------------------------------------------------------------------------------------

class Machine {
  readonly stack: Item[] = [];
  mode: Mode;
  steps = 0;
  readonly stats: Stats = {};

  constructor(
    top: unknown,
    handlers: readonly Handler[],
    private readonly maxSteps: number,
  ) {
    // §8.3: handlers [h0, h1, h2] = withHandler(h0, withHandler(h1, withHandler(h2, p)))
    for (const h of handlers) this.stack.push(new Prompt(h));
    this.stack.push(new Frame(startProgramLike(top), null));
    this.mode = { m: "deliver", v: undefined };
  }

  private count(what: string): void {
    this.stats[what] = (this.stats[what] ?? 0) + 1;
  }

  run(): Outcome {
    for (;;) {
      if (++this.steps > this.maxSteps) throw new ReferenceBug("reference: step limit exceeded");
      const mode = this.mode;
      switch (mode.m) {
        case "deliver":
          this.resumeTop(false, mode.v);
          break;
        case "throw":
          this.resumeTop(true, mode.e);
          break;
        case "unwind":
          this.unwind(mode.job);
          break;
        case "yield":
          this.handleYield(mode.y);
          break;
        case "return": {
          const done = this.exit(mode.o);
          if (done !== null) return done;
          break;
        }
      }
    }
  }

  private top(): Item | undefined {
    return this.stack[this.stack.length - 1];
  }

  /** The yielder: the top frame of `cur` (effects and primitives are always yielded by one). */
  private yielder(): Frame {
    const f = this.top();
    if (!(f instanceof Frame)) throw new ReferenceBug("no yielder frame");
    return f;
  }

  private deliver(v: unknown): void {
    this.mode = { m: "deliver", v };
  }
  private throwHere(e: unknown): void {
    this.mode = { m: "throw", e };
  }
  private outcome(o: Outcome): void {
    this.mode = o.ok ? { m: "deliver", v: o.value } : { m: "throw", e: o.error };
  }

  /** §2.2 Deliver(v) / Throw(e): call into the top frame; no frame → Return. */
  private resumeTop(isThrow: boolean, x: unknown): void {
    const f = this.top();
    if (!(f instanceof Frame)) {
      this.mode = { m: "return", o: isThrow ? { ok: false, error: x } : { ok: true, value: x } };
      return;
    }
    let r: IteratorResult<unknown, unknown>;
    try {
      if (isThrow) {
        f.started = true; // §2.2: Throw also when unstarted
        r = f.gen.throw(x);
      } else if (!f.started) {
        f.started = true; // §2.2: an unstarted frame is started; v is ignored
        r = f.gen.next();
      } else r = f.gen.next(x);
    } catch (e) {
      this.stack.pop();
      this.frameThrew(f, e);
      return;
    }
    this.afterCall(f, r);
  }

  /** §2.2 outcome of calling into F: yielded → HandleYield; completed / threw → pop (closing → Unwind). */
  private afterCall(f: Frame, r: IteratorResult<unknown, unknown>): void {
    if (r.done !== true) {
      this.mode = { m: "yield", y: r.value }; // re-push rule: F stays on top
      return;
    }
    this.stack.pop();
    if (f.closing !== null) this.mode = { m: "unwind", job: f.closing };
    else this.deliver(r.value);
  }

  private frameThrew(f: Frame, e: unknown): void {
    if (f.closing !== null) {
      f.closing.record(e); // §5.2: a finally block that throws: recorded, unwinding goes on
      this.mode = { m: "unwind", job: f.closing };
    } else this.throwHere(e);
  }

  /**
   * §4 starting an unstarted continuation from the top of the stack = executing
   * withHandler(hs[n-1], … withHandler(hs[0], program)) there, with invocation = null.
   */
  private startUnstarted(k: Cont): void {
    k.used = true;
    for (let i = k.handlers.length - 1; i >= 0; i--) this.stack.push(new Prompt(k.handlers[i]!));
    this.stack.push(new Frame(startProgramLike(k.program), null));
    this.deliver(undefined);
  }

  /** §2.3 exit rules: Return(o) at the empty `cur`. Returns the run's outcome when the root is left. */
  private exit(o: Outcome): Outcome | null {
    const s = this.top();
    if (s === undefined) return o; // root: the run ends with o
    if (s instanceof Prompt) {
      this.stack.pop(); // prompt (and body): continue at the caller
      this.outcome(o);
      return null;
    }
    if (s instanceof HandlerMark) {
      // handler[inv]: the invocation ended with o; finalize inv.k first unless used or detached (§5.1)
      this.stack.pop();
      const k = s.inv.k;
      if (!k.used && !k.detached) this.startFinalization(k, o, null);
      else this.outcome(o);
      return null;
    }
    if (s instanceof FinMark) {
      // §5.2 completion by ordinary flow (an error reaching FR counts as recorded)
      if (!o.ok) s.job.record(o.error);
      this.stack.pop();
      this.completeFinalization(s);
      return null;
    }
    throw new ReferenceBug("Return with a frame on top");
  }

  /**
   * §5.2: mark k used, put FR (holding the pending outcome) where k's bottom prompt will return to,
   * put k back above it and unwind from k's top. FR's caller is the current top of the stack: for an
   * ended invocation that is HS.caller (its mark was popped), for finalize(k) it is the yielder.
   */
  private startFinalization(k: Cont, pending: Outcome | null, resumeJob: Job | null): void {
    this.count(resumeJob !== null ? "fin-nested" : "fin");
    k.used = true;
    const job = new Job(null);
    this.stack.push(new FinMark(job, pending, resumeJob), ...k.items!);
    this.mode = { m: "unwind", job };
  }

  /** §5.2 FR delivers: the pending error; else the first recorded error; else the pending value. */
  private completeFinalization(fr: FinMark): void {
    if (fr.resumeJob !== null) {
      // nested finalization done: go on with the enclosing unwinding (its errors count there too)
      if (fr.job.hasError) fr.resumeJob.record(fr.job.error);
      this.mode = { m: "unwind", job: fr.resumeJob };
      return;
    }
    const p = fr.pending!;
    if (!p.ok) this.throwHere(p.error);
    else if (fr.job.hasError) this.throwHere(fr.job.error);
    else this.deliver(p.value);
  }

  /** §2.2 Unwind(J): close the top frame with return(), or apply the unwind-exit rule (§5.2). */
  private unwind(job: Job): void {
    const s = this.top();
    if (s instanceof Frame) {
      const prev = s.closing;
      if (prev !== null && prev !== job && prev.close !== null) {
        // §5.3 (intent, as for a finally that throws): a newer unwinding takes over a frame an
        // invocation's closing was closing, so that terminal primitive is never performed: its
        // target becomes unused again, and §5.1 finalizes the invocation's k when HS is reached
        this.count("close-interrupted");
        prev.close.target.used = false;
      }
      s.closing = job;
      let r: IteratorResult<unknown, unknown>;
      try {
        r = s.gen.return(undefined);
      } catch (e) {
        this.stack.pop();
        this.frameThrew(s, e);
        return;
      }
      this.afterCall(s, r);
      return;
    }
    if (s instanceof Prompt) {
      this.stack.pop(); // prompts are passed through
      return;
    }
    if (s instanceof HandlerMark) {
      if (job.close !== null && job.close.inv === s.inv) {
        this.completeClose(job.close, job);
        return;
      }
      // the invocation ended by closing: apply §5.1 to its k (nested finalization) first
      this.stack.pop();
      const k = s.inv.k;
      if (!k.used && !k.detached) this.startFinalization(k, null, job);
      return;
    }
    if (s instanceof FinMark) {
      this.stack.pop();
      if (s.job === job) this.completeFinalization(s);
      // else: abrupt exit outside k — a newer unwinding passes through FR, discarding its outcome
      else this.count("abrupt-exit-outside");
      return;
    }
    throw new ReferenceBug("unwinding reached the root");
  }

  /** §5.3: the invocation's frames are closed (HS is empty): perform the terminal primitive, or abandon it. */
  private completeClose(c: Close, job: Job): void {
    if (job.hasError) {
      this.count("close-aborted");
      // a finally block threw: the target becomes unused again; the invocation ends with the error
      c.target.used = false;
      this.mode = { m: "return", o: { ok: false, error: job.error } };
      return;
    }
    this.stack.pop(); // the invocation ends; HS.caller is now the top of the stack
    switch (c.op) {
      case "transfer":
        if (c.target.items === null)
          this.startUnstarted(c.target); // started on HS.caller
        else {
          this.stack.push(...c.target.items); // k.bottom.caller := HS.caller
          this.deliver(c.arg);
        }
        return;
      case "transferWith": {
        this.stack.push(...c.target.items!);
        const site = this.yielder(); // p's frame is pushed on k.top, in the perform site's segment
        this.stack.push(new Frame(startProgramLike(c.arg), site.inv));
        this.deliver(undefined);
        return;
      }
      case "pass": {
        // §3 pass: restore p.caller := HS.caller, then search again from HS.caller
        const outer = this.stack.length;
        this.stack.push(...c.target.items!);
        const e = (c.arg as Effect | undefined) ?? c.inv.effect;
        let q: number;
        try {
          q = this.search(e, outer - 1);
        } catch (err) {
          this.throwHere(err); // a throwing `handles`: at the perform site (§1)
          return;
        }
        if (q < 0)
          this.throwHere(unhandled(e, " (passed on)")); // into k.top's top frame: the perform site
        else this.capture(q, e); // k′ spans the original perform site through p, down to q
        return;
      }
    }
  }

  /** §3 search: the innermost prompt at or below stack index `from` whose handler takes e; -1 if none. */
  private search(e: Effect, from: number): number {
    for (let i = from; i >= 0; i--) {
      const it = this.stack[i];
      if (it instanceof Prompt && takesEffect(it.handler, e)) return i;
    }
    return -1;
  }

  /** Handlers of the prompts on the stack, innermost first. */
  private visibleHandlers(): Handler[] {
    const out: Handler[] = [];
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const it = this.stack[i];
      if (it instanceof Prompt) out.push(it.handler);
    }
    return out;
  }

  /** §3 capture + invoke: k := stack[q..top]; HS := handler[inv] on what is left (O); call handler(e, k). */
  private capture(q: number, e: Effect): void {
    const visible = this.visibleHandlers();
    const k = new Cont(this.stack.splice(q));
    const h = (k.items![0] as Prompt).handler;
    this.count(`invoke:${/^u\d/.test(h.name) ? "custom" : h.name}`);
    const inv = new Inv(h, e, k, visible);
    this.stack.push(new HandlerMark(inv));
    let r: unknown;
    try {
      r = h(e, k);
    } catch (err) {
      this.mode = { m: "return", o: { ok: false, error: err } }; // a synchronous throw ends HS
      return;
    }
    let gen: Gen;
    if (r instanceof Yieldable) gen = startProgramLike(r);
    else if (isGenerator(r)) gen = r;
    else {
      this.mode = { m: "return", o: { ok: false, error: new TypeError("handler returned a non-program") } };
      return;
    }
    this.stack.push(new Frame(gen, inv));
    this.deliver(undefined);
  }

  /** §3 perform e from the yielder. */
  private perform(e: Effect): void {
    let q: number;
    try {
      q = this.search(e, this.stack.length - 1);
    } catch (err) {
      this.throwHere(err); // a throwing `handles`: at the perform site (§1)
      return;
    }
    if (q >= 0) this.capture(q, e);
    else {
      this.count("unhandled");
      this.throwHere(unhandled(e, ""));
    }
  }

  /** §2.4 HandleYield: classify and act; §4 primitives. */
  private handleYield(y: unknown): void {
    const f = this.yielder();
    if (f.closing !== null) this.count("yield-while-closing");
    if (y instanceof Effect) {
      this.count(`perform:${y.constructor.name}`);
      this.perform(y);
      return;
    }
    if (y instanceof Prog) {
      // §2.4.3 call: push a frame for a fresh generator on cur (same segment, same invocation)
      this.count("call");
      this.stack.push(new Frame(y.start(), f.inv));
      this.deliver(undefined);
      return;
    }
    if (!(y instanceof Prim)) {
      this.throwHere(new TypeError("yielded a value that is not an Effect, Program or primitive"));
      return;
    }
    this.count(y.op);
    switch (y.op) {
      case "withHandler":
        // prompt[h] (caller cur), then a body segment inheriting cur.invocation; start p in it
        this.stack.push(new Prompt(y.a as Handler), new Frame(startProgramLike(y.b), f.inv));
        this.deliver(undefined);
        return;
      case "resume":
      case "discontinue": {
        // k.bottom.caller := cur; Deliver(v) / Throw(e) at k.top
        const k = y.a as Cont;
        if (k.used) {
          this.throwHere(consumed());
          return;
        }
        k.used = true;
        if (k.items === null) {
          // unstarted: resume starts it (v ignored); discontinue never starts it, e is thrown here
          if (y.op === "resume") this.startUnstarted(k);
          else this.throwHere(y.b);
          return;
        }
        this.stack.push(...k.items);
        if (y.op === "resume") this.deliver(y.b);
        else this.throwHere(y.b);
        return;
      }
      case "transfer":
      case "transferWith":
      case "pass": {
        // handler-only (checked first), then "terminal primitive from a closing frame", then Consumed
        const inv = f.inv;
        if (inv === null || f.closing !== null) {
          this.throwHere(handlerContext(y.op));
          return;
        }
        const target = y.op === "pass" ? inv.k : (y.a as Cont);
        if (target.used) {
          this.throwHere(consumed());
          return;
        }
        if (y.op === "transferWith" && target.items === null) {
          this.throwHere(new TypeError("transferWith needs a started continuation"));
          return;
        }
        // §5.3: mark the target used, close every frame from cur down to HS inclusive, then perform
        target.used = true;
        const arg = y.op === "pass" ? y.a : y.b;
        this.mode = { m: "unwind", job: new Job({ inv, op: y.op, target, arg }) };
        return;
      }
      case "delegate": {
        // §3 delegate: an ordinary perform from the handler's position
        const inv = f.inv;
        if (inv === null) this.throwHere(handlerContext("delegate"));
        else this.perform((y.a as Effect | undefined) ?? inv.effect);
        return;
      }
      case "detach": {
        // §5.4: marks k kept; no-op if used
        const k = y.a as Cont;
        if (!k.used) k.detached = true;
        this.deliver(undefined);
        return;
      }
      case "finalize": {
        // finalize(k): FR.caller = cur (the yielder), pending = undefined
        const k = y.a as Cont;
        if (k.used) this.throwHere(consumed());
        else if (k.items === null) {
          k.used = true; // unstarted: just used
          this.deliver(undefined);
        } else this.startFinalization(k, { ok: true, value: undefined }, null);
        return;
      }
      case "createContinuation":
        this.deliver(new Cont(null, y.a, y.b as Handler[]));
        return;
      case "getHandlers": {
        const inv = f.inv;
        if (inv === null) this.throwHere(handlerContext("getHandlers"));
        else this.deliver(inv.visible.slice());
        return;
      }
      case "getContinuation": {
        const inv = f.inv;
        if (inv === null) this.throwHere(handlerContext("getContinuation"));
        else this.deliver(inv.k);
        return;
      }
    }
  }
}

function isGenerator(x: unknown): x is Gen {
  return typeof x === "object" && x !== null && typeof (x as Gen).next === "function";
}

// ---------------------------------------------------------------------------------------------
// The API the printed programs use (print.ts API_NAMES), reference edition
// ---------------------------------------------------------------------------------------------

class Get extends Effect {
  constructor(readonly key: string) {
    super();
  }
}
class Put extends Effect {
  constructor(
    readonly key: string,
    readonly value: unknown,
  ) {
    super();
  }
}
class Modify extends Effect {
  constructor(
    readonly key: string,
    readonly f: (old: unknown) => unknown,
  ) {
    super();
  }
}
class Ask extends Effect {
  constructor(readonly key: string) {
    super();
  }
}
class Local extends Effect {
  constructor(
    readonly patch: Readonly<Record<string, unknown>>,
    readonly program: unknown,
  ) {
    super();
  }
}
class Tell extends Effect {
  constructor(readonly message: unknown) {
    super();
  }
}
class Listen extends Effect {
  constructor(readonly program: unknown) {
    super();
  }
}
/** §9 scheduler effect (no scheduler is ever installed here: performing it is an unhandled effect) */
class CreatePromise extends Effect {}

/** An env view (§7.4): immutable; `evaluating` marks the lazy programs being evaluated along it. */
interface Env {
  readonly map: ReadonlyMap<string, unknown>;
  readonly evaluating: ReadonlySet<unknown>;
}

/** Store of one run (§7.1 L2; the main task only) and the reader's per-run lazy-value cache. */
interface World {
  readonly state: Map<string, unknown>;
  env: Env;
  readonly log: unknown[];
  readonly lazyCache: Map<unknown, unknown>;
  readonly inflight: Set<unknown>;
}

function raise(error: unknown): Prog {
  return new Prog(function* raiseGen(): Gen {
    throw error;
  });
}

function handler(name: string, handles: (e: Effect) => boolean, g: (e: any, k: Cont) => Gen): Handler {
  Object.defineProperty(g, "name", { value: name });
  return Object.assign(g, { handles });
}

/** §7: state, reader, writer as ordinary handlers answering with transfer / transferWith(k, throwing). */
function standardHandlers(world: World) {
  /** §7.3 State: Get (absent key → MissingStateKeyError), Put, Modify (new value; f throws → nothing stored) */
  const state = handler(
    "state",
    (e) => e instanceof Get || e instanceof Put || e instanceof Modify,
    function* (e: Get | Put | Modify, k) {
      let v: unknown;
      try {
        if (e instanceof Get) {
          if (!world.state.has(e.key)) throw new LibError("MissingStateKeyError", `no key ${e.key}`, e.key);
          v = world.state.get(e.key);
        } else if (e instanceof Put) world.state.set(e.key, e.value);
        else {
          v = e.f(world.state.get(e.key));
          world.state.set(e.key, v);
        }
      } catch (err) {
        return yield new Prim("transferWith", k, raise(err)); // thrown at the perform site
      }
      return yield new Prim("transfer", k, v);
    },
  );
  /**
   * §7.4 Reader: Ask (absent → MissingEnvKeyError; a Program value is lazy: evaluated at its first ask,
   * at the ask site, under an env marked "evaluating it", cached per run; failures not cached; an ask
   * whose env carries the marker → CircularAskError; any other ask arriving while it is in flight
   * waits for it "via CreatePromise/Wait at its own site" — with no scheduler installed, the
   * CreatePromise is unhandled), Local.
   */
  const reader = handler(
    "reader",
    (e) => e instanceof Ask || e instanceof Local,
    function* (e: Ask | Local, k) {
      if (e instanceof Local) {
        const { patch, program } = e;
        // runs at the perform site with the env overlaid; restored on success, error and finalization
        const overlay = new Prog(function* local(): Gen {
          const prev = world.env;
          world.env = { map: new Map([...prev.map, ...Object.entries(patch)]), evaluating: prev.evaluating };
          try {
            return yield program;
          } finally {
            world.env = prev;
          }
        });
        return yield new Prim("transferWith", k, overlay);
      }
      const env = world.env;
      if (!env.map.has(e.key)) {
        return yield new Prim("transferWith", k, raise(new LibError("MissingEnvKeyError", e.key, e.key)));
      }
      const v = env.map.get(e.key);
      if (!(v instanceof Prog)) return yield new Prim("transfer", k, v);
      if (world.lazyCache.has(v)) return yield new Prim("transfer", k, world.lazyCache.get(v));
      if (env.evaluating.has(v)) {
        return yield new Prim("transferWith", k, raise(new LibError("CircularAskError", e.key, e.key)));
      }
      if (world.inflight.has(v)) {
        // reached only when the evaluation's continuation was dropped (transferred away / detached)
        const wait = new Prog(function* waitForLazy(): Gen {
          yield new CreatePromise();
          throw new ReferenceBug("a CreatePromise was answered, but no scheduler is modelled");
        });
        return yield new Prim("transferWith", k, wait);
      }
      const evaluation = new Prog(function* lazy(): Gen {
        world.inflight.add(v);
        world.env = { map: env.map, evaluating: new Set([...env.evaluating, v]) };
        try {
          const value = yield v;
          world.lazyCache.set(v, value);
          return value;
        } finally {
          world.env = env; // restored on success, error and finalization
          world.inflight.delete(v);
        }
      });
      return yield new Prim("transferWith", k, evaluation);
    },
  );
  /** §7.5 Writer: Tell appends unchanged; Listen runs p at the perform site → {value, log slice} */
  const writer = handler(
    "writer",
    (e) => e instanceof Tell || e instanceof Listen,
    function* (e: Tell | Listen, k) {
      if (e instanceof Tell) {
        world.log.push(e.message);
        return yield new Prim("transfer", k, undefined);
      }
      const { program } = e;
      const listening = new Prog(function* listen(): Gen {
        const start = world.log.length;
        const value = yield program; // if it throws, nothing is captured
        return { value, log: world.log.slice(start) };
      });
      return yield new Prim("transferWith", k, listening);
    },
  );
  return { state, reader, writer };
}

/**
 * §7.7 intercept(p, transform) = withHandler(interceptor, p); the interceptor takes every effect:
 * undefined → pass(); an Effect → pass(e2); a ProgramLike → transferWith(k, q); else TypeError at the
 * perform site; a throwing transform → its error at the perform site.
 */
function intercept(p: unknown, transform: (e: Effect) => unknown): Prim {
  const interceptor = function* interceptor(e: Effect, k: Cont): Gen {
    let r: unknown;
    try {
      r = transform(e);
    } catch (err) {
      return yield new Prim("transferWith", k, raise(err));
    }
    if (r === undefined) return yield new Prim("pass", undefined, undefined);
    if (r instanceof Effect) return yield new Prim("pass", r, undefined);
    if (r instanceof Prog || r instanceof Prim) return yield new Prim("transferWith", k, r);
    return yield new Prim(
      "transferWith",
      k,
      raise(new TypeError("intercept transform returned a bad value")),
    );
  };
  return new Prim("withHandler", interceptor, p);
}

/** The reference bindings for print.ts's API_NAMES. */
function referenceApi(world: World): Record<(typeof API_NAMES)[number], unknown> {
  const fn =
    (g: (...args: unknown[]) => Gen) =>
    (...args: unknown[]) =>
      new Prog(() => g(...args));
  return {
    Effect,
    fn,
    program: (g: () => Gen) => fn(g)(),
    withHandler: (h: Handler, p: unknown) => new Prim("withHandler", h, p),
    resume: (k: Cont, v: unknown) => new Prim("resume", k, v),
    transfer: (k: Cont, v: unknown) => new Prim("transfer", k, v),
    transferWith: (k: Cont, p: unknown) => new Prim("transferWith", k, p),
    discontinue: (k: Cont, e: unknown) => new Prim("discontinue", k, e),
    pass: (e?: Effect) => new Prim("pass", e, undefined),
    delegate: (e?: Effect) => new Prim("delegate", e, undefined),
    detach: (k: Cont) => new Prim("detach", k, undefined),
    finalize: (k: Cont) => new Prim("finalize", k, undefined),
    get: (key: string) => new Get(key),
    put: (key: string, v: unknown) => new Put(key, v),
    modify: (key: string, f: (old: unknown) => unknown) => new Modify(key, f),
    ask: (key: string) => new Ask(key),
    local: (patch: Record<string, unknown>, p: unknown) => new Local({ ...patch }, p),
    tell: (m: unknown) => new Tell(m),
    listen: (p: unknown) => new Listen(p),
    Tell,
    pure: (v: unknown) =>
      new Prog(function* pure(): Gen {
        return v;
      }),
    createContinuation: (p: unknown, hs: Handler[] = []) => new Prim("createContinuation", p, hs.slice()),
    resumeContinuation: (k: Cont, v: unknown) => new Prim("resume", k, v),
    getHandlers: () => new Prim("getHandlers", undefined, undefined),
    getContinuation: () => new Prim("getContinuation", undefined, undefined),
    Get,
    Put,
    Modify,
    Ask,
    Local,
    Listen,
    TAKES,
    intercept,
    /** §7.6 safe(p): a Program catching every error thrown out of p (a return() is not an error) */
    safe: (p: unknown) =>
      new Prog(function* safe(): Gen {
        try {
          return { ok: true, value: yield p };
        } catch (error) {
          return { ok: false, error };
        }
      }),
    ...standardHandlers(world),
  };
}

export interface RefResult {
  readonly outcome: Outcome;
  readonly store: Record<string, unknown>;
  readonly log: unknown[];
  readonly steps: number;
  readonly stats: Stats;
}

/**
 * Evaluate program source written against API_NAMES whose last statement is
 * `return { main, handlers, store, env }` (the run's program and options): the expected value or
 * error, final store and log (§8.2, §8.4).
 */
export function evaluateSource(src: string, maxSteps = 1_000_000): RefResult {
  const world: World = {
    state: new Map(),
    env: { map: new Map(), evaluating: new Set() },
    log: [],
    lazyCache: new Map(),
    inflight: new Set(),
  };
  const api = referenceApi(world);
  const make = new Function(...API_NAMES, src) as (...a: unknown[]) => {
    main: unknown;
    handlers?: Handler[];
    store?: Record<string, unknown>;
    env?: Record<string, unknown>;
  };
  const { main, handlers = [], store = {}, env = {} } = make(...API_NAMES.map((n) => api[n]));
  for (const [key, v] of Object.entries(store)) world.state.set(key, v);
  world.env = { map: new Map(Object.entries(env)), evaluating: new Set() };
  const m = new Machine(main, handlers, maxSteps);
  const outcome = m.run();
  return {
    outcome,
    store: Object.fromEntries(world.state),
    log: world.log.slice(),
    steps: m.steps,
    stats: m.stats,
  };
}

/** Evaluate a generated program (its printed source). */
export function evaluate(ast: Program, maxSteps = 1_000_000): RefResult {
  return evaluateSource(printForEval(ast), maxSteps);
}
