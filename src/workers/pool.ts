/**
 * The parent side of `doeff/workers`: a piscina pool, the jobs running on it, and the messages their
 * threads send back (forwarded effects). One pool per `workers()` handler; piscina is imported when
 * the first job is submitted, so a missing install is a clear error at that call.
 */
import { BroadcastChannel } from "node:worker_threads";
import { createExternalPromise, type ExternalPromise, TaskCancelledError, wait } from "../index.js";
import { Batch, batchSize, MAX_BATCH } from "./batch.js";
import { JobTable } from "./job-table.js";
import {
  CANCEL_MASK,
  type ChannelMsg,
  type EffectMsg,
  type JobMsg,
  type JobReply,
  type PoolData,
} from "./messages.js";
import type { RunContext } from "../run/context.js";
import { addWarning, type JobWarning, receivedWarnings } from "./job-warnings.js";
import { threadExecArgv } from "./exec-argv.js";
import { describe } from "../protocol.js";
import { WorkerCrashedError } from "./errors.js";
import { Nesting } from "./nested.js";
import { symbolFieldIn } from "./plain.js";
import { notAbsoluteUrl } from "./short-url.js";
import { OPTION_KEYS, type WorkersOptions } from "./options.js";
import { decodeValue, encodeValue, fromWire, registerErrorClasses, toWire, type WireError } from "./wire.js";

export type { WorkersOptions } from "./options.js";

export type PiscinaLike = {
  run(task: unknown, options?: { signal?: AbortSignal }): Promise<unknown>;
  destroy(): Promise<void>;
};

export type JobEvent =
  | { readonly t: "done"; readonly value: unknown; readonly warnings?: readonly JobWarning[] }
  | { readonly t: "fail"; readonly error: unknown; readonly warnings?: readonly JobWarning[] }
  | { readonly t: "eff"; readonly msg: EffectMsg };

let channels = 0;
const RESOLVED = Promise.resolve();

function entryFile(): string {
  // from src/ under tsx the entry is the .ts file; from dist/ it is the .js file beside this module
  const ext = import.meta.url.endsWith(".ts") ? "ts" : "js";
  return new URL(`./worker-entry.${ext}`, import.meta.url).href;
}

/** Errors of jobs that failed in this thread, before any worker ran them (handler.ts: no boundary). */
const parentSide = new WeakSet<object>();
export function inParent(e: unknown): boolean {
  return typeof e === "object" && e !== null && parentSide.has(e);
}

