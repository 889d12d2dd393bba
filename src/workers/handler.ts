/**
 * `workers(options)`: the handler that answers `RunInWorker` on a piscina pool. The calling task
 * waits for the job like for any task (other tasks keep running), performs the effects the job
 * forwards (job-loop.ts: with the handlers visible at the call), and on cancellation asks the
 * thread to finalize the job (its finally blocks run there).
 */
import {
  AsyncRequiredError,
  CreateExternalPromise,
  type Continuation,
  createExternalPromise,
  type ExternalPromise,
  getRunContext,
  handle,
  type Handler,
  UnhandledEffectError,
  wait,
} from "../index.js";
import { boundary, hidden, listedUncalled, siteState, transfer, transferWith } from "../protocol.js";
import type { SchedulerEffect } from "../effects/scheduler.js";
import type { RunInWorker } from "./effect.js";
import { frameOf, RunInWorker as RunInWorkerClass, unstarted } from "./effect.js";
import { CALLER, join, jobLoop } from "./job-loop.js";
import { TRACE_SITES } from "./messages.js";
import { inParent, type JobEvent, type ParentJob } from "./parent-job.js";
import type { RunContext } from "../run/context.js";
import { WorkerPool, type WorkersOptions } from "./pool.js";

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

type Forwarded = RunInWorker<unknown> & { readonly [CALLER]: ParentJob | null };
Object.defineProperty(RunInWorkerClass.prototype, CALLER, { value: null, writable: true });

function noScheduler(e: unknown, job: ParentJob): unknown {
  if (e instanceof UnhandledEffectError && e.effect instanceof CreateExternalPromise)
    return new TypeError(
      `runInWorker(${job.label}) needs the scheduler to wait for the worker, installed outside workers(…): run under runAsync with scheduler listed before the pool in handlers ([scheduler, realTime, workers(…), …])`,
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
  // (a run with trace.sites is going in this thread, as the core's own site captures read it: the
  // job's run records its sites too, so its remoteTraceback names the lines in the job's module)
  const job = pool.job(e.moduleUrl, e.exportName, e.args, e.job, from, siteState.on !== 0 ? TRACE_SITES : 0);
  let ev: JobEvent | undefined;
  let error: unknown;
  try {
    // (bare yields: the common path, once per job)
    const ext = (yield createExternalPromise<JobEvent>()) as ExternalPromise<JobEvent>;
    job.await(ext);
    ev = (yield wait(ext.future)) as JobEvent;
  } catch (x) {
    error = noScheduler(x, job);
  } finally {
    if (ev === undefined) {
      // the calling task is cancelled, or could not wait (a job that had not started says so)
      const never = job.cancel();
      if (never !== null) unstarted.set(e, never);
      else unstarted.delete(e);
      if (!job.settled) job.cancelledIn((yield getRunContext()) as RunContext); // (ParentJob.finish, run/settle.ts)
    }
  }
  // nothing reached a worker (no scheduler, the synchronous run, the caller cancelled), or the job
  // failed in this thread (arguments that cannot be cloned): no `── in worker ──` boundary
  if (ev === undefined) return yield* transferWith(k, hidden(rethrow, error));
  if (ev.t === "done" && ev.raw === undefined) {
    if (ev.warnings !== undefined) yield* join(ev.warnings);
    return yield* transfer(k, ev.value);
  }
  if (ev.t === "fail" && inParent(ev.error)) return yield* transferWith(k, hidden(rethrow, ev.error));
  return yield* transferWith(k, boundary(frameOf(e), jobLoop, pool, job, ev));
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
