/**
 * `record()`: a handler that records every effect it is offered and the answer the handlers outside
 * it gave (or the error they threw), then passes that answer on unchanged.
 */
import type { Effect } from "../effects/effect.js";
import { Local } from "../effects/reader.js";
import { SchedulerEffect, UNSHOWN } from "../effects/scheduler.js";
import { Listen } from "../effects/writer.js";
import type { AnyEffect } from "../vm/types.js";
import { pass } from "../vm/pass.js";
import { transfer, transferWith } from "../vm/primitives.js";
import { delegate } from "../vm/rare-ops.js";
import type { Handler } from "../vm/handler.js";
import { TAKES, TRACE_QUIET } from "../vm/handler.js";
import { className, describe, listedUncalled, notAnEffectClass } from "../vm/brand.js";
import { UnhandledEffectError } from "../errors.js";
import { showEffectFields } from "./show.js";
import { fail } from "./util.js";

/**
 * One recorded effect: what was performed and how the outer handlers answered it — `"answered"` with
 * a `value`, `"threw"` an `error`, still `"pending"` (not answered yet, or never: e.g. the run ended
 * while a task was blocked on it), or `"passed"`: a scheduler effect (`spawn`, `wait`, ...), `local`
 * or `listen`, which the recorder hands on with `pass()` so that it is handled at its own perform
 * site (tasks and the programs of local/listen then run inside the recorder, and their effects are
 * recorded too); its answer is not recorded.
 */
export type Recorded<E = Effect> =
  | { readonly effect: E; readonly status: "answered"; readonly value: RecordedAnswer<E> }
  | { readonly effect: E; readonly status: "threw"; readonly error: unknown }
  | { readonly effect: E; readonly status: "pending" }
  | { readonly effect: E; readonly status: "passed" };

/**
 * The answer type of a recorded effect (`Effect<A>` → `A`; `unknown` when the class is not known).
 * (No `unknown extends E` test before it: that made `Recorder` invariant, and `record(Roll)` was
 * not assignable to a `Recorder` annotation.)
 */
export type RecordedAnswer<E> = E extends { readonly __answer?: infer A } ? A : unknown;

/**
 * The effects a `record(only)` records: the instances of the classes given, what a type-guard
 * predicate says (`(e): e is Roll => …`; TypeScript 5.5+ infers it for `(e) => e instanceof Roll`), else any effect: a
 * handler is offered effects only (`record()`'s `entries[i].effect` is an `Effect`, whose
 * `instanceof` tests narrow it, where `unknown` needed a cast).
 */
export type RecordedOf<F> = F extends abstract new (
  ...args: any[]
) => infer I
  ? I
  : F extends readonly (abstract new (
        ...args: any[]
      ) => infer I)[]
    ? I
    : F extends (effect: any) => effect is infer T
      ? T
      : Effect;

/**
 * Which effects a recorder takes: a class, a list of classes, or a predicate. The predicate is
 * offered effects only, so its parameter is an `Effect` (`(e) => e instanceof Roll && e.sides > 6`
 * needs no cast; it was `unknown`).
 */
export type RecordFilter = Function | readonly Function[] | ((effect: Effect) => boolean);

/**
 * A recording handler: install it innermost (last in `handlers`), then read `entries`/`effects`.
 * Typed as taking no effect (`Handler<undefined>`): it re-performs what it records, so the handlers
 * outside it must still take every effect (`run` checks that as usual).
 */
export interface Recorder<E = Effect> extends Handler<undefined, never> {
  /** Every recorded effect with its outcome, in perform order. */
  readonly entries: readonly Recorded<E>[];
  /** The recorded effects alone, in the order they were performed. */
  readonly effects: readonly E[];
  /** Forget what was recorded (e.g. between two runs). */
  clear(): void;
}

/**
 * The recorder re-performs each effect outward (or passes it on), so the VM's message for one
 * nothing takes reads as a handler-order mistake ("performed by handler function record; none
 * outside it takes it", "passed on by a handler … list it before the handler"). The usual cause is
 * a forgotten handler or mock: say that, naming the standard handler when there is one. `passed`:
 * it was handed on with pass() (a scheduler effect, local, listen), so a mock does not fit.
 */
export function explainUnhandled(e: UnhandledEffectError, recorder: string, passed = false): void {
  try {
    const c = (e.effect as object).constructor as {
      standardHandler?: unknown;
      unhandledHint?: unknown;
      performedBy?: unknown; // (who performs it: `timeout` a CreatePromise)
    };
    // (the effect's own account — e.g. a task of a run that has ended — is the news: it stays)
    if (typeof c.unhandledHint === "function" && c.unhandledHint(e.effect) != null) return;
    const name = className(c) || "the effect";
    const std = typeof c.standardHandler === "string" ? c.standardHandler : null;
    const rec = recorder === "record";
    const where = rec ? "handlers, before record()" : "options.handlers";
    const add = std === null ? `a handler for ${name}` : `${name}'s standard handler, ${std},`;
    const by = typeof c.performedBy === "string" ? `. ${c.performedBy}` : "";
    const msg = `no handler takes ${name}: ${recorder} recorded it and ${passed ? "passed it on to" : "asked"} ${rec ? "the handlers listed before it" : "the handlers in options.handlers"}, and none takes it; add ${add} to ${where}${passed ? "" : `, or mock it: mock(${name}, (effect) => answer)`}${by}`;
    const old = e.message;
    e.message = msg;
    if (typeof e.stack === "string") e.stack = e.stack.replace(old, msg);
  } catch {
    // (the VM's message stays)
  }
}

