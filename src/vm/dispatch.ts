/**
 * Dispatch and capture (SEMANTICS §3). Search visits prompts only (INV-8); capture moves the chain
 * `cur → … → prompt` out of the live chain in O(1); the handler then runs *outside* its own prompt,
 * so its effects reach only handlers further out (INV-14) and no busy set is needed.
 */
import { UnhandledEffectError } from "../errors.js";
import {
  BRAND,
  brandOf,
  classCalled,
  describe,
  isAsyncIterator,
  isGeneratorObject,
  isNativeGenerator,
  isThenable,
} from "./brand.js";
import { type Continuation, captured } from "./continuation.js";
import { DEFER, type Handler, SITE_PASS, SITE_SWITCH } from "./handler.js";
import type { Machine } from "./machine.js";
import { M_DELIVER, M_HANDLE_YIELD, M_RETURN_ERROR, M_THROW, M_UNWIND } from "./modes.js";
import { isPrimitive, type Primitive } from "./primitives.js";
import { checked } from "./result.js";
import { Once } from "./once.js";
import { MARK_THREW } from "../trace/entries.js";
import { Frame, type Invocation, Job, newInvocation, SearchCache, type Segment } from "./segment.js";
import { hopAdd, hopInner, hopKeys, hopOuter } from "./segment.js";
import {
  B_EFFECT,
  B_PRIMITIVE,
  B_PROGRAM,
  J_CLOSE,
  OP_RESUME,
  OP_TRANSFER,
  SC_LONG,
  SC_SHARED,
  S_HANDLER,
} from "./codes.js";
import { LONG_WALK } from "./codes.js";

/** Is `proto` (an effect's prototype) or one of its ancestors among `protos`? */
function protoTakes(protos: readonly object[], proto: unknown): boolean {
  let q = proto;
  while (q !== null && q !== undefined) {
    for (let i = 0; i < protos.length; i++) if (q === protos[i]) return true;
    q = Object.getPrototypeOf(q);
  }
  return false;
}

/** Does the handler of prompt `p` take `e`? May throw (a `handles` predicate, a hostile Proxy). */
function takes(p: Segment, e: unknown, proto: unknown): boolean {
  const ps = p.takes;
  if (ps !== null) return protoTakes(ps, proto);
  const h = p.handler!;
  const pred = h.handles;
  return pred === undefined || !!pred.call(h, e);
}

/**
 * Find the first prompt on `from`'s chain whose handler takes `e`, or null when none does. Throws
 * what a `handles` predicate throws (callers throw it at the perform site, SEMANTICS §1).
 */
export function search(m: Machine, from: Segment | null, e: unknown): Segment | null {
  let p = from === null ? null : from.firstPrompt;
  if (p === null) return null;
  const proto = Object.getPrototypeOf(e);
  const ps = p.takes;
  if (ps !== null) {
    // a cached class-based taker further out: one compare, no predicate
    const cache = p.cache;
    if (cache !== null && cache.epoch === m.linkEpoch) {
      const hit = cache.taker(proto);
      if (hit !== null) return hit;
    }
    // the common case: the innermost handler takes it (its own class first: Get, a Tick)
    for (let i = 0; i < ps.length; i++) if (proto === ps[i]) return p;
    const c = p.caller;
    const q = c === null ? null : c.firstPrompt;
    const qs = q === null ? null : q.takes;
    // the next prompt's, when they are the one-hop pair remembered and it knows proto (see hopAdd)
    if (ps === hopInner && qs === hopOuter && hopKeys.includes(proto)) return q;
    if (protoTakes(ps, proto)) return p; // (a base class of it)
    // a class-based taker next out: the answer, remembered, with no search cache made here for one
    // prompt skipped (a task's clock prompt inside its scheduler prompt made one per task)
    if (qs !== null && protoTakes(qs, proto)) return hopAdd(ps, q!, proto);
    p = skipDeclining(m, p, proto, q);
  }
  while (p !== null) {
    if (takes(p, e, proto)) return p;
    const c = p.caller;
    p = c === null ? null : c.firstPrompt;
  }
  return null;
}

