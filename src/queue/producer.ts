/**
 * `queue({ connection, name })`: the producer-side handler. `enqueue(programName, args, options)` adds
 * a BullMQ job and answers a Future that completes with the job's result (or fails with its error,
 * rebuilt with class, message, stack and cause). One QueueEvents reader per handler routes the
 * completion events to the waiting futures. This file is the handler and the futures it answers
 * (their job, for jobIdOf and timeout's message); the connection it drives is connection.ts.
 */
import type { Queue } from "bullmq";
import {
  awaitPromise,
  createExternalPromise,
  Future,
  handle,
  type Handler,
  type SchedulerEffect,
} from "../index.js";
import { describe, hidden, TIMED_OUT, transferWith } from "../protocol.js";
import { Producer } from "./connection.js";
import { Enqueue } from "./effects.js";
import type { QueueOptions } from "./options.js";

/**
 * Takes Enqueue; its own code performs scheduler effects (an external promise per job, the awaited
 * add), so `scheduler` must be listed before it — the coverage check says so.
 */
export interface QueueHandler extends Handler<Enqueue<any>, SchedulerEffect<any>> {
  /** Close the queue's Redis connections. Futures still pending stay pending. */
  close(): Promise<void>;
  /** the BullMQ Queue (created on the first enqueue) */
  readonly bullQueue: Promise<Queue>;
}

/** The job an enqueue's future is of (jobIdOf; timeout's message). */
interface JobOf {
  readonly queue: string;
  readonly jobId: string;
  readonly programName: string;
}
const jobs = new WeakMap<Future<unknown>, JobOf>();

/**
 * timeout(wait(future), ms) names the job, and says that only the wait ended: "Wait timed out …
 * (it was cancelled and its finally blocks ran)" read as if the job had been.
 */
function waitTimedOut(this: Future<unknown>): readonly [string, string] {
  const j = jobs.get(this)!;
  return [
    `waiting for queue job ${j.queue}#${j.jobId} (${j.programName})`,
    "the wait was cancelled, not the job: it stays in the queue and runs",
  ];
}

function* enqueueProgram(p: Producer, e: Enqueue<unknown>): Generator<unknown, Future<unknown>, any> {
  const ext = yield* createExternalPromise<unknown>();
  const jobId = yield* awaitPromise(() => p.add(e, ext));
  const f = ext.future;
  jobs.set(f, { queue: p.name, jobId, programName: e.programName });
  Object.defineProperty(f, TIMED_OUT, { value: waitTimedOut });
  return f;
}

/**
 * The id of the BullMQ job whose result `future` is: `future` is what `enqueue` answered, and the
 * job is stored by then (enqueue returns once it is). Log it, find the job in a dashboard or with
 * `queue.getJob(id)`, match it with the worker's logs and `onProgress`, or enqueue it again with
 * `{ jobId }` (idempotent). It is the `jobId` you gave, else one the producer generated (a UUID).
 */
export function jobIdOf(future: Future<unknown>): string {
  const j = jobs.get(future);
  if (j === undefined)
    throw new TypeError(
      `jobIdOf expects the future an enqueue answered (const f = yield* enqueue(…); jobIdOf(f)), got ${future instanceof Future ? "a Future no enqueue answered" : describe(future)}`,
    );
  return j.jobId;
}

/**
 * The producer handler for one BullMQ queue: takes `Enqueue` (list it after `scheduler`), and
 * answers each with a `Future` of the job's result. `close()` it when the runs that use it are done.
 *
 * @example
 * ```ts
 * const jobs = queue({ connection: { host: "127.0.0.1", port: 6379 }, name: "primes" });
 * const r = await runAsync(main, { handlers: [scheduler, realTime, jobs] });
 * await jobs.close();
 * ```
 */
export function queue(options: QueueOptions): QueueHandler {
  const p = new Producer(options);
  const h = handle(Enqueue, function* queue(e: Enqueue<unknown>, k) {
    return yield* transferWith(k, hidden(enqueueProgram, p, e));
  }) as unknown as QueueHandler;
  (h as { close: () => Promise<void> }).close = () => p.close();
  Object.defineProperty(h, "bullQueue", { get: () => p.open().then((r) => r.queue) });
  return h;
}
