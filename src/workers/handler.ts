/**
 * `workers(options)`: the handler that answers `RunInWorker` on a piscina pool. The calling task
 * waits for the job like for any task (other tasks keep running), performs the effects the job
 * forwards (in the calling task, so they see its handlers), and on cancellation asks the thread to
 * finalize the job (its finally blocks run there).
 */
import {
  awaitPromise,
  CreateExternalPromise,
  type Effect,
  handle,
  type Handler,
  UnhandledEffectError,
} from "../index.js";
import { boundary, transferWith } from "../protocol.js";
import type { RunInWorker } from "./effect.js";
import { frameOf, RunInWorker as RunInWorkerClass } from "./effect.js";
import type { JobEvent, ParentJob } from "./pool.js";
import { WorkerPool, type WorkersOptions } from "./pool.js";

export type { WorkersOptions } from "./pool.js";

export interface WorkersHandler extends Handler<RunInWorker<any>, never> {
  /** Stop the pool's threads (after the run). Jobs still running fail with WorkerCrashedError. */
  close(): Promise<void>;
  /** the pool's thread count */
  readonly size: number;
}

function* jobLoop(pool: WorkerPool, job: ParentJob): Generator<unknown, unknown, any> {
  let ev: JobEvent;
  try {
    ev = yield* job.next();
  } catch (e) {
    if (e instanceof UnhandledEffectError && e.effect instanceof CreateExternalPromise)
      throw new TypeError(
        `runInWorker(${job.label}) needs the scheduler to wait for the worker: run under runAsync with handlers [scheduler, realTime, workers(…), …]`,
        { cause: e },
      );
    throw e;
  }
  try {
    for (;;) {
      if (ev.t === "done") return ev.value;
      if (ev.t === "fail") throw ev.error;
      // a forwarded effect: perform it here, in the calling task
      const m = ev.msg;
      const list = pool.forwardList(job.msg.url);
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
        try {
          v = yield* Object.assign(Object.create(cls.prototype), m.fields) as Effect<unknown>;
        } catch (e) {
          ok = false;
          v = e;
        }
        job.answer(m.req, ok, v);
      }
      ev = yield* job.next();
    }
  } finally {
    if (!job.settled) job.cancel();
  }
}

/** The `workers` handler: runs `RunInWorker` effects on a pool of `size` threads. */
export function workers(options: WorkersOptions = {}): WorkersHandler {
  const pool = new WorkerPool(options);
  const h = handle(RunInWorkerClass, function* workers(e: RunInWorker<unknown>, k) {
    const job = pool.job(e.moduleUrl, e.exportName, e.args, e.job);
    return yield* transferWith(k, boundary(frameOf(e), jobLoop, pool, job));
  }) as unknown as WorkersHandler;
  Object.defineProperty(h, "size", { value: pool.size });
  (h as { close: () => Promise<void> }).close = () => pool.close();
  return h;
}
