/**
 * One job as the parent sees it (a module of its own, apart from the pool that runs it): what its
 * thread gets, the events the thread sends back (its value, its error, the effects it forwards), its
 * cancellation and grace, its warnings, and its place among nested jobs (nested.ts).
 */
import { SETTLING, type Settling } from "../effects/settling.js";
import type { ExternalPromise } from "../index.js";
import type { RunContext } from "../run/context.js";
import type { Batch } from "./batch.js";
import { WorkerCrashedError } from "./errors.js";
import { addWarning, type JobWarning, receivedWarnings } from "./job-warnings.js";
import type { EffectMsg, JobMsg, JobReply } from "./messages.js";
import { symbolFieldIn } from "./plain.js";
import type { WorkerPool } from "./pool.js";
import { uncaughtWire } from "./uncaught.js";
import {
  asBuiltin,
  decodeValue,
  encodeValue,
  fromWire,
  missingRegisteredIn,
  toWire,
  type WireError,
} from "./wire.js";

export type JobEvent =
  | {
      readonly t: "done";
      readonly value: unknown;
      readonly warnings?: readonly JobWarning[];
      /**
       * the value as it came, not decoded yet (`value` is then undefined): it holds an error of a
       * class in the module's `errors`, registered in the worker and not yet here (job-loop.ts)
       */
      readonly raw?: unknown;
    }
  | {
      readonly t: "fail";
      readonly error: unknown;
      readonly warnings?: readonly JobWarning[];
      /** the thread's error as it came, to rebuild once the module's `errors` are known (handler.ts) */
      readonly wire?: WireError;
    }
  | { readonly t: "eff"; readonly msg: EffectMsg }
  /** the job's task that forwarded effect `req` stopped waiting for its answer (job-loop.ts) */
  | { readonly t: "drop"; readonly req: number };

/** What became of a job cancelled before it started (ParentJob.cancel), as its TimeoutError says it. */
const UNSENT =
  "it was cancelled before it started: it was still in the pool's queue, not yet sent to a worker thread, and it never ran";
const ALL_BUSY =
  "it was cancelled before it started: every worker thread was busy with other jobs, so it was taken off the queue and never ran";
const IN_BATCH =
  "it was cancelled before it started: its worker thread was still busy with the jobs sent before it in its batch, so it was taken off the queue and never ran";

/** Errors of jobs that failed in this thread, before any worker ran them (handler.ts: no boundary). */
const parentSide = new WeakSet<object>();
export function inParent(e: unknown): boolean {
  return typeof e === "object" && e !== null && parentSide.has(e);
}

/**
 * One job as the parent sees it. It is also the AbortSignal piscina gets for the job (piscina only
 * reads `aborted`, `reason` and `addEventListener`): no AbortController per job; it aborts only when
 * a cancelled job outlives its grace, and piscina then terminates the job's thread.
 */
export class ParentJob {
  readonly id: number;
  readonly url: string;
  readonly name: string;
  /** what the thread gets */
  readonly msg: JobMsg;
  readonly label: string;
  /** the job of this pool that forwarded this job's RunInWorker (nested.ts), or null */
  readonly caller: ParentJob | null;
  /** (nested.ts) */
  nestedOut = 0;
  counted = false;
  readonly pool: WorkerPool;
  /** events not taken yet (rare: forwarded effects arriving while one is being performed) */
  private queue: JobEvent[] | null = null;
  /** the external promise the calling task waits on, when it waits */
  private waiter: ExternalPromise<JobEvent> | null = null;
  private submitted = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private onAbort: ((ev: unknown) => void) | null = null;
  /** the batch carrying this job and its place there, when it went in one (batch.ts) */
  private batch: Batch | null = null;
  private slot = -1;
  /** in the pool's queue, not yet flushed to piscina */
  private inQueue = false;
  settled = false;
  cancelled = false;
  /**
   * The calling run, once the calling task was cancelled before the job ended (handler.ts): the
   * job's warnings, which arrive after, are added to it.
   */
  ctx: RunContext | null = null;
  /** the calling run's `settle` count this cancelled job is on until it ends (cancelledIn) */
  private settling: Settling | null = null;
  /** (as piscina's AbortSignal) */
  aborted = false;
  reason: unknown = undefined;

  constructor(
    pool: WorkerPool,
    id: number,
    url: string,
    name: string,
    args: readonly unknown[],
    label: string,
    caller: ParentJob | null,
    flags: number,
  ) {
    this.pool = pool;
    this.caller = caller;
    this.id = id;
    this.url = url;
    this.name = name;
    const msg: unknown[] = [id, url, name, flags];
    // (Error values cross in the wire form of a thrown error: wire.ts encodeValue)
    for (let i = 0; i < args.length; i++) msg.push(encodeValue(args[i]));
    this.msg = msg as unknown as JobMsg;
    this.label = label;
  }

