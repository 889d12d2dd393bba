/**
 * `workers(options)`: the handler that answers `RunInWorker` on a piscina pool. The calling task
 * waits for the job like for any task (other tasks keep running), performs the effects the job
 * forwards (in the calling task, so they see its handlers), and on cancellation asks the thread to
 * finalize the job (its finally blocks run there).
 */
import {
  AsyncRequiredError,
  awaitPromise,
  CreateExternalPromise,
  type Continuation,
  createExternalPromise,
  type Effect,
  type ExternalPromise,
  getRunContext,
  handle,
  type Handler,
  UnhandledEffectError,
  wait,
} from "../index.js";
import { boundary, className, hidden, listedUncalled, transfer, transferWith } from "../protocol.js";
import type { SchedulerEffect } from "../effects/scheduler.js";
import type { RunInWorker } from "./effect.js";
import { frameOf, RunInWorker as RunInWorkerClass, withTarget } from "./effect.js";
import { inParent, type JobEvent, type ParentJob } from "./parent-job.js";
import { addWarning, type JobWarning } from "./job-warnings.js";
import type { RunContext } from "../run/context.js";
import { WorkerPool, type WorkersOptions } from "./pool.js";
import { decodeValue, fromWire, missingRegistered } from "./wire.js";

export type { WorkersOptions } from "./pool.js";

/**
 * Takes RunInWorker; its own code performs scheduler effects (an external promise per job, awaited
 * by the calling task), so `scheduler` must be listed before it — the coverage check says so.
 */
export interface WorkersHandler extends Handler<RunInWorker<any, any>, SchedulerEffect<any>> {
  /** Stop the pool's threads (after the run). Jobs still running fail with WorkerCrashedError. */
  close(): Promise<void>;
  /** the pool's thread count */
  readonly size: number;
}

/**
 * A RunInWorker a job forwarded carries that job (jobLoop), for the pool that takes it (nested.ts).
 * Every other RunInWorker reads null from the prototype: one property read per job.
 */
const CALLER = Symbol("doeff.workers.caller");
type Forwarded = RunInWorker<unknown> & { readonly [CALLER]: ParentJob | null };
Object.defineProperty(RunInWorkerClass.prototype, CALLER, { value: null, writable: true });

function noScheduler(e: unknown, job: ParentJob): unknown {
  if (e instanceof UnhandledEffectError && e.effect instanceof CreateExternalPromise)
    return new TypeError(
      `runInWorker(${job.label}) needs the scheduler to wait for the worker: run under runAsync with handlers [scheduler, realTime, workers(…), …]`,
      { cause: e },
    );
  // (under the synchronous run: the message named awaitPromise / createExternalPromise, never called)
  if (e instanceof AsyncRequiredError)
    return new AsyncRequiredError(`runInWorker(${job.label}) (it waits for a worker thread)`);
  return e;
}

function* rethrow(e: unknown): Generator<never, never, unknown> {
  throw e;
}

/**
 * The handler's body. It waits for the job's first event where the effect was handled; the common
 * outcome, a value, resumes the caller directly. An error, or an effect the job forwards, continues
 * at the perform site inside an `in worker (module#export)` frame (jobLoop), so the caller's
 * handlers perform forwarded effects and its try/catch sees the error.
 */
function* runJob(
  pool: WorkerPool,
  e: RunInWorker<unknown>,
  k: Continuation<unknown, unknown>,
): Generator<unknown, unknown, unknown> {
  const from = (e as Forwarded)[CALLER];
  const job = pool.job(e.moduleUrl, e.exportName, e.args, e.job, from);
  let ev: JobEvent | undefined;
  let error: unknown;
  try {
    // (bare yields: the common path, once per job, without delegating to job.next())
    const ext = (yield createExternalPromise<JobEvent>()) as ExternalPromise<JobEvent>;
    job.await(ext);
    // (a job that runs a job: if the job stops waiting for it, it is cancelled: ParentJob.gaveUp)
    if (from !== null) from.nested = job;
    ev = (yield wait(ext.future)) as JobEvent;
  } catch (x) {
    error = noScheduler(x, job);
  } finally {
    if (ev === undefined) {
      job.cancel(); // the calling task is cancelled, or could not wait
      if (!job.settled) job.ctx = (yield getRunContext()) as RunContext; // (see ParentJob.finish)
    }
  }
  // nothing reached a worker (no scheduler, the synchronous run, the caller cancelled), or the job
  // failed in this thread (arguments that cannot be cloned): no `── in worker ──` boundary
  if (ev === undefined) return yield* transferWith(k, hidden(rethrow, error));
  if (ev.t === "done") {
    if (ev.warnings !== undefined) yield* join(ev.warnings);
    return yield* transfer(k, ev.value);
  }
  if (ev.t === "fail" && inParent(ev.error)) {
    // (a nested job its caller gave up: its warnings, which come when it has finalized, join this run)
    if (!job.settled) job.ctx = (yield getRunContext()) as RunContext;
    return yield* transferWith(k, hidden(rethrow, ev.error));
  }
  return yield* transferWith(k, boundary(frameOf(e), jobLoop, pool, job, ev));
}

