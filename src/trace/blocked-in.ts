/**
 * What a computation was blocked in, as a traceback names it: the `blocked in wait(task 3)` line a
 * scheduler notes on each blocked task when the run's signal aborts it (noteWait), and the library
 * calls that block for a reason of their own (delay's timer, a channel's receive) registered when
 * their modules load (waitsIn) and named on the chain of an error met inside them. Each part is
 * turned on by the registration that needs it, so a bundle that cannot spawn or block (the small
 * import) carries none of it, nor abort-groups.ts's grouping.
 */
import { groupedLines } from "./abort-groups.js";
import { boundariesOn } from "./walk.js";
import type { Continuation } from "../vm/continuation.js";
import type { Segment } from "../vm/segment.js";
import type { Entry } from "./entries.js";

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
    : { kind: "wait", name: blockedIn(k, true) ?? w[0], site: null, marker: "", effect: w[1] };
}
/** waitLine once noteWait has noted a wait (the scheduler, at an abort): a bundle without it has none. */
export let waitOf: typeof waitLine | null = null;
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
  boundariesOn(); // (and the boundary lines that start a task's chain)
}
/**
 * A library generator that blocks for a reason of its own (delay's timer, a channel's receive): what
 * the report says a computation blocked in it was blocked in, `delay(…)` for `wait(a promise)` —
 * registered once, when its module loads, and read from the continuation's perform frame.
 */
const blocksAs = new WeakMap<object, string>();
/** How a registered call shows what its generator carries (SHOWN_ARG) in place of `…`, by prototype. */
const shows = new WeakMap<object, (arg: unknown) => string>();
export const waitsIn = <A>(g: Function, what: string, show?: (arg: A) => string): unknown => {
  namesBlocked = blockedLine;
  if (show) shows.set(g.prototype, show as (arg: unknown) => string);
  return blocksAs.set(g.prototype, what);
};
/**
 * What a blocking call's generator object carries to be shown in place of the `…` it was registered
 * with (waitsIn): delay's ms, `delay(5000)`; a channel's receive its channel, which the show given
 * to waitsIn writes (`receive(a channel of capacity 10)`). Set by the call as it makes the
 * generator (time.ts, channel.ts, semaphore.ts), read only when a report names it.
 */
export const SHOWN_ARG: unique symbol = Symbol();
/**
 * What the generator object `gen` is blocked in, as registered (`what`), its SHOWN_ARG in place of
 * `…` — one a show writes (a channel's, a semaphore's) only in an aborted run's report (`shown`):
 * a deadlock's message and chain name the call as they did, `receive(…)`.
 */
const blockedName = (gen: object, what: string | undefined, shown = false): string | undefined => {
  const a = (gen as { [SHOWN_ARG]?: unknown })[SHOWN_ARG];
  if (a === undefined || what === undefined) return what;
  const show = shows.get(Object.getPrototypeOf(gen));
  return show === undefined ? what.replace("…", String(a)) : shown ? what.replace("…", show(a)) : what;
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
/**
 * What the continuation `k` is blocked in when waitsIn registered its perform frame: `receive(…)`;
 * `shown`, for an aborted run's report: `receive(a channel of capacity 16)` (blockedName).
 */
export const blockedIn = (k: Continuation, shown?: boolean): string | undefined => {
  const f = k.top?.top;
  return f == null ? undefined : blockedName(f.gen, blocksAs.get(Object.getPrototypeOf(f.gen)), shown);
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
  const what = by === null ? undefined : blockedName(by.gen, blocksAs.get(Object.getPrototypeOf(by.gen)));
  if (what !== undefined) chain.push({ kind: "wait", name: what, site: null, marker: "", effect: undefined });
}
/**
 * blockedLine once a call has been registered (waitsIn, when its module loads): a bundle without
 * one (the small import) has no call to name, and does not carry it.
 */
export let namesBlocked: typeof blockedLine | null = null;

/**
 * The effect a blocked continuation `k` waits at, and the handler that took it, noted by that
 * handler as it throws `error` into `k` from an invocation for another effect (the scheduler's
 * deadlock, found as another task ends: thrown by `transferWith(k, raise(error))`, where only the
 * invocation's own effect is known). Its traceback then has the effect's line, as when the
 * deadlock is found in the blocking task's own invocation (`effect Wait(Future): scheduler ✗`).
 * Keyed by the segment the throw lands in, k's top, and taken by the first snapshot there.
 */
const blockedAt = new WeakMap<Segment, readonly [effect: unknown, taker: unknown, error: unknown]>();
export const noteBlockedAt = (k: Continuation, effect: unknown, taker: unknown, error: unknown): void => {
  if (k.top === null) return;
  blockedAt.set(k.top, [effect, taker, error]);
  effectAt = takeBlockedAt;
};
/**
 * What noteBlockedAt noted for a throw of `error` landing in `site` (taken: once): the effect, and
 * the prompt of the handler that took it (the first from `site` outward), or undefined.
 */
function takeBlockedAt(site: Segment, error: unknown): readonly [unknown, Segment | null] | undefined {
  const b = blockedAt.get(site);
  if (b === undefined || b[2] !== error) return undefined;
  blockedAt.delete(site);
  let p = site.firstPrompt;
  while (p !== null && p.handler !== b[1]) {
    const c = p.caller;
    p = c === null ? null : c.firstPrompt;
  }
  return [b[0], p];
}
/** takeBlockedAt once a handler has noted a blocked effect (a bundle that cannot spawn has none). */
export let effectAt: typeof takeBlockedAt | null = null;