  push(ev: JobEvent): void {
    const w = this.waiter;
    if (w !== null) {
      this.waiter = null;
      w.complete(ev);
    } else (this.queue ??= []).push(ev);
  }

  /** `ext` waits for the next event no more (true), unless an event completed it already (false). */
  unwait(ext: ExternalPromise<JobEvent>): boolean {
    if (this.waiter !== ext) return false;
    this.waiter = null;
    return true;
  }

  /** The next event if one came while nothing waited (job-loop.ts reads them in order). */
  poll(): JobEvent | undefined {
    return this.queue?.shift();
  }

  /** The next event completes `ext`; the first call submits the job. */
  await(ext: ExternalPromise<JobEvent>): void {
    this.waiter = ext;
    if (!this.submitted) this.submit();
  }

  /** (as piscina's AbortSignal) */
  addEventListener(_type: string, listener: (ev: unknown) => void): void {
    this.onAbort = listener;
  }

  /** (as piscina's AbortSignal) */
  removeEventListener(): void {
    this.onAbort = null;
  }

  private submit(): void {
    this.submitted = true;
    if (this.caller !== null) {
      const refused = this.pool.nesting.enter(this);
      if (refused !== null) {
        this.end();
        parentSide.add(refused); // (no thread ran it: no `── in worker ──` boundary)
        this.push({ t: "fail", error: refused });
        return;
      }
    }
    this.pool.attach(this);
    this.pool.enqueue(this);
  }

  /** goes to piscina as job `slot` of `batch` */
  inBatch(batch: Batch, slot: number): void {
    this.batch = batch;
    this.slot = slot;
  }

  /** goes to piscina alone (its own task; the job is then its AbortSignal) */
  alone(): void {
    this.batch = null;
    const p = this.pool.started;
    // (a job cancelled before a thread claimed it is settled already: its thread's skip, or
    // piscina's "pool is closed" for it, is nobody's news)
    if (p === null) this.crash(new Error("the pool is closed"));
    else
      p.run(this.msg, { signal: this as unknown as AbortSignal }).then(
        (reply) => {
          if (!this.settled) this.finish(reply as JobReply);
        },
        (e: unknown) => {
          if (!this.settled) this.crash(e);
        },
      );
  }

  /**
   * The thread's reply (alone, or from the job's batch). The job's warnings go with its outcome to
   * the calling task, which adds them to its run's (handler.ts) — or, for a job whose calling task
   * was cancelled (nothing takes its outcome), straight to the run the job was cancelled in, if that
   * run has not ended.
   */
  finish(reply: JobReply): void {
    this.end();
    if (reply === null || typeof reply !== "object") {
      this.push({ t: "done", value: reply });
      return;
    }
    const ws = reply.warnings === undefined ? undefined : receivedWarnings(reply.warnings, this.label);
    if (this.cancelled) {
      const ctx = this.ctx;
      this.ctx = null;
      if (ws !== undefined && ctx !== null && !(ctx as { ended?: boolean }).ended)
        for (const w of ws) addWarning(ctx, w);
      return;
    }
    let ev: JobEvent;
    if (reply.ok)
      ev = missingRegisteredIn(reply.value)
        ? { t: "done", value: undefined, raw: reply.value }
        : { t: "done", value: decodeValue(reply.value) };
    else if ("cancelled" in reply) ev = { t: "fail", error: new Error("cancelled") };
    else
      ev = { t: "fail", error: fromWire(reply.error, `── in worker (${this.label}) ──`), wire: reply.error };
    this.push(ws === undefined ? ev : { ...ev, warnings: ws });
  }

  /** Cancelled before it was sent or before its thread reached it: it never runs. */
  drop(): void {
    this.end();
  }

  /** The pool could not start (piscina not installed): that error, as it is — no thread crashed. */
  failToStart(e: unknown): void {
    this.end();
    if (!this.cancelled) this.push({ t: "fail", error: e });
  }