function* jobLoop(pool: WorkerPool, job: ParentJob, first: JobEvent): Generator<unknown, unknown, any> {
  let ev = first;
  try {
    for (;;) {
      if (ev.t !== "eff" && ev.warnings !== undefined) yield* join(ev.warnings);
      if (ev.t === "done") return ev.value;
      if (ev.t === "fail") {
        // its class is in the module's `errors`, registered in the worker and not yet here: register
        // them (importing the module, once per pool) and rebuild it, so `instanceof` works here too
        const loading =
          ev.wire !== undefined && missingRegistered(ev.wire) ? pool.registerModuleErrors(job.url) : null;
        if (loading === null) throw ev.error;
        yield* awaitPromise(() => loading);
        throw fromWire(ev.wire!, `── in worker (${job.label}) ──`);
      }
      // a forwarded effect: perform it here, in the calling task
      const m = ev.msg;
      const list = pool.forwardList(job.url);
      const classes = Array.isArray(list) ? list : yield* awaitPromise(() => list);
      const cls = classes[m.cls] as { prototype: object } | undefined;
      if (cls === undefined) {
        job.answer(
          m.req,
          false,
          new TypeError(`${job.label}: the parent finds no forward[${m.cls}] in the module`),
        );
      } else {
        let v: unknown;
        let ok = true;
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
          // a job that runs a job: its pair, and the job it came from (nested.ts: on the same pool,
          // it may be refused rather than wait for ever)
          withTarget(effect, m.target);
          Object.defineProperty(effect, CALLER, { value: job });
        }
        job.performing = m.req;
        try {
          v = yield* effect;
        } catch (e) {
          ok = false;
          v = e;
          if (e instanceof UnhandledEffectError && e.effect === effect) explainForwarded(e, job.label);
        }
        job.performing = -1;
        job.nested = null;
        job.answer(m.req, ok, v);
      }
      ev = yield* job.next();
    }
  } finally {
    if (!job.settled) {
      job.cancel();
      if (!job.settled) job.ctx = (yield getRunContext()) as RunContext; // (see ParentJob.finish)
    }
  }
}

/**
 * The job's run's warnings join the calling run's, before the caller gets the job's outcome: told
 * to its `onWarning` as "final" (the job's run has ended, nothing there can receive them).
 */
function* join(ws: readonly JobWarning[]): Generator<unknown, void, unknown> {
  const ctx = (yield getRunContext()) as RunContext;
  for (const w of ws) addWarning(ctx, w);
}

/**
 * A forwarded effect no handler of the caller takes: its message said to install a handler "around
 * the code that performs it", which the job's author reads as the worker. Say where it came from.
 */
function explainForwarded(e: UnhandledEffectError, label: string): void {
  try {
    const c = (e.effect as object).constructor as { standardHandler?: unknown };
    const name = className(c) || "the effect";
    // (the plain message named the standard handler; keep that, it is the usual fix)
    const std = typeof c.standardHandler === "string" ? ` (the standard one is ${c.standardHandler})` : "";
    const msg = `no handler in the parent takes ${name}, which the job ${label} forwarded (its module lists ${name} in \`forward\`): install a handler for ${name}${std} where runInWorker is performed (in run's handlers, or withHandler around the call), or handle it in the worker (the module's \`export const handlers = [...]\`)`;
    const old = e.message;
    e.message = msg;
    if (typeof e.stack === "string") e.stack = e.stack.replace(old, msg);
  } catch {
    // (the original message stays)
  }
}

/**
 * The `workers` handler: runs `RunInWorker` effects on a pool of `size` threads. List it after
 * `scheduler`; `close()` it when the runs that use it are done.
 *
 * @example
 * ```ts
 * const pool = workers({ size: 4 });
 * const r = await runAsync(runInWorker<number>(JOBS, "fib", 30), { handlers: [scheduler, realTime, pool] });
 * await pool.close();
 * ```
 */
export function workers(options: WorkersOptions = {}): WorkersHandler {
  listedUncalled(options, "workers", "workers({ size })");
  const pool = new WorkerPool(options);
  const h = handle(RunInWorkerClass, function workers(e: RunInWorker<unknown, unknown>, k) {
    return runJob(pool, e as RunInWorker<unknown>, k as Continuation<unknown, unknown>);
  }) as unknown as WorkersHandler;
  Object.defineProperty(h, "size", { value: pool.size });
  (h as { close: () => Promise<void> }).close = () => pool.close();
  return h;
}