/** Prompts the uncached skip walk has visited (tests check the search's complexity with it). */
export const searchStats = { walked: 0 };

/*
 * The search-cache invariant. An entry of a cache of this epoch (`epoch === m.linkEpoch`) was made
 * by a walk that went past prompts q0 (the cache's prompt), q1, … — each declined the effect and the
 * walk went on through its caller — up to the entry's skip, maybe taking the entry of a prompt
 * further out on the way (made the same way in this epoch). The answer holds while those prompts'
 * callers are what they were: firstPrompt is fixed (INV-8), and only a prompt's caller changes. So:
 *
 *   every prompt a walk went past in this epoch holds a cache of this epoch
 *   (its own, or the shared mark when it has none), until the epoch ends.
 *
 * The walk puts the mark on those that hold none (or a stale one); a cache of the epoch is only ever
 * made by a walk that went past its prompt, or is the mark, so holding one says exactly that; and
 * nothing takes one away within the epoch (a task's cache dropped while it waits leaves the mark:
 * dropSearchCache). A capture sets a prompt's caller to null without a bump: nothing whose chain runs
 * through a captured prompt searches until it is linked again. `link` (eras.ts) then moves the epoch
 * only when the prompts outside the prompt change and it is marked (segment.ts walkedPast): an
 * unmarked prompt's caller is on no valid entry's walk. (A continuation resumed under other
 * handlers than it was captured from, as a generator handed around is, used to send every search
 * in the run, other tasks' too, past all their handlers again.)
 */

/**
 * The mark of epoch `m.linkEpoch` for prompts that have no cache of their own (see above): shared
 * by every run at that epoch, since it holds no entries and is never written to.
 */
function passMark(m: Machine): SearchCache {
  if (mark.epoch !== m.linkEpoch) {
    mark = new SearchCache(m.linkEpoch);
    mark.found = SC_SHARED;
  }
  return mark;
}
let mark = new SearchCache(-1);

/**
 * From `start` (whose class-based handler declines effects with prototype `proto`: search tested it),
 * skip the prompts whose class-based handlers decline them;
 * the answer is cached on `start` (see SearchCache), every prompt gone past marked (see above).
 * `tested`: the prompt next out, when search has just found that a class-based handler of it declines
 * too (testing it again here cost handler_per_level ~5 %), else null or any prompt not class-based.
 */
function skipDeclining(m: Machine, start: Segment, proto: unknown, tested: Segment | null): Segment | null {
  if (proto === null || proto === undefined) return start; // no class: nothing to skip by
  const epoch = m.linkEpoch;
  const cache = start.cache;
  if (cache !== null && cache.epoch === epoch) {
    const hit = cache.skip(proto); // (the mark: undefined)
    if (hit !== undefined) return hit;
  }
  let p: Segment | null = start;
  let n = 0;
  while (p !== null) {
    searchStats.walked++;
    n++;
    const ps = p.takes;
    if (p !== start) {
      // (start declines: search has just tested it)
      if (ps === null || (p !== tested && protoTakes(ps, proto))) break;
      const pc = p.cache;
      if (pc === null || pc.epoch !== epoch) p.cache = passMark(m);
      else {
        // a prompt further out that already knows the answer: take it (a recursion installing a
        // handler per level searched every level's prompts again from each new one: O(depth²))
        const hit = pc.skip(proto);
        if (hit !== undefined) {
          p = hit;
          break;
        }
      }
    }
    const c: Segment | null = p.caller;
    p = c === null ? null : c.firstPrompt;
  }
  if (p === start) return p; // nothing skipped: not worth an entry
  let own = cache;
  if (own === null || own.epoch !== epoch || (own.found & SC_SHARED) !== 0)
    own = start.cache = new SearchCache(epoch); // (start was gone past: now it holds a cache of this epoch)
  own.add(proto, p);
  if (n >= LONG_WALK) own.found |= SC_LONG;
  return p;
}