/**
 * A recorder's predicate that threw: the program failed at its next effect with the predicate's bare
 * error (`Cannot read properties of undefined (reading 'url')`), which named neither the predicate
 * nor the effect — one of a class it was not written for, the usual cause: it is offered them all.
 * The error is the predicate's own (its class, and its stack for the traceback's `thrown at` line),
 * its message prefixed with what happened, as explainUnhandled does; anything else thrown, or an
 * error whose message cannot be set, is left as it is.
 */
function explainPredicate(recorder: string, error: unknown, effect: unknown): void {
  try {
    if (!(error instanceof Error)) return;
    const whose = recorder === "expectEffects" ? "expectEffects' only predicate" : `${recorder}'s predicate`;
    const name = className((effect as object).constructor) || "effect";
    const old = error.message;
    if (old.startsWith(whose)) return; // (one error thrown again: explained once)
    const msg = `${whose} threw on ${showEffectFields(effect)}: ${old} (it is offered every effect the program performs, ${name} too: test the class first, (e) => e instanceof Roll && …, or pass the class, ${recorder === "expectEffects" ? "only: Roll" : "record(Roll)"})`;
    error.message = msg;
    if (typeof error.stack === "string") error.stack = error.stack.replace(old, msg);
  } catch {
    // (the predicate's error stays as it was)
  }
}

/**
 * A handler that records the effects it is offered. It takes each effect (all of them by default, or
 * those `only` selects), performs it again outward with `delegate()` and answers the program with
 * whatever the outer handlers answered — so the program behaves exactly as without it. Install it
 * last in `handlers` (innermost) to see everything the program performs.
 *
 * @example
 * ```ts
 * const rec = record();
 * run(counter, { handlers: [state, rec] });
 * rec.effects; // [Get { key: "n" }, Put { key: "n", value: 1 }]
 * ```
 */
export function record<const F extends RecordFilter = RecordFilter>(only?: F): Recorder<RecordedOf<F>>;
export function record(only?: RecordFilter): Recorder {
  listedUncalled(only, "record");
  const entries: Recorded<unknown>[] = [];
  const effects: unknown[] = [];
  // its name is what an unhandled effect's message and a traceback call it
  const h = function* record(effect: unknown, k: Parameters<Handler>[1]) {
    // (UNSHOWN: retry's internal turn for the other tasks; the Spawn, Wait and Cancel of the task
    // doeff/workers performs a forwarded effect in: not the program's, and no class a user could
    // list in expectEffects)
    if (UNSHOWN.has(effect as object)) return yield* pass();
    const at = entries.length;
    effects.push(effect);
    // effects that run a program of their own (a task, local's, listen's) are handled where they were
    // performed, so that program runs inside the recorder (and every handler after it): delegated,
    // reader/writer would run it from this handler's code, outside them
    if (effect instanceof SchedulerEffect || effect instanceof Local || effect instanceof Listen) {
      entries.push({ effect, status: "passed" });
      return yield* pass();
    }
    entries.push({ effect, status: "pending" });
    let value: unknown;
    try {
      value = yield* delegate(effect as AnyEffect);
    } catch (error) {
      if (error instanceof UnhandledEffectError && error.effect === effect) explainUnhandled(error, h.name);
      entries[at] = { effect, status: "threw", error };
      return yield* transferWith(k, fail(error));
    }
    entries[at] = { effect, status: "answered", value };
    return yield* transfer(k, value);
  } as unknown as Recorder & { handles?: (e: unknown) => boolean; [TAKES]?: Function | readonly Function[] };
  // transparent in tracebacks too: an error an outer handler gives shows as in a run without it
  h[TRACE_QUIET] = true;
  if (only !== undefined) {
    if (Array.isArray(only)) {
      const classes = only as readonly Function[];
      for (const c of classes) {
        const bad = notAnEffectClass(c);
        if (bad !== null) throw new TypeError(`record expects effect classes, got ${bad} in the list`);
      }
      h.handles = (e) => classes.some((c) => e instanceof c);
      h[TAKES] = classes;
    } else if (typeof only === "function" && notAnEffectClass(only) === null) {
      // (an effect class, as opposed to a predicate — an ordinary `function (e) {…}` has a
      // prototype too; one of another copy of doeff as well, as in a list: else "got null" below)
      const c = only;
      h.handles = (e) => e instanceof c;
      h[TAKES] = c;
    } else if (typeof only === "function" && /^class\b/.test(Function.prototype.toString.call(only))) {
      // a class that is not an effect class: as a predicate it throws "cannot be invoked without
      // 'new'" at the first effect (and Error, called as one, answers no `true`: nothing recorded)
      throw new TypeError(
        `record expects an effect class, a list of classes or a predicate (effect) => boolean, got ${notAnEffectClass(only)}`,
      );
    } else if (typeof only === "function") {
      const pred = only as (effect: unknown) => boolean;
      h.handles = (e) => {
        try {
          return pred(e) === true;
        } catch (error) {
          explainPredicate(h.name, error, e);
          throw error;
        }
      };
    } else {
      throw new TypeError(
        `record expects an effect class, a list of classes or a predicate (effect) => boolean, got ${describe(only)}`,
      );
    }
  }
  Object.defineProperty(h, "entries", { value: entries, enumerable: true });
  Object.defineProperty(h, "effects", { value: effects, enumerable: true });
  Object.defineProperty(h, "clear", {
    value: () => {
      entries.length = 0;
      effects.length = 0;
    },
  });
  return h;
}
