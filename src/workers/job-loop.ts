/**
 * The calling task's side of a job after its first event (handler.ts runJob): it performs the
 * effects the job forwards, with the handlers visible at the `runInWorker` call, sends their
 * answers back, and ends with the job's value or error.
 *
 * Each forwarded effect is performed in a task of its own (spawned from the calling task, so it
 * sees the same handlers, state and env: SEMANTICS §9.6–9.7), while the calling task keeps
 * listening to the job. So when nobody waits for the answer any more — the job's task that
 * performed it gave up (a timeout in the job: the thread sends `drop`), or the job ended (its
 * value, its error, a crash) — that task is cancelled at once: its finally blocks run and a
 * `delay` in its handler is interrupted, where before the parent performed it to the end and only
 * then read the job's outcome. (A cancel of the calling task reaches it too: the loop's finally.)
 * Forwarded effects are still performed one at a time, in the order they came: one that arrives
 * while another is performed waits in `held`.
 *
 * That task is a stand-in for the calling task (StandInSpawn, Spawn.standIn), and reads as it:
 * `getTaskInfo()` in the effect's handler answers the caller's id (a span or request id kept by
 * task finds the caller's), it takes no task id (the ids of the caller's later tasks are as with no
 * job in between), and `record` and `observe` see the forwarded effect performed, not the
 * stand-in's Spawn, Wait and Cancel (UNSHOWN). Only its traceback line says what it is (see the
 * spawn below).
 */
import { markOwnedSpawn, type StandIn, UNSHOWN } from "../effects/scheduler.js";
import {
  awaitPromise,
  cancel,
  createExternalPromise,
  type Effect,
  type ExternalPromise,
  getRunContext,
  type ProgramLikeOf,
  Spawn,
  type Task,
  UnhandledEffectError,
  wait,
} from "../index.js";
import { className, hidden, TAKES } from "../protocol.js";
import type { RunContext } from "../run/context.js";
import { withTarget } from "./effect.js";
import { addWarning, type JobWarning } from "./job-warnings.js";
import type { EffectMsg } from "./messages.js";
import type { JobEvent, ParentJob } from "./parent-job.js";
import type { WorkerPool } from "./pool.js";
import { decodeValue, fromWire, missingRegistered, missingRegisteredIn } from "./wire.js";

/**
 * A RunInWorker a job forwarded carries that job (jobLoop), for the pool that takes it (nested.ts).
 * Every other RunInWorker reads null from the prototype: one property read per job (handler.ts).
 */
export const CALLER = Symbol("doeff.workers.caller");

/**
 * The Spawn of the task a forwarded effect is performed in: a stand-in for the calling task, doing
 * `standIn` for it (Spawn.standIn), a child of the pool's own (`owned`: its log is the calling
 * task's only through the wait on it). The scheduler's handler makes it: not a Spawn exactly.
 */
class StandInSpawn extends Spawn<unknown, unknown> {
  declare readonly standIn: StandIn;
  constructor(program: ProgramLikeOf<unknown>, standIn: StandIn) {
    super(program, "shared");
    Object.defineProperty(this, "standIn", { value: standIn });
    markOwnedSpawn(this);
  }
}

/**
 * A forwarded effect being performed: `events` null once it was answered (or the calling task
 * stopped it); `unresumed` the error the calling task throws when its handler never resumed.
 */
interface Performing {
  readonly req: number;
  events: Events | null;
  unresumed?: Error;
}

/** read by the calling task in place of a job event: the forwarded effect it waits for is answered */
const ANSWERED = { t: "answered" } as const;

/**
 * The task performing a forwarded effect. It answers the job at once, as the calling task did when
 * it performed the effect itself (the job waits for it, and the caller's other tasks may act on
 * what the handler did first: cancel the job, say), never fails, and wakes the calling task, which
 * waits for the job's next event or this, whichever comes first — one promise for both (a `race`
 * of the task and the job's events cost ~3× as much per effect).
 */