/**
 * A task blocking at `site` (site-answers.ts switchAtSite): the search cache its perform site started from
 * is dropped while it waits (112 B per blocked task: a queue producer's jobs), to be made again when it
 * goes on — unless that costs a long walk at every switch back (a task's body inside many handlers,
 * answered by one outside them all: each effect class walked them all again after every wait). A
 * cache of this epoch is replaced by the mark (the invariant above). `p`: the site's first prompt.
 */
export function dropSearchCache(m: Machine, p: Segment): void {
  const c = p.cache;
  if (c !== null && (c.found & SC_LONG) === 0) p.cache = c.epoch === m.linkEpoch ? passMark(m) : null;
}

/** Handlers of the prompts on `seg`'s caller chain, innermost first. */
export function visibleHandlers(seg: Segment | null): Handler[] {
  const out: Handler[] = [];
  let p = seg === null ? null : seg.firstPrompt;
  while (p !== null) {
    out.push(p.handler!);
    const c = p.caller;
    p = c === null ? null : c.firstPrompt;
  }
  return out;
}

/**
 * Perform effect `e` from `cur` (the yielder is its top frame); → the prompt that took it, or null.
 * Every effect comes through here, the standard ones too — a FAST_PATH answers only after this search
 * chose its handler — so a handler installed inside `state` takes `Get` (INV-9, no bypass).
 */
export function dispatch(m: Machine, e: unknown): Segment | null {
  const site = m.cur;
  let p: Segment | null;
  try {
    p = search(m, site, e);
  } catch (err) {
    m.throwHere(err); // a `handles` predicate threw (or a hostile effect): at the perform site
    return null;
  }
  if (p === null) {
    // performed by a handler's own code (`delegate()`, or an effect of its own): only the handlers
    // outside it were searched, and the message says so (off the hot path: the unhandled branch)
    const inv = site.invocation;
    const by =
      inv === null
        ? ""
        : ` (${inv.effect === e ? "delegated" : "performed"} by handler ${describe(inv.handler)}; none outside it takes it)`;
    m.throwHere(new UnhandledEffectError(e, visibleHandlers(site), by));
    return null;
  }
  deliverTo(m, p, e, site);
  return p;
}

/** Hand `e`, performed at `site`, to the handler of prompt `p` (capture + invoke, or the fast path). */
export function deliverTo(m: Machine, p: Segment, e: unknown, site: Segment): void {
  const h = p.handler!;
  const fast = p.fast;
  if (fast !== undefined) {
    // Equivalent to the handler doing transfer(k, answer): the answer is delivered at the perform
    // site and the chain is unchanged, so nothing needs capturing.
    let r: unknown;
    try {
      r = fast(e, m.ctx, site, p);
    } catch (err) {
      m.cur = site;
      m.noteError(err, { effect: e, site, taker: p, marker: MARK_THREW });
      m.mode = M_THROW;
      m.value = err;
      return;
    }
    if (r !== DEFER) {
      m.cur = site;
      if (r === SITE_SWITCH) {
        // (a task switch or a wait for the driver, site-answers.ts, or a program called at the site,
        // call-at-site.ts)
        const call = SITE_SWITCH.call!;
        SITE_SWITCH.call = null;
        call(m, p, e, site);
        return;
      }
      m.mode = M_DELIVER;
      m.value = r;
      return;
    }
    if (SITE_PASS.on) {
      SITE_PASS.on = false;
      passOn(m, p.caller, e, site);
      return;
    }
  }
  const k = captured(m, site, p);
  if (m.tracer === null && !m.sites) {
    invokeTail(m, p, h, e, k, site);
    return;
  }
  const outer = p.caller;
  p.caller = null;
  p.detachedFrom = outer;
  invoke(m, h, e, k, outer);
}

/**
 * Go on with effect `e`, performed at `site`, from segment `from` outward: pass (§3) and a FAST_PATH's
 * SITE_PASS. An error finding the next handler, or none, is thrown at the perform site.
 */
