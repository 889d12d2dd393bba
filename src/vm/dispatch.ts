/**
 * Dispatch and capture (SEMANTICS §3). Search visits prompts only (INV-8); capture moves the chain
 * `cur → … → prompt` out of the live chain in O(1); the handler then runs *outside* its own prompt,
 * so its effects reach only handlers further out (INV-14) and no busy set is needed.
 */
import { UnhandledEffectError } from "../errors.js";
import { B_EFFECT, B_PRIMITIVE, B_PROGRAM, BRAND, describe, isGeneratorObject } from "./brand.js";
import { captured } from "./continuation.js";
import { DEFER, FAST_PATH, type Handler, TAKES } from "./handler.js";
import type { Machine } from "./machine.js";
import { M_DELIVER, M_HANDLE_YIELD, M_RETURN_ERROR, M_THROW } from "./modes.js";
import { MARK_THREW } from "../trace/origin.js";
import { Frame, Invocation, S_HANDLER, SearchCache, Segment } from "./segment.js";

/** Sentinel: `handles` threw; the error is in `handlesError`. */
let handlesError: unknown;
const THREW = 2;

/** Does a TAKES declaration (a class or a list of classes) cover `e`? */
function classTakes(t: Function | readonly Function[], e: unknown): boolean {
  if (typeof t === "function") return e instanceof t;
  for (let i = 0; i < t.length; i++) if (e instanceof t[i]!) return true;
  return false;
}

/** 1 = takes, 0 = declines, THREW = the `handles` predicate threw. */
function takes(h: Handler, e: unknown): number {
  try {
    // property reads inside the try too: a handler may be a Proxy whose traps throw
    const t = h[TAKES];
    if (t !== undefined) return classTakes(t, e) ? 1 : 0;
    const pred = h.handles;
    if (pred === undefined) return 1;
    return pred.call(h, e) ? 1 : 0;
  } catch (err) {
    handlesError = err;
    return THREW;
  }
}

/** The error thrown by the last `handles` predicate that threw (consumed once). */
export function takeHandlesError(): unknown {
  const e = handlesError;
  handlesError = undefined;
  return e;
}

/**
 * Find the first prompt on `from`'s chain whose handler takes `e`: the prompt, null when none does,
 * or undefined when a `handles` predicate threw (see takeHandlesError).
 */
export function search(m: Machine, from: Segment | null, e: unknown): Segment | null | undefined {
  let p = from === null ? null : from.firstPrompt;
  if (p === null) return null;
  const ctor = (e as object).constructor;
  const c = p.cache;
  if (c !== null && c.ctor === ctor && c.epoch === m.linkEpoch) p = c.skip;
  else p = skipDeclining(m, p, e, ctor);
  while (p !== null) {
    const t = takes(p.handler!, e);
    if (t === 1) return p;
    if (t === THREW) return undefined;
    const c = p.caller;
    p = c === null ? null : c.firstPrompt;
  }
  return null;
}

/** Skip the class-based handlers that decline `e` from `start` on, and remember it on `start`. */
function skipDeclining(m: Machine, start: Segment, e: unknown, ctor: unknown): Segment | null {
  let p: Segment | null = start;
  while (p !== null) {
    let t: Function | readonly Function[] | undefined;
    try {
      t = p.handler![TAKES];
      if (t === undefined || classTakes(t, e)) break;
    } catch {
      break; // the normal search reports it
    }
    const c: Segment | null = p.caller;
    p = c === null ? null : c.firstPrompt;
  }
  const cache = start.cache;
  if (cache === null) start.cache = new SearchCache(ctor, p, m.linkEpoch);
  else {
    cache.ctor = ctor;
    cache.skip = p;
    cache.epoch = m.linkEpoch;
  }
  return p;
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

/** Perform effect `e` from `cur` (the yielder is its top frame). */
export function dispatch(m: Machine, e: unknown): void {
  const site = m.cur;
  const p = search(m, site, e);
  if (p === undefined) {
    m.throwHere(takeHandlesError());
    return;
  }
  if (p === null) {
    m.throwHere(new UnhandledEffectError(e, visibleHandlers(site)));
    return;
  }
  deliverTo(m, p, e, site);
}

/** Hand `e`, performed at `site`, to the handler of prompt `p` (capture + invoke, or the fast path). */
export function deliverTo(m: Machine, p: Segment, e: unknown, site: Segment): void {
  const h = p.handler!;
  let fast: Handler[typeof FAST_PATH];
  try {
    fast = h[FAST_PATH];
  } catch (err) {
    m.cur = site;
    m.throwHere(err);
    return;
  }
  if (fast !== undefined) {
    // Equivalent to the handler doing transfer(k, answer): the answer is delivered at the perform
    // site and the chain is unchanged, so nothing needs capturing.
    let r: unknown;
    try {
      r = fast(e, m.ctx);
    } catch (err) {
      m.cur = site;
      m.noteError(err, { effect: e, site, taker: p, marker: MARK_THREW });
      m.mode = M_THROW;
      m.value = err;
      return;
    }
    if (r !== DEFER) {
      m.cur = site;
      m.mode = M_DELIVER;
      m.value = r;
      return;
    }
  }
  const k = captured(site, p);
  const outer = p.caller;
  p.caller = null;
  p.detachedFrom = outer;
  m.linkEpoch++;
  invoke(m, h, e, k, p, site, outer);
}

/** Step 3 of §3: start a handler invocation on a fresh handler segment whose caller is `outer`. */
export function invoke(
  m: Machine,
  h: Handler,
  e: unknown,
  k: ReturnType<typeof captured>,
  p: Segment,
  site: Segment,
  outer: Segment | null,
): void {
  const inv = new Invocation(h, e, k, p, site, outer);
  const hs = new Segment(S_HANDLER, outer, inv, null);
  inv.hs = hs;
  m.depth++;
  m.cur = hs;
  let r: unknown;
  try {
    r = h(e, k);
  } catch (err) {
    m.noteError(err);
    m.mode = M_RETURN_ERROR;
    m.value = err;
    return;
  }
  if (r !== null && typeof r === "object") {
    const b = (r as { [BRAND]?: unknown })[BRAND];
    if (b === undefined && isGeneratorObject(r)) {
      hs.frames = [new Frame(r as Generator<unknown, unknown, unknown>, null, h)];
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

function badHandlerResult(h: Handler, r: unknown): TypeError {
  return new TypeError(
    `handler ${describe(h)} returned ${describe(r)}; a handler must return a generator (write it as function*) or a Program, e.g. \`return resume(k, value)\``,
  );
}
