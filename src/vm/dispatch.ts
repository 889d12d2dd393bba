/**
 * Dispatch and capture (SEMANTICS §3). Search visits prompts only (INV-8); capture moves the chain
 * `cur → … → prompt` out of the live chain in O(1); the handler then runs *outside* its own prompt,
 * so its effects reach only handlers further out (INV-14) and no busy set is needed.
 */
import { UnhandledEffectError } from "../errors.js";
import { B_EFFECT, B_PRIMITIVE, B_PROGRAM, brandOf, describe, isGeneratorObject } from "./brand.js";
import { captured } from "./continuation.js";
import { DEFER, type Handler } from "./handler.js";
import type { Machine } from "./machine.js";
import { M_DELIVER, M_HANDLE_YIELD, M_RETURN_ERROR, M_THROW } from "./modes.js";
import { MARK_THREW } from "../trace/origin.js";
import { Frame, Invocation, S_HANDLER, SearchCache, Segment } from "./segment.js";

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
      const keys = cache.keys;
      for (let i = 0; i < 4; i++) if (keys[i] === proto && cache.found[i]) return cache.skips[i]!;
    }
    if (protoTakes(ps, proto)) return p; // the common case: the innermost handler takes it
    p = skipDeclining(m, p, proto);
  }
  while (p !== null) {
    if (takes(p, e, proto)) return p;
    const c = p.caller;
    p = c === null ? null : c.firstPrompt;
  }
  return null;
}

/**
 * From `start`, skip the prompts whose class-based handlers decline effects with prototype `proto`;
 * the answer is cached on `start` (see SearchCache).
 */
function skipDeclining(m: Machine, start: Segment, proto: unknown): Segment | null {
  if (proto === null || proto === undefined) return start; // no class: nothing to skip by
  let cache = start.cache;
  if (cache !== null) {
    if (cache.epoch === m.linkEpoch) {
      const keys = cache.keys;
      for (let i = 0; i < 4; i++) if (keys[i] === proto) return cache.skips[i]!;
    } else {
      cache.epoch = m.linkEpoch;
      cache.keys.fill(undefined);
      cache.next = 0;
    }
  }
  let p: Segment | null = start;
  while (p !== null) {
    const ps = p.takes;
    if (ps === null || protoTakes(ps, proto)) break;
    const c: Segment | null = p.caller;
    p = c === null ? null : c.firstPrompt;
  }
  if (p === start) return p; // nothing skipped: not worth an entry
  if (cache === null) cache = start.cache = new SearchCache(m.linkEpoch);
  const i = cache.next;
  cache.keys[i] = proto;
  cache.skips[i] = p;
  cache.found[i] = p !== null && p.takes !== null; // the loop stopped there because it takes proto
  cache.next = (i + 1) & 3;
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
  let p: Segment | null;
  try {
    p = search(m, site, e);
  } catch (err) {
    m.throwHere(err); // a `handles` predicate threw (or a hostile effect): at the perform site
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
  const fast = p.fast;
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
  invoke(m, h, e, k, outer);
}

/** Step 3 of §3: start a handler invocation on a fresh handler segment whose caller is `outer`. */
export function invoke(
  m: Machine,
  h: Handler,
  e: unknown,
  k: ReturnType<typeof captured>,
  outer: Segment | null,
): void {
  const inv = new Invocation(h, e, k, outer);
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
    const b = brandOf(r); // never throws: a hostile result (throwing Proxy/getter) is 0 → TypeError below
    if (b === 0 && isGeneratorObject(r)) {
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
