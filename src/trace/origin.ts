/**
 * Where an error came from (SEMANTICS §8.8). When an error first appears in the machine — thrown by a
 * frame, by a handler, or by the VM into a yielder — we snapshot the chain active at that moment
 * (program frame names and yield sites, handler invocations with their outcome markers, task
 * boundaries) and, when it concerns an effect, the handlers that effect visited. Errors are
 * exceptional, so this costs nothing on the normal path; the snapshot is capped in size.
 * This module keeps the record — an Origin, a run's Origins, what a run and an error keep for
 * `tracebackOf` — and tells a re-throw from a new throw; the chain's lines are entries.ts's, the
 * walk is walk.ts's (over frame-lines.ts and waiting-runs.ts), the visits visits.ts's and the
 * blocked-in lines blocked-in.ts's.
 */
import { UnhandledEffectError } from "../errors.js";
import type { RunWarning } from "../run/context.js";
import type { Continuation } from "../vm/continuation.js";
import type { Invocation, Segment } from "../vm/segment.js";
import { OUTER_KEEP } from "../vm/codes.js";
import { effectAt, namesBlocked, waitOf } from "./blocked-in.js";
import {
  type Entry,
  gap,
  handlerName,
  MARK_PASSED,
  MARK_RESUMED,
  MARK_THREW,
  type Passed,
  type Visit,
} from "./entries.js";
import { below, transfers } from "./frame-lines.js";
import { delegated, hostOf, visited, visitsFrom } from "./visits.js";
import { inRuns } from "./waiting-runs.js";
import { walk } from "./walk.js";

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
  /**
   * The effect was answered before the error: the handler that threw had resumed the program with
   * its answer, and threw from its own code after its `resume` ended (the program it resumed had
   * returned, or thrown what the handler caught). That handler's name, for the effect line
   * (format.ts afterAnswer): its ✗ alone read as if the effect had never been answered. Else null.
   */
  declare afterAnswer: string | null;
  constructor(chain: Entry[], effect: unknown, visits: Visit[] | null, passed: Passed) {
    this.chain = chain;
    this.effect = effect;
    this.visits = visits;
    this.outer = null;
    this.outerSkipped = 0;
    this.passed = passed;
    this.afterAnswer = null;
  }
  /**
   * Did one of its chains pass the frame of generator `gen`? Each walk notes the generators of a
   * shallow segment's frames as it passes them (walk.ts SHALLOW), and of a deeper segment the
   * segment (and the walk's number), not its frames: a frame still alive that was in such a segment when
   * the walk passed it — its summary made by then (`Below.walk`) — was on the chain, as a
   * segment's frames are a stack (a frame never moves, nor comes back once popped; a generator run
   * again elsewhere has a summary per place, `Below.older`, as it was passed in any). Likewise a
   * parked generator's waiting handler in a run a walk took from its summary (`Run`): as deep in
   * the run as the walk took it, and made by then.
   */
  passes(gen: object): boolean {
    const p = this.passed;
    if (p.gens.has(gen) || inRuns?.(gen, p)) return true;
    for (let b = below.get(gen); b !== undefined; b = b.older) {
      const w = p.segs.get(b.seg);
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

export interface EffectInfo {
  readonly effect: unknown;
  readonly site: Segment;
  readonly taker: Segment | null;
  readonly marker: string;
  readonly outer?: Segment | null;
  /** the handler hands on an error that is not its own (a quiet handler's discontinue, execute.ts) */
  readonly handedOn?: boolean;
}

/**
 * The origin of error `e`, thrown by the code of invocation `inv` of a quiet handler (observe) when a
 * program ran there: one an outer handler answered the quiet handler's delegated effect with,
 * `transferWith(k, program)` — the program runs on the quiet handler's segment, at its delegate, and
 * its throw is not the quiet handler's code. Reported as in the run without it — the program's
 * frames under `handler h for E ⇢`, no line for the quiet handler, and no effect line unless a
 * handler inside it had delegated the effect to it (then that one ✗ and its line: hostOf) — or the
 * report named observe as the thrower, which the docs promise it never is. Reached through
 * trace/transfers.ts, which tells such a throw (only the public transferWith starts such a program).
 */
export function quietOrigin(inv: Invocation, e: unknown, passed: Passed): Origin {
  const host = hostOf !== null ? hostOf(inv, inv) : null;
  const chain = walk(
    inv,
    host === null ? inv : host[0],
    !(e instanceof UnhandledEffectError) && host !== null,
    passed,
  );
  return host === null
    ? new Origin(chain, undefined, null, passed)
    : new Origin(chain, host[0].effect, visited(host[0].effect, host[0].site, host[1]), passed);
}

/** Snapshot the chain at `cur` for error `e`. */
export function snapshot(cur: Segment, e: unknown, info: EffectInfo | null, atSite = false): Origin {
  const originInv = cur.invocation;
  const passed: Passed = { segs: new WeakMap(), gens: new WeakSet(), runs: new WeakMap() };
  // (thrown by a program another handler's transferWith started on this handler's segment: quietOrigin)
  const quiet =
    info === null && !atSite && cur === originInv ? transfers?.quiet(originInv, e, passed) : undefined;
  if (quiet !== undefined) return quiet;
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
    const t = transfers?.of(info.effect, info.site);
    if (t !== undefined && chain.at(-1)?.effect !== t.effect) chain.push(t);
    if (namesBlocked !== null) namesBlocked(chain, info.site, atSite, info.effect);
    return new Origin(
      chain,
      info.effect,
      visited(info.effect, info.site, visitsFrom(info.site, info.taker, info.marker, info.outer)),
      passed,
    );
  }
  // thrown by a transferWith into a continuation another invocation stashed (the scheduler's deadlock,
  // found as another task ended, thrown into a task blocked in receive): the call it is blocked in is
  // named as when its own invocation threw it. At a handler's delegate (an observe inside the
  // scheduler), the call that performed the delegated effect. And when the handler throwing it noted
  // the effect the continuation was blocked at (noteBlockedAt), that effect's line, its taker ✗, as
  // in the blocking task's own invocation.
  if (atSite && namesBlocked !== null)
    namesBlocked(chain, cur, true, originInv?.delegatedTo ? originInv.effect : undefined);
  const b = atSite && effectAt !== null ? effectAt(cur, e) : undefined;
  if (b !== undefined)
    return new Origin(chain, b[0], visited(b[0], cur, visitsFrom(cur, b[1], MARK_THREW)), passed);
  if (e instanceof UnhandledEffectError) {
    return new Origin(chain, e.effect, visited(e.effect, cur, visitsFrom(cur, null, MARK_PASSED)), passed);
  }
  if (originInv !== null && cur === originInv && !atSite) {
    // the handler's own code threw: the effect it was handling, with the handlers it visited —
    // outside it, when it had delegated the effect, the one that answered (answeredVisits). After it
    // resumed the program (its `resume` returned: the program had ended), the effect was answered:
    // the handler ✓, and the effect line says it threw afterwards.
    const to = originInv.delegatedTo;
    const after = to === null && originInv.k.used;
    const o = new Origin(
      chain,
      originInv.effect,
      visited(
        originInv.effect,
        originInv.site,
        to === null
          ? visitsFrom(originInv.site, originInv.prompt, after ? MARK_RESUMED : MARK_THREW, originInv.outer)
          : delegated!(cur, originInv, to),
      ),
      passed,
    );
    if (after) o.afterAnswer = handlerName(originInv.handler!);
    return o;
  }
  return new Origin(chain, undefined, null, passed);
}

/** a chain's names without its live handler invocations (✓), a line each */
const withoutResumed = (chain: Entry[]): string =>
  chain
    .filter((x) => x.marker !== MARK_RESUMED)
    .map((x) => `${x.name}\n`)
    .join("");

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
   * blocked in when the scheduler noted that (noteWait). (`chain`: an unstarted one's, rare-ops.ts.)
   * A handler that was delegating the computation's effect (a clock probe, `record`) has its own
   * continuation finalized too, whose chain is the same frames without the handler's line: keep
   * the longer one only, or the report prints main's frames twice.
   */
  aborted(k: Continuation, chain: Entry[] = walk(k.top!, null)): void {
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
    crossedLine?.(o.chain, e);
    if (e !== null && (typeof e === "object" || typeof e === "function")) this.map.set(e, o);
    else {
      this.primitive = o;
      this.primitiveValue = e;
    }
  }
}

/**
 * crossed.ts's line for an error rebuilt from another process's (`in queue job (images#42: resize)`),
 * put at the end of its chain where it is first thrown here; set by the first such error (a bundle
 * without doeff/queue has none).
 */
let crossedLine: ((chain: Entry[], e: unknown) => void) | null = null;
/** @internal (crossed.ts) */
export function crossedLinesOn(f: (chain: Entry[], e: unknown) => void): void {
  crossedLine = f;
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