function* performFor(effect: Effect<unknown>, p: Performing): Generator<unknown, void, any> {
  let v: unknown;
  let ok = false;
  let settled = false;
  try {
    try {
      v = yield* effect;
      ok = true;
    } catch (e) {
      v = e;
    }
    settled = true;
  } finally {
    // neither answered nor stopped: a handler inside the scheduler returned without resuming, which
    // ended this task's copy of its scope, not the caller's (the job waited for ever for an answer)
    if (p.events !== null && !settled) unresumed(effect, p);
  }
  const events = p.events!;
  p.events = null;
  if (!ok && v instanceof UnhandledEffectError && v.effect === effect) explainForwarded(v, events.job.label);
  events.job.answer(p.req, ok, v);
  events.answered();
}

/** performFor's effect was never resumed: wake the calling task, which fails with the reason. */
function unresumed(effect: Effect<unknown>, p: Performing): void {
  const events = p.events!;
  p.events = null;
  const name = className((effect as object).constructor) || "effect";
  p.unresumed = new TypeError(
    `runInWorker(${events.job.label}): the handler of the ${name} it forwarded returned without resuming; a forwarded effect is performed in a task of its own (so that it stops when the job no longer waits for it), so that return cannot end a scope around runInWorker: resume with the answer (resume(k, v)), or fail the job's ${name} with discontinue(k, error), which throws it at the job's perform site (a throw in the handler fails this runInWorker call instead)`,
  );
  events.answered();
}

/** The job's events as the calling task reads them: forwarded effects held back come first. */
class Events {
  /** forwarded effects that came while another was performed, in order */
  held: EffectMsg[] | null = null;
  /** the promise the job's next event completes, registered with the job and not completed yet */
  private listening: ExternalPromise<JobEvent> | null = null;

  constructor(readonly job: ParentJob) {}

  /** the next event: a held effect, one the job queued, or (waited for) the next to come */
  *next(): Generator<unknown, JobEvent, any> {
    const h = this.held;
    if (h !== null && h.length > 0) return { t: "eff", msg: h.shift()! };
    // (ANSWERED comes only while an effect is performed: incoming)
    return (yield* this.incoming()) as JobEvent;
  }

  /** the job's next event, or ANSWERED when the effect being performed was answered first */
  *incoming(): Generator<unknown, JobEvent | typeof ANSWERED, any> {
    if (this.listening === null) {
      const ev = this.job.poll();
      if (ev !== undefined) return ev;
    }
    const ev = (yield* wait((yield* this.listen()).future)) as JobEvent | typeof ANSWERED;
    this.listening = null;
    return ev;
  }

  /**
   * The forwarded effect being performed was answered: wake the calling task (unless an event of
   * the job already did: it reads the answer after that event).
   */
  answered(): void {
    const ext = this.listening;
    if (ext !== null && this.job.unwait(ext)) (ext as ExternalPromise<unknown>).complete(ANSWERED);
  }

  /** The promise the job's next event completes (one at a time, so events keep their order). */
  *listen(): Generator<unknown, ExternalPromise<JobEvent>, any> {
    if (this.listening === null) {
      const ext: ExternalPromise<JobEvent> = yield* createExternalPromise<JobEvent>();
      this.listening = ext;
      const queued = this.job.poll();
      if (queued !== undefined) ext.complete(queued);
      else this.job.await(ext);
    }
    return this.listening;
  }

  /** the job gave up its forwarded effect `req` before the parent reached it: never performed */
  forget(req: number): void {
    const h = this.held;
    if (h !== null) {
      const i = h.findIndex((m) => m.req === req);
      if (i !== -1) h.splice(i, 1);
    }
  }
}