export function passOn(m: Machine, from: Segment | null, e: unknown, site: Segment): Segment | null {
  let q: Segment | null;
  try {
    q = search(m, from, e);
  } catch (err) {
    m.cur = site;
    m.throwHere(err); // a `handles` predicate threw
    return null;
  }
  if (q === null) {
    m.cur = site;
    m.throwHere(new UnhandledEffectError(e, visibleHandlers(site), " (passed on by a handler)"));
    return null;
  }
  deliverTo(m, q, e, site);
  return q;
}

/** Step 3 of §3: start a handler invocation on a fresh handler segment whose caller is `outer`. */
export function invoke(
  m: Machine,
  h: Handler,
  e: unknown,
  k: ReturnType<typeof captured>,
  outer: Segment | null,
): void {
  const era = m.era;
  era.live++;
  const hs = newInvocation(h, e, k, outer, era);
  m.cur = hs;
  let r: unknown;
  try {
    r = h(e, k);
  } catch (thrown) {
    const err = classCalled(h, thrown);
    m.noteError(err);
    m.mode = M_RETURN_ERROR;
    m.value = err;
    return;
  }
  handlerResult(m, h, hs, r);
}

/** What the handler function returned `r` (a generator, a ProgramLike, or an error), in `hs`. */
function handlerResult(m: Machine, h: Handler, hs: Segment, r: unknown): void {
  if (r !== null && typeof r === "object") {
    const b = brandOf(r); // never throws: a hostile result (throwing Proxy/getter) is 0 → TypeError below
    if (b === 0 && isGeneratorObject(r)) {
      hs.top = new Frame(r as Generator<unknown, unknown, unknown>, null, null);
      m.mode = M_DELIVER;
      m.value = undefined;
      return;
    }
    if (b === B_PROGRAM) {
      m.call(r as never);
      return;
    }
    if (b === B_EFFECT || b === B_PRIMITIVE) {
      m.mode = M_HANDLE_YIELD;
      m.value = r;
      return;
    }
  }
  m.mode = M_RETURN_ERROR;
  m.value = badHandlerResult(h, r);
  m.noteError(m.value);
}

/**
 * Untraced: run the handler and its generator's first step *before* capturing (speculatively). When
 * that first step yields `transfer(k, v)` for its own k and the frame then closes cleanly — the tail
 * form `return yield* transfer(k, v)` — the outcome is exactly the general path's (capture, invoke,
 * close the handler frame, reattach k at `outer`, deliver v at the perform site): the chain is
 * unchanged, so v is delivered at `site` and nothing is allocated beyond k and the generator. In
 * every other case the capture and invocation are made as `deliverTo`+`invoke` would have made them
 * (`materialize`) and the step's outcome is applied as stepResume / closeHandlerFrame would (the
 * handler's code before its first yield cannot observe the difference: it performs nothing).
 */
