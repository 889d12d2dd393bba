/**
 * Batches: jobs submitted at the same moment go to piscina as one task per few dozen jobs, so
 * piscina's own cost per task (its task record, promise and messages: tens of µs of the parent's
 * CPU) is paid once per batch instead of once per job. A thread still runs one job at a time, in
 * order, each a run of its own, and sends each job's reply on the batch's port as soon as it has it.
 *
 * What a single piscina task per job gave for free, a batch keeps with a shared status word per job
 * (`state`, written by both sides with atomics):
 *  - QUEUED → RUNNING is the thread's claim, QUEUED → SKIPPED the parent's cancel: whichever
 *    compare-exchange wins decides, so a job cancelled before its thread reaches it never runs;
 *  - a crash (process.exit, OOM, a terminate after `cancelGraceMs`) fails only the job that was
 *    RUNNING; the batch's jobs still QUEUED are submitted again, and replies already sent are read
 *    first (`receiveMessageOnPort`), so none is lost or run twice.
 */
import { MessageChannel, type MessagePort, receiveMessageOnPort } from "node:worker_threads";
import type { BatchMsg, BatchReply } from "./messages.js";
import { isCloneFailure, type ParentJob } from "./parent-job.js";
import type { PiscinaLike, WorkerPool } from "./pool.js";

export const QUEUED = 0;
export const RUNNING = 1;
export const REPLIED = 2;
export const SKIPPED = 3;

/** how many batches went to piscina (read by the tests; not part of the public surface) */
export const batchStats = { batches: 0 };

/** the default most jobs in one batch (`workers({ maxBatch })`; a batch's jobs run in order) */
export const MAX_BATCH = 32;

/**
 * How many jobs per batch for `n` jobs submitted at once on `threads` threads: at least 4 batches
 * per thread, so the threads stay balanced when jobs take uneven times; 1 (n ≤ 4 per thread) means
 * no batching: a few jobs at a time go to piscina one by one, as before.
 */
export function batchSize(n: number, threads: number, max: number): number {
  return Math.min(max, Math.ceil(n / (threads * 4)));
}

/** One piscina task carrying several jobs. It is also the AbortSignal piscina gets for the task. */
export class Batch {
  readonly state: Int32Array;
  private readonly jobs: readonly ParentJob[];
  private readonly pool: WorkerPool;
  private port: MessagePort | null = null;
  private onAbort: ((ev: unknown) => void) | null = null;
  /** (as piscina's AbortSignal) */
  aborted = false;
  reason: unknown = undefined;

  constructor(pool: WorkerPool, jobs: readonly ParentJob[]) {
    this.pool = pool;
    this.jobs = jobs;
    this.state = new Int32Array(new SharedArrayBuffer(4 * jobs.length));
    for (let i = 0; i < jobs.length; i++) jobs[i]!.inBatch(this, i);
  }

  run(p: PiscinaLike): void {
    batchStats.batches++;
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    port1.on("message", (m: BatchReply) => this.reply(m));
    const task: BatchMsg = { batch: this.jobs.map((j) => j.msg), state: this.state, port: port2 };
    let done: Promise<unknown>;
    try {
      done = p.run(task, { signal: this as unknown as AbortSignal, transferList: [port2] } as object);
    } catch (e) {
      done = Promise.reject(e);
    }
    done.then(
      () => this.end(null),
      (e: unknown) => this.end(e),
    );
  }

  /** The parent cancels job `slot`: true when it had not started (it never will). */
  skip(slot: number): boolean {
    return Atomics.compareExchange(this.state, slot, QUEUED, SKIPPED) === QUEUED;
  }

  /** A cancelled job outlived its grace: piscina terminates the thread running this batch. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.onAbort?.({ type: "abort" });
  }

  /** (as piscina's AbortSignal) */
  addEventListener(_type: string, listener: (ev: unknown) => void): void {
    this.onAbort = listener;
  }

  /** (as piscina's AbortSignal) */
  removeEventListener(): void {
    this.onAbort = null;
  }

  private reply(m: BatchReply): void {
    const job = this.jobs[m.i];
    if (job !== undefined && !job.settled) job.finish(m.reply);
  }

  /** piscina answered the task (`e` null) or failed it: settle every job that has no reply yet. */
  private end(e: unknown): void {
    const port = this.port!;
    // replies sent before the end are read now: the batch's port and piscina's answer are not ordered
    for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port))
      this.reply(m.message as BatchReply);
    port.close();
    const clone = e !== null && isCloneFailure(e);
    for (let i = 0; i < this.jobs.length; i++) {
      const job = this.jobs[i]!;
      if (job.settled) continue;
      const s = Atomics.load(this.state, i);
      if (s === SKIPPED) job.drop();
      else if (s !== QUEUED)
        job.crash(e ?? new Error("the worker thread ended the batch without this job's reply"));
      // never started: some batch-mate's arguments cannot be cloned (each alone finds which), or
      // the thread died running another job — run it again, elsewhere
      else if (clone) job.alone();
      else this.pool.resubmit(job, e);
    }
  }
}