  /** The job's thread ended before answering, or piscina could not take the job. */
  crash(e: unknown): void {
    this.end();
    // the thread's uncaught error as the thread wrote it down (uncaught.ts): rebuilt as a job's
    // thrown error of its class is; else Node's copy (an AggregateError came as a plain Error so named)
    const w = uncaughtWire(e);
    e = w !== null ? fromWire(w) : asBuiltin(e);
    if (this.cancelled) {
      if (this.aborted) this.terminated(e);
      return;
    }
    const message = w !== null ? shownAs(w) : e instanceof Error ? e.message : String(e);
    // (piscina could not send the arguments; not a DataCloneError that ended the thread)
    if (w === null && isCloneFailure(e)) {
      const error = new TypeError(
        unsendable(this.msg, this.label) ??
          `runInWorker(${this.label}): the arguments cannot be sent to a worker thread (${message}); pass structured-cloneable data (no functions, no class instances with behaviour)`,
        { cause: e },
      );
      parentSide.add(error);
      this.push({ t: "fail", error });
      return;
    }
    if (e instanceof Error && (e as { code?: string }).code === "ERR_MODULE_NOT_FOUND") {
      this.push({ t: "fail", error: entryMissing(e) ?? e });
      return;
    }
    this.push({
      t: "fail",
      error: new WorkerCrashedError(
        this.url,
        this.name,
        this.pool.closed
          ? `the worker thread running ${this.label} was stopped by the pool's close() before it answered (${message})`
          : `the worker thread running ${this.label} ended before answering (${message}); only this job failed and the pool starts a new thread. Look for process.exit, an uncaught error in a callback, or memory limits in the job`,
        { cause: e },
      ),
    });
  }

  /**
   * The cancelled job outlived its grace and its thread was terminated: its finally blocks never
   * ran. Nothing else would say so (the caller has gone, and the TimeoutError that cancelled it was
   * made before the grace began), so it is a warning of the run that cancelled it, if still going.
   */
  private terminated(e: unknown): void {
    const ctx = this.ctx;
    this.ctx = null;
    if (ctx === null || (ctx as { ended?: boolean }).ended) return;
    const ms = this.pool.cancelGraceMs;
    const error = new WorkerCrashedError(
      this.url,
      this.name,
      `the worker job ${this.label} was cancelled and did not finalize within cancelGraceMs (${ms} ms), so its thread was terminated and its finally blocks did not run. A job busy in synchronous code cannot hear the cancel: let its thread's event loop run between chunks of work (yield* delay(0)), or raise workers({ cancelGraceMs })`,
      { cause: e },
    );
    addWarning(ctx, { error, where: `in worker (${this.label}) — terminated after cancelGraceMs` });
  }

  /**
   * The calling task was cancelled before the job ended (handler.ts, job-loop.ts), in run `ctx`: the
   * job's warnings, which arrive after, go to that run (finish). With the run option `settle`, the
   * job also counts as the run's pending work, as an awaitPromise promise cancellation abandoned
   * does (run/settle.ts), until it ends (end): its thread replied once its finally blocks ran, it
   * was terminated after cancelGraceMs, or it never ran. So runAsync's result, which waits for that
   * count, does not come while the job is still finalizing in its thread.
   */
  cancelledIn(ctx: RunContext): void {
    this.ctx = ctx;
    const s = ctx.user.get(SETTLING) as Settling | undefined;
    if (s !== undefined && this.settling === null) {
      this.settling = s;
      s.n++;
    }
  }

  private end(): void {
    this.settled = true;
    const s = this.settling;
    if (s !== null) {
      this.settling = null;
      if (--s.n === 0 && s.done !== null) s.done();
    }
    this.pool.detach(this);
    if (this.nestedOut !== 0 || this.counted) this.pool.nesting.ended(this);
    if (this.timer !== null) clearTimeout(this.timer);
  }

  /**
   * The calling task was cancelled: ask the thread to finalize the job; terminate it after the
   * grace. A job no thread had started is taken off its queue instead (no message, no grace): the
   * answer is then what became of it, for its TimeoutError (effect.ts), else null.
   */
  cancel(): string | null {
    if (this.settled || this.cancelled) return null;
    this.cancelled = true;
    if (!this.submitted) return null;
    // still in the pool's queue (dropped at its flush), in piscina's (its thread skips it, claims
    // in messages.ts), or in a batch its thread has not reached yet: it will not run
    const before =
      this.batch !== null
        ? this.batch.skip(this.slot)
          ? IN_BATCH
          : null
        : this.inQueue
          ? UNSENT
          : this.pool.unclaim(this.id)
            ? ALL_BUSY
            : null;
    if (before !== null) {
      this.drop();
      return before;
    }
    this.pool.cancelJob(this.id);
    this.timer = setTimeout(() => this.abort(), this.pool.cancelGraceMs);
    (this.timer as { unref?: () => void }).unref?.();
    return null;
  }

  private abort(): void {
    if (this.settled || this.aborted) return;
    this.aborted = true;
    this.reason = new Error(`${this.label} did not finalize within cancelGraceMs`);
    if (this.batch !== null) this.batch.abort(this.reason);
    else this.onAbort?.({ type: "abort" });
  }