function invokeTail(m: Machine, p: Segment, h: Handler, e: unknown, k: Continuation, site: Segment): void {
  let r: unknown;
  try {
    r = h(e, k);
  } catch (thrown) {
    materialize(m, p, h, e, k);
    const err = classCalled(h, thrown);
    m.noteError(err);
    m.mode = M_RETURN_ERROR;
    m.value = err;
    return;
  }
  // A native generator (the usual `function*` handler) is told by its prototype chain before any
  // property read: the brand read below would go megamorphic over many handler functions.
  if (!isNativeGenerator(r)) {
    // one read of the brand (a hostile Proxy's throwing trap: not a generator; handlerResult reports it)
    let rb: unknown;
    let isObj = false;
    if (r !== null && typeof r === "object") {
      isObj = true;
      try {
        rb = (r as { [BRAND]?: unknown })[BRAND];
      } catch {
        rb = null;
      }
    }
    if (rb === B_PRIMITIVE) {
      const prim = r as Primitive;
      if (prim.op === OP_TRANSFER && prim.a === k) {
        // `(e, k) => transfer(k, v)`: the invocation ends at once with that transfer
        k.used = true;
        m.cur = site;
        m.mode = M_DELIVER;
        m.value = prim.b;
        return;
      }
    }
    if (!isObj || rb !== undefined || !isGeneratorObject(r)) {
      handlerResult(m, h, materialize(m, p, h, e, k), r);
      return;
    }
  }
  const gen = r as Generator<unknown, unknown, unknown>;
  let done: unknown;
  let value: unknown;
  let res: IteratorResult<unknown, unknown>;
  try {
    res = checked(gen.next());
    done = res.done;
    value = res.value;
  } catch (err) {
    materialize(m, p, h, e, k);
    m.noteError(err);
    m.mode = M_THROW;
    m.value = err;
    return;
  }
  if (done) {
    materialize(m, p, h, e, k);
    m.mode = M_DELIVER;
    m.value = value;
    return;
  }
  let op = -1;
  if (isPrimitive(value)) {
    const prim = value;
    op = prim.op;
    if (op === OP_TRANSFER && prim.a === k) {
      tailClose(m, p, h, e, k, site, gen, prim.b);
      return;
    }
  }
  // The handler stays suspended in `yield* value` (a `resume`, usually): its generator keeps the
  // delegate iterator alive until then, and a `Once` would keep `value` too. Its next call sets a
  // new value before anyone reads it, so drop this one (48 B per pending non-tail resume).
  if (res instanceof Once) res.value = undefined;
  const inv = materialize(m, p, h, e, k);
  // `yield* resume(…)`: the frame resumeK would park at once (segment.ts unpark) is parked, never made
  if (op === OP_RESUME) inv.detachedFrom = gen as never;
  else inv.top = new Frame(gen, null, null);
  // a step of its own (as when traced): stepResume's fast lane reads M_DELIVER at the site as an answer
  m.mode = M_HANDLE_YIELD;
  m.value = value;
}

/** The handler's first step yielded transfer(k, arg): close its frame (mirrors closeHandlerFrame). */
function tailClose(
  m: Machine,
  p: Segment,
  h: Handler,
  e: unknown,
  k: Continuation,
  site: Segment,
  gen: Generator<unknown, unknown, unknown>,
  arg: unknown,
): void {
  let done: unknown;
  let value: unknown;
  try {
    const r = gen.return(undefined);
    if (r === null || typeof r !== "object")
      throw new TypeError(`an iterator's return() gave ${describe(r)}`);
    done = r.done;
    value = r.value;
  } catch (err) {
    // a finally block threw: the transfer is abandoned, the invocation ends with that error
    const inv = materialize(m, p, h, e, k);
    k.used = true;
    m.noteError(err);
    const job = new Job(J_CLOSE, inv, OP_TRANSFER, k, arg);
    job.record(err);
    m.job = job;
    m.mode = M_UNWIND;
    return;
  }
  k.used = true;
  if (done) {
    m.cur = site;
    m.mode = M_DELIVER;
    m.value = arg;
    return;
  }
  // a finally block yielded: go on as an ordinary closing job in the materialized invocation
  const inv = materialize(m, p, h, e, k);
  const f = new Frame(gen, null, null);
  inv.top = f;
  const job = new Job(J_CLOSE, inv, OP_TRANSFER, k, arg);
  f.closing = job;
  m.job = job;
  // a step of its own (as when traced): stepResume's fast lane reads M_DELIVER at the site as an answer
  m.mode = M_HANDLE_YIELD;
  m.value = value;
}

/** Capture (detach the prompt) and start the invocation, as deliverTo + invoke do; m.cur = its segment. */
function materialize(m: Machine, p: Segment, h: Handler, e: unknown, k: Continuation): Invocation {
  const outer = p.caller;
  p.caller = null;
  p.detachedFrom = outer;
  const era = m.era;
  era.live++;
  const inv = newInvocation(h, e, k, outer, era);
  m.cur = inv;
  return inv;
}

function badHandlerResult(h: Handler, r: unknown): TypeError {
  // an `async` or `async function*` handler: say so (it said `returned object`)
  const async = isAsyncIterator(r) ? "an async generator object" : isThenable(r) ? "a Promise" : null;
  return new TypeError(
    `handler ${describe(h)} returned ${async ?? describe(r)}; a handler must return a generator (write it as function*${async === null ? "" : ", not async: promises come in with awaitPromise"}) or a Program, e.g. \`return resume(k, value)\``,
  );
}