export function* jobLoop(
  pool: WorkerPool,
  job: ParentJob,
  first: JobEvent,
): Generator<unknown, unknown, any> {
  const events = new Events(job);
  let ev: JobEvent | null = first;
  /** the task performing a forwarded effect, while it does */
  let performing: Task<unknown> | null = null;
  /** what it performs */
  let current: Performing | null = null;
  try {
    for (;;) {
      ev ??= yield* events.next();
      if (ev.t === "drop") {
        // (an effect already answered, or held: it will not be performed)
        events.forget(ev.req);
        ev = null;
        continue;
      }
      if (ev.t !== "eff" && ev.warnings !== undefined) yield* join(ev.warnings);
      if (ev.t === "done") {
        if (ev.raw === undefined) return ev.value;
        yield* moduleErrors(pool, job);
        return decodeValue(ev.raw);
      }
      if (ev.t === "fail") {
        // its class is in the module's `errors`, registered in the worker and not yet here: register
        // them (importing the module, once per pool) and rebuild it, so `instanceof` works here too
        const loading =
          ev.wire !== undefined && missingRegistered(ev.wire) ? pool.registerModuleErrors(job.url) : null;
        if (loading === null) throw ev.error;
        yield* awaitPromise(() => loading);
        throw fromWire(ev.wire!, `── in worker (${job.label}) ──`);
      }
      // a forwarded effect: perform it here, in a task of the calling task's
      const m = ev.msg;
      ev = null;
      const list = pool.forwardList(job.url);
      const classes = Array.isArray(list) ? list : yield* awaitPromise(() => list);
      const cls = classes[m.cls] as { prototype: object } | undefined;
      if (cls === undefined) {
        job.answer(
          m.req,
          false,
          new TypeError(`${job.label}: the parent finds no forward[${m.cls}] in the module`),
        );
        continue;
      }
      if (missingRegisteredIn(m.fields) || m.syms?.some(([, v]) => missingRegisteredIn(v)) === true)
        yield* moduleErrors(pool, job);
      const effect = rebuild(cls, m, job);
      const done: Performing = { req: m.req, events };
      current = done;
      // Its traceback line names the calling task and says why it is there: a failing handler's
      // chain is shown below the job's `── in worker (jobs.js#crawl) ──`, and without a line of its
      // own it would read as the worker's; with the caller's plain `── in task 1 ──` it would read
      // as the caller again, entered twice. So: `── in task 1 (forwarded Fetch from worker job
      // jobs.js#crawl) ──` — the task whose handlers performed it, and which effect of which job (as
      // fields too, for tracebackOf's entry: a class's name can have these words in it)
      const effectClass = className(cls as Function) || "effect";
      const what: StandIn = {
        text: `forwarded ${effectClass} from worker job ${job.label}`,
        effectClass,
        job: job.label,
      };
      performing = (yield unshown(new StandInSpawn(hidden(performFor, effect, done), what))) as Task<unknown>;
      for (;;) {
        const next = yield* events.incoming();
        if (next.t === "answered") break;
        if (next.t === "eff") (events.held ??= []).push(next.msg);
        else if (next.t === "drop" && next.req !== m.req) events.forget(next.req);
        else {
          // nobody waits for the answer (the job gave it up, or ended): stop performing it
          if (next.t !== "drop") ev = next;
          break;
        }
        if (done.events === null) break; // (it answered meanwhile)
      }
      const t = performing;
      performing = null;
      if (ev !== null || done.events !== null) {
        done.events = null; // (stopped: not an effect left unresumed)
        yield* stop(t);
        continue;
      }
      // (answered: its log joins the calling task's, as if performed there — wait merges it)
      yield* unshown(wait(t));
      if (done.unresumed !== undefined) throw done.unresumed;
    }
  } finally {
    // the calling task was cancelled (or could not go on): the effect it performed goes too
    if (performing !== null) {
      if (current !== null) current.events = null;
      yield* stop(performing);
    }
    if (!job.settled) {
      job.cancel();
      if (!job.settled) job.cancelledIn((yield getRunContext()) as RunContext); // (ParentJob.finish, run/settle.ts)
    }
  }
}

/**
 * A value of the job (its result, a forwarded effect's field) holds an error of a class its module
 * lists in `errors`, registered in the worker and not yet here: register them (importing the module,
 * once per pool) before it is decoded, so that it is an instance of its class here too — also
 * before any job of the module failed (which registered them, and alone did, before).
 */
function* moduleErrors(pool: WorkerPool, job: ParentJob): Generator<unknown, void, any> {
  const loading = pool.registerModuleErrors(job.url);
  if (loading !== null) yield* awaitPromise(() => loading);
}