  /** enters (true) or leaves (false) the pool's queue */
  queued(on: boolean): void {
    this.inQueue = on;
  }

  /** Send the answer to a forwarded effect. */
  answer(req: number, ok: boolean, v: unknown): void {
    // a symbol-keyed field would vanish on the way (structured clone copies string keys only)
    const dropped = ok && v !== null && typeof v === "object" ? symbolFieldIn(v) : null;
    if (dropped !== null) {
      ok = false;
      v = new TypeError(
        `the answer to an effect forwarded by ${this.label} holds ${dropped}, a field keyed by a symbol, which structured clone drops on the way to the worker thread (it copies string keys only); answer with string keys`,
      );
    }
    if (ok) {
      try {
        this.pool.post({ t: "ans", job: this.id, req, ok: true, value: encodeValue(v) });
        return;
      } catch (e) {
        v = new TypeError(
          `the answer to an effect forwarded by ${this.label} cannot be sent to the worker thread (${e instanceof Error ? e.message : String(e)}); answer with structured-cloneable data`,
          { cause: e },
        );
      }
    }
    this.pool.post({ t: "ans", job: this.id, req, ok: false, error: toWire(v) as WireError });
  }
}

/**
 * Sending the job failed for its data (piscina's postMessage threw): it could not be cloned, or it is
 * nested so deeply that structured clone ran out of stack. Also batch.ts's test.
 */
export function isCloneFailure(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  if (e.name === "DataCloneError" || /could not be cloned/.test(e.message)) return true;
  return e instanceof RangeError && /call stack size/i.test(e.message);
}

/**
 * Which of the job's arguments cannot be sent, and why, as the TypeError says it; null when each
 * alone can (then the generic message). Run only after sending failed: each argument cloned once.
 */
function unsendable(msg: JobMsg, label: string): string | null {
  for (let i = 4; i < msg.length; i++) {
    try {
      structuredClone(msg[i]);
    } catch (x) {
      const arg = `runInWorker(${label}): argument ${i - 3}`;
      if (x instanceof RangeError && /call stack size/i.test(x.message))
        return `${arg} is nested too deeply to be sent to a worker thread (${depthOf(msg[i])} levels): structured clone ran out of stack copying it; flatten it (its levels as an array, or as records that name their parent by id) and rebuild the nesting in the job`;
      const why = x instanceof Error ? x.message : String(x);
      return `${arg} cannot be sent to a worker thread (${why}); pass structured-cloneable data (no functions, no class instances with behaviour)`;
    }
  }
  return null;
}

/** how many levels of arrays, plain objects, Maps and Sets `v` nests (walked without recursion) */
function depthOf(v: unknown): number {
  let most = 0;
  const seen = new Set<object>();
  const todo: [unknown, number][] = [[v, 1]];
  while (todo.length > 0) {
    const [x, d] = todo.pop()!;
    if (x === null || typeof x !== "object" || seen.has(x)) continue;
    seen.add(x);
    if (d > most) most = d;
    if (x instanceof Map) for (const [k, val] of x) todo.push([k, d + 1], [val, d + 1]);
    else if (x instanceof Set) for (const val of x) todo.push([val, d + 1]);
    else for (const k of Object.keys(x)) todo.push([(x as Record<string, unknown>)[k], d + 1]);
  }
  return most;
}

/**
 * An uncaught error as the crash message shows it: `RangeError: too far`, `AbortError: x` (a
 * DOMException's name), or by its class for a subclass of a built-in class that kept the built-in's
 * name (`MyRange: too far`, as the job's own traceback names a thrown one); a plain Error's message alone.
 */
function shownAs(w: WireError): string {
  const name = w.cls !== undefined && w.name === w.base ? w.cls : w.name;
  return !w.isError || name === "Error" ? w.message : `${name}: ${w.message}`;
}

/**
 * The thread could not load doeff/workers' own entry module (`worker-entry.js`, which it imports by
 * a URL beside pool.js): doeff/workers was bundled into an application, and the bundle holds no
 * such file. Node's own words named only a path beside the bundle and piscina's worker.js.
 */
function entryMissing(e: Error): Error | null {
  const m = /Cannot find module '([^']*worker-entry\.[jt]s)'/.exec(e.message);
  if (m === null) return null;
  return new Error(
    `doeff/workers cannot start its worker threads: they load its entry module from ${m[1]}, which does not exist — doeff/workers was bundled into your build, which holds no such file. Leave doeff out of the bundle so that it loads from node_modules (esbuild: --external:doeff or --packages=external; webpack: externals; Rollup and Vite: external), and build each job module as an entry point of its own with doeff external too (docs/workers.md, "Bundling")`,
    { cause: e },
  );
}