/**
 * @internal For a FAST_PATH hook given (site, prompt): the handlers of the prompts between the
 * perform site and the taking prompt, innermost first — what `getHandlers()` answers in that
 * handler's invocation before the handler itself (the scheduler wraps a spawned program in them).
 */
export function handlersInside(site: unknown, prompt: unknown): readonly Handler[] {
  let p = (site as Segment).firstPrompt;
  if (p === prompt) return NO_HANDLERS; // the usual case (a spawn right under the scheduler): no array
  const out: Handler[] = [];
  while (p !== null && p !== prompt) {
    out.push(p.handler!);
    const c: Segment | null = p.caller ?? p.detachedFrom;
    p = c === null ? null : c.firstPrompt;
  }
  return out;
}
const NO_HANDLERS: readonly Handler[] = /* @__PURE__ */ Object.freeze([]);

/**
 * @internal For a FAST_PATH hook given its perform site: does a handler visible there (any prompt on
 * the site's chain, as getHandlers lists them) carry `marker` set to true? (The clocks: is a
 * scheduler present, without the array getHandlers makes.)
 */
export function visibleMarked(site: unknown, marker: symbol): boolean {
  let p = (site as Segment).firstPrompt;
  while (p !== null) {
    if ((p.handler as { [k: symbol]: unknown } | null)?.[marker] === true) return true;
    const c: Segment | null = p.caller ?? p.detachedFrom;
    p = c === null ? null : c.firstPrompt;
  }
  return false;
}

/**
 * @internal For a FAST_PATH hook given its perform site: was the effect performed by a frame of the
 * generator function `g`? (Not when a handler took it and performs it again: `delegate` performs
 * it from that handler's frame, and the handlers it passed are not visible from there.)
 */
export function performedIn(site: unknown, g: Function): boolean {
  const f = (site as Segment).top;
  return f !== null && Object.getPrototypeOf(f.gen) === g.prototype;
}

/**
 * @internal For a handler given a captured continuation `k`: its perform site and the prompt it
 * reaches down to, the (site, prompt) a FAST_PATH hook is given for the same effect (nothing is
 * copied by a capture); null for an unstarted continuation. (The scheduler's first invocation, R8,
 * answers timeout's deadline question with them as its FAST_PATH answers it at the site.)
 */
export function capturedSite(k: Continuation): unknown {
  return k.top;
}
/** @internal See capturedSite: the prompt `k` reaches down to (null for an unstarted one). */
export function capturedPrompt(k: Continuation): unknown {
  return k.top === null ? null : k.bottom;
}

/**
 * @internal For a FAST_PATH hook given its perform site: the first handler visible there (innermost
 * first, as getHandlers lists them) for which `stop` answers true, or null. (timeout's deadline
 * route reads the handlers its timer task's effects would pass, scheduler-deadline.ts.)
 */
export function firstVisible(site: unknown, stop: (h: Handler) => boolean): Handler | null {
  let p = (site as Segment).firstPrompt;
  while (p !== null) {
    if (stop(p.handler!)) return p.handler!;
    const c: Segment | null = p.caller ?? p.detachedFrom;
    p = c === null ? null : c.firstPrompt;
  }
  return null;
}

/**
 * @internal For a FAST_PATH hook given its taking prompt: is this prompt of handler `h` a second
 * installation of `h` inside a scope that another prompt of `h` already handles? Walking outward from
 * the prompt, that is: another prompt of `h` comes before any handler segment of one of `h`'s own
 * invocations. A prompt that `h`'s invocations put in place (the scheduler's task prompts, attached
 * to its first invocation, or under a finalization it started) meets that handler segment first —
 * at once in the usual case (its caller), so the common answer costs one step of the walk.
 */
export function reinstalled(prompt: unknown, h: Handler): boolean {
  let s = (prompt as Segment).caller;
  while (s !== null) {
    if (s.handler === h) return s.kind !== S_HANDLER; // (a handler segment's: its invocation's handler)
    s = s.caller;
  }
  return false;
}