/** The forwarded effect, rebuilt from its message as an instance of its class. */
function rebuild(cls: { prototype: object }, m: EffectMsg, job: ParentJob): Effect<unknown> {
  // (its fields' Error values rebuilt: wire.ts encodeFields)
  const effect = Object.assign(Object.create(cls.prototype), decodeValue(m.fields)) as Effect<unknown>;
  // (its fields keyed by registered symbols, which the message carries apart: plain.ts effectFields)
  if (m.syms !== undefined)
    for (const [key, v] of m.syms)
      Object.defineProperty(effect, Symbol.for(key), {
        value: decodeValue(v),
        writable: true,
        enumerable: true,
        configurable: true,
      });
  if (m.target !== undefined) {
    // a job that runs a job: its pair, and the job it came from (nested.ts: on the same pool, it may
    // be refused rather than wait for ever)
    withTarget(effect, m.target);
    Object.defineProperty(effect, CALLER, { value: job });
  }
  return effect;
}

/** `e`, which `record` and `observe` do not show (UNSHOWN: the stand-in's Spawn, Wait and Cancel). */
function unshown<E extends object>(e: E): E {
  UNSHOWN.add(e);
  return e;
}

/**
 * Cancel the task performing a forwarded effect nobody waits for (its finally blocks run now). One
 * that had just answered is collected: its log joins the calling task's.
 */
function* stop(t: Task<unknown>): Generator<unknown, void, any> {
  if (!(yield* unshown(cancel(t)))) yield* unshown(wait(t));
}

/**
 * The job's run's warnings join the calling run's, before the caller gets the job's outcome: told
 * to its `onWarning` as "final" (the job's run has ended, nothing there can receive them).
 */
export function* join(ws: readonly JobWarning[]): Generator<unknown, void, unknown> {
  const ctx = (yield getRunContext()) as RunContext;
  for (const w of ws) addWarning(ctx, w);
}

/**
 * A forwarded effect no handler of the caller takes: its message said to install a handler "around
 * the code that performs it", which the job's author reads as the worker. Say where it came from.
 */
/**
 * The name of a visible handler that takes a class named `name` other than `cls`: the application
 * handles a copy of the job module's class (a bundle that inlined the module), not the class the
 * parent rebuilt the forwarded effect as. Null when none does.
 */
function takerOfNamesake(handlers: readonly unknown[], cls: unknown, name: string): string | null {
  for (const h of handlers) {
    if (typeof h !== "function") continue;
    const takes = (h as { [TAKES]?: unknown })[TAKES];
    const classes: unknown[] = Array.isArray(takes) ? takes : [takes];
    if (classes.some((t) => typeof t === "function" && t !== cls && className(t) === name))
      return h.name || "a handler";
  }
  return null;
}

function explainForwarded(e: UnhandledEffectError, label: string): void {
  try {
    const c = (e.effect as object).constructor as { standardHandler?: unknown };
    const name = className(c) || "the effect";
    // (the plain message named the standard handler; keep that, it is the usual fix)
    const std = typeof c.standardHandler === "string" ? ` (the standard one is ${c.standardHandler})` : "";
    const namesake = takerOfNamesake(e.handlers, c, name);
    const msg =
      namesake !== null
        ? `no handler in the parent takes ${name}, which the job ${label} forwarded (its module lists ${name} in \`forward\`): ${namesake} takes another class named ${name}, not the one of the module the job runs — a second copy of that module (one a bundler inlined into your bundle, or one imported by another path). Import ${name} from the module the job runs, by the same URL (with a bundler, mark the job module external: docs/workers.md, "Bundling")`
        : `no handler in the parent takes ${name}, which the job ${label} forwarded (its module lists ${name} in \`forward\`): install a handler for ${name}${std} where runInWorker is performed (in run's handlers, or withHandler around the call), or handle it in the worker (the module's \`export const handlers = [...]\`)`;
    const old = e.message;
    e.message = msg;
    if (typeof e.stack === "string") e.stack = e.stack.replace(old, msg);
  } catch {
    // (the original message stays)
  }
}