function defaultSize(): number {
  const os = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return Math.max(1, os?.hardwareConcurrency ?? 2);
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
  /** the forwarded effect being performed for this job (its `req`, else -1), and the job it runs */
  performing = -1;
  nested: ParentJob | null = null;
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
  ) {
    this.pool = pool;
    this.caller = caller;
    this.id = id;
    this.url = url;
    this.name = name;
    const msg: unknown[] = [id, url, name];
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

  /** The next event, waited for in the calling task; the first call submits the job. */
  *next(): Generator<unknown, JobEvent, any> {
    const ev = this.queue?.shift();
    if (ev !== undefined) return ev;
    const ext: ExternalPromise<JobEvent> = yield* createExternalPromise<JobEvent>();
    this.await(ext);
    return (yield* wait(ext.future)) as JobEvent;
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
    if (p === null) this.crash(new Error("the pool is closed"));
    else
      p.run(this.msg, { signal: this as unknown as AbortSignal }).then(
        (reply) => this.finish(reply as JobReply),
        (e: unknown) => this.crash(e),
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
    if (reply.ok) ev = { t: "done", value: decodeValue(reply.value) };
    else if ("cancelled" in reply) ev = { t: "fail", error: new Error("cancelled") };
    else ev = { t: "fail", error: fromWire(reply.error, `── in worker (${this.label}) ──`) };
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
    if (this.cancelled) return;
    const name = e instanceof Error ? e.name : "";
    const message = e instanceof Error ? e.message : String(e);
    if (name === "DataCloneError" || /could not be cloned/.test(message)) {
      const error = new TypeError(
        `runInWorker(${this.label}): the arguments cannot be sent to a worker thread (${message}); pass structured-cloneable data (no functions, no class instances with behaviour)`,
        { cause: e },
      );
      parentSide.add(error);
      this.push({ t: "fail", error });
      return;
    }
    if (e instanceof Error && (e as { code?: string }).code === "ERR_MODULE_NOT_FOUND") {
      this.push({ t: "fail", error: e });
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

  private end(): void {
    this.settled = true;
    this.pool.detach(this);
    if (this.nestedOut !== 0 || this.counted) this.pool.nesting.ended(this);
    if (this.timer !== null) clearTimeout(this.timer);
    // (its thread is gone or done: nothing waits for the job it runs)
    if (this.nested !== null) this.nested.abandon(this);
  }

  /** The task that performed this job's forwarded RunInWorker `req` stopped waiting for it. */
  gaveUp(req: number): void {
    if (req === this.performing && this.nested !== null) this.nested.abandon(this);
  }

  /**
   * The job that ran this one (forwarding its RunInWorker) waits no more: cancel it (its thread
   * finalizes it and is free again) and end the parent's wait for it at once.
   */
  abandon(by: ParentJob): void {
    if (this.settled || this.cancelled) return;
    this.cancel();
    const error = new TaskCancelledError(
      null,
      `runInWorker(${this.label}) was cancelled: the job ${by.label} that ran it stopped waiting for it`,
    );
    parentSide.add(error);
    this.push({ t: "fail", error });
  }

  /** The calling task was cancelled: ask the thread to finalize the job; terminate it after the grace. */
  cancel(): void {
    if (this.settled || this.cancelled) return;
    this.cancelled = true;
    if (!this.submitted) return;
    // still waiting in the pool's queue (dropped at its flush), or in a batch its thread has not
    // reached yet: it will not run
    if (this.batch === null ? this.inQueue : this.batch.skip(this.slot)) {
      this.drop();
      return;
    }
    this.pool.cancelJob(this.id);
    this.timer = setTimeout(() => this.abort(), this.pool.cancelGraceMs);
    (this.timer as { unref?: () => void }).unref?.();
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

export class WorkerPool {
  readonly size: number;
  readonly cancelGraceMs: number;
  private readonly maxBatch: number;
  private readonly options: WorkersOptions;
  private readonly channelName: string;
  private channel: BroadcastChannel | null = null;
  private pool: Promise<PiscinaLike> | null = null;
  /** the pool once created */
  started: PiscinaLike | null = null;
  /** Cancelled job ids, read by the threads before they run a job (PoolData.cancelled). */
  readonly cancelled: Int32Array = new Int32Array(new SharedArrayBuffer(4 * (CANCEL_MASK + 1)));
  private readonly jobs = new JobTable<ParentJob>();
  private nextId = 1;
  /** jobs submitted since the last flush (they go to piscina together, batched when many) */
  private pending: ParentJob[] = [];
  private flushing = false;
  /** close() was called (a job ending then was stopped by it, not crashed) */
  closed = false;
  private readonly classes = new Map<string, readonly unknown[]>();
  /** this pool's jobs waiting for jobs they run on it (nested.ts) */
  readonly nesting: Nesting;

  constructor(options: WorkersOptions) {
    if (options === null || typeof options !== "object" || Array.isArray(options))
      throw new TypeError(
        `workers(options) expects an options object, e.g. workers({ size: 2 }), got ${describe(options)}`,
      );
    for (const key of Object.keys(options))
      if (!OPTION_KEYS.includes(key))
        throw new TypeError(
          `unknown workers option ${JSON.stringify(key)}; the options are ${OPTION_KEYS.join(", ")}`,
        );
    const size = options.size ?? defaultSize();
    const grace = options.cancelGraceMs ?? 1000;
    const maxBatch = options.maxBatch ?? MAX_BATCH;
    // (a string or an array is the wrong kind of value: a TypeError that shows it as written)
    for (const [name, v] of [
      ["size", size],
      ["cancelGraceMs", grace],
      ["maxBatch", maxBatch],
    ] as const)
      if (typeof v !== "number")
        throw new TypeError(`workers({ ${name} }) expects a number, got ${describe(v)}`);
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`workers({ size }) expects an integer ≥ 1, got ${String(size)}`);
    if (!(grace >= 0))
      throw new RangeError(`workers({ cancelGraceMs }) expects a number ≥ 0, got ${String(grace)}`);
    if (!Number.isInteger(maxBatch) || maxBatch < 1)
      throw new RangeError(`workers({ maxBatch }) expects an integer ≥ 1, got ${String(maxBatch)}`);
    this.maxBatch = maxBatch;
    if (options.errors !== undefined) {
      if (
        !Array.isArray(options.errors) ||
        options.errors.some((c) => typeof c !== "function" || !(c.prototype instanceof Error))
      )
        throw new TypeError(
          `workers({ errors }) expects an array of Error subclasses (class X extends Error), got ${describe(options.errors)}; e.g. workers({ errors: [MyError] })`,
        );
      registerErrorClasses(options.errors);
    }
    if (options.setup !== undefined) {
      const setup = options.setup;
      if (!(setup instanceof URL) && typeof setup !== "string")
        throw new TypeError(
          `workers({ setup }) expects a module URL (new URL("./setup.js", import.meta.url)), got ${describe(setup)}`,
        );
      const why = typeof setup === "string" ? notAbsoluteUrl(setup) : null;
      if (why !== null) throw new TypeError(`workers({ setup }) needs an absolute module URL, ${why}`);
    }
    this.size = size;
    this.nesting = new Nesting(size);
    this.cancelGraceMs = grace;
    this.options = options;
    this.channelName = `doeff-workers:${Date.now().toString(36)}:${Math.random().toString(36).slice(2)}:${++channels}`;
  }

  /** `caller`: the job that forwarded the RunInWorker, when it is one of this pool's (nested.ts) */
  job(
    url: string,
    name: string,
    args: readonly unknown[],
    label: string,
    caller: ParentJob | null,
  ): ParentJob {
    return new ParentJob(
      this,
      this.nextId++,
      url,
      name,
      args,
      label,
      caller !== null && caller.pool === this ? caller : null,
    );
  }

  piscina(): Promise<PiscinaLike> {
    if (this.pool === null) {
      this.closed = false;
      const p = this.create();
      this.pool = p;
      p.then(
        (v) => {
          if (this.pool === p) this.started = v;
        },
        () => {},
      );
    }
    return this.pool;
  }

  private async create(): Promise<PiscinaLike> {
    let mod: { Piscina?: new (o: object) => PiscinaLike; default?: new (o: object) => PiscinaLike };
    try {
      mod = (await import("piscina")) as unknown as typeof mod;
    } catch (e) {
      throw new Error(
        `doeff/workers runs jobs on piscina, which is not installed here; add it with: npm install piscina (${e instanceof Error ? e.message : String(e)})`,
        { cause: e },
      );
    }
    const Piscina = mod.Piscina ?? mod.default!;
    const o = this.options;
    const setup = o.setup === undefined ? undefined : String(o.setup);
    const base = { doeffChannel: this.channelName, cancelled: this.cancelled };
    const data: PoolData = setup === undefined ? base : { ...base, setup };
    const execArgv = o.execArgv ?? threadExecArgv();
    const pool = new Piscina({
      filename: entryFile(),
      minThreads: this.size,
      maxThreads: this.size,
      idleTimeout: Infinity,
      workerData: data,
      ...(execArgv === undefined ? {} : { execArgv }),
      ...(o.resourceLimits === undefined ? {} : { resourceLimits: o.resourceLimits }),
    });
    // Piscina emits 'error' for what no job will hear of — e.g. a cancelled job's reply arriving
    // after close() removed its thread ("Unexpected message from Worker"). Every job's own outcome
    // comes through its run() promise; unheard, that event would kill the process after the
    // program had finished.
    (pool as unknown as { on?(event: "error", f: () => void): void }).on?.("error", () => {});
    return pool;
  }

  /** Queue a submitted job; the queue goes to piscina at the next microtask (`flush`). */
  enqueue(job: ParentJob): void {
    job.queued(true);
    this.pending.push(job);
    if (this.flushing) return;
    this.flushing = true;
    // (a resolved promise's then: node's queueMicrotask makes an AsyncResource and a bound function
    // per call, ~7 % of the parent side of a job run alone)
    RESOLVED.then(this.flushLater);
  }

  private readonly flushLater = (): void => this.flush();

  /** A job of a batch that failed before the job started: it goes to piscina again. */
  resubmit(job: ParentJob, e: unknown): void {
    if (this.closed) job.crash(e);
    else this.enqueue(job);
  }

  /**
   * Send the queued jobs: a few go one by one (a job alone is its own piscina task, as a single
   * `runInWorker` always is), many are cut into batches (batch.ts) so that piscina's per-task cost
   * is paid per batch.
   */
  private flush(): void {
    const p = this.started;
    if (p === null) {
      this.piscina().then(
        () => this.flush(),
        (e: unknown) => {
          this.flushing = false;
          for (const job of this.take()) job.failToStart(e);
        },
      );
      return;
    }
    this.flushing = false;
    const jobs = this.take();
    const per = batchSize(jobs.length, this.size, this.maxBatch);
    if (per < 2) {
      for (const job of jobs) job.alone();
      return;
    }
    for (let i = 0; i < jobs.length; i += per) {
      const some = jobs.slice(i, i + per);
      if (some.length === 1) some[0]!.alone();
      else new Batch(this, some).run(p);
    }
  }

  /** the queued jobs still wanted (a job cancelled while queued is already settled) */
  private take(): ParentJob[] {
    const jobs = this.pending.filter((j) => !j.settled);
    this.pending = [];
    for (const job of jobs) job.queued(false);
    return jobs;
  }

  attach(job: ParentJob): void {
    this.open(); // listening before the job can forward anything
    this.jobs.add(job);
  }

  detach(job: ParentJob): void {
    this.jobs.delete(job);
  }

  /** Cancel job `id` in whichever thread has it or will get it. */
  cancelJob(id: number): void {
    Atomics.store(this.cancelled, id & CANCEL_MASK, id | 0);
    this.post({ t: "cancel", job: id });
  }

  post(m: ChannelMsg): void {
    this.open().postMessage(m);
  }

  private open(): BroadcastChannel {
    if (this.channel === null) {
      const ch = new BroadcastChannel(this.channelName);
      ch.unref();
      ch.onmessage = (ev: unknown) => {
        const m = (ev as { data: ChannelMsg }).data;
        if (m.t !== "eff" && m.t !== "drop") return;
        const job = this.jobs.get(m.job);
        if (job === undefined) return;
        if (m.t === "drop") job.gaveUp(m.req);
        else job.push({ t: "eff", msg: m });
      };
      this.channel = ch;
    }
    return this.channel;
  }

  /** The module's `forward` list as seen by this thread (imported once per module). */
  forwardList(url: string): readonly unknown[] | Promise<readonly unknown[]> {
    const known = this.classes.get(url);
    if (known !== undefined) return known;
    return import(url).then((ns: { forward?: unknown }) => {
      const list = Array.isArray(ns.forward) ? (ns.forward as unknown[]) : [];
      this.classes.set(url, list);
      return list;
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const p = this.pool;
    this.pool = null;
    this.started = null;
    this.channel?.close();
    this.channel = null;
    if (p === null) return;
    let piscina: PiscinaLike;
    try {
      piscina = await p;
    } catch {
      return; // it never started (piscina not installed): its jobs failed with the reason, nothing to close
    }
    await piscina.destroy();
  }
}
