/**
 * One producer's connection to its queue (Producer): the open (a Queue, a QueueEvents reader from a
 * marker of its own, refused credentials failing fast), the batched adds, the futures waiting for
 * each job's outcome and the events that settle them, the check for events Redis trimmed unread
 * (and for jobs Queue.clean() / Queue.obliterate() removed without an event each), and close. Separate from producer.ts, the handler: this is plain Promise code on BullMQ, which
 * the handler reaches through one awaited add per enqueue.
 */
import { randomUUID } from "node:crypto";
import type { Job, Queue, QueueEvents } from "bullmq";
import type { ExternalPromise } from "../index.js";
import { crossedIn, type QueueJobFields, queueJobLine } from "../protocol.js";
import { fromWire, type WireError } from "../workers/wire.js";
import { cmpId, endClients, type EventStream, loadBullmq, streamState } from "./backend.js";
import type { Enqueue } from "./effects.js";
import { refusedCredentials, where } from "./errors.js";
import { checkQueueOptions, type QueueOptions } from "./options.js";

type Ext = ExternalPromise<unknown>;

/** Settle every enqueue waiting for one job (the waiting map keeps a lone one unwrapped). */
function completeAll(exts: Ext | Ext[] | undefined, value: unknown): void {
  if (exts === undefined) return;
  if (!Array.isArray(exts)) exts.complete(value);
  else for (const ext of exts) ext.complete(value);
}
function failAll(exts: Ext | Ext[] | undefined, e: unknown): void {
  if (exts === undefined) return;
  if (!Array.isArray(exts)) exts.fail(e);
  else for (const ext of exts) ext.fail(e);
}

/** BullMQ's failedReason for a job its stalled-job check failed (BullMQ 5 and 6) */
const STALLED = "job stalled more than allowable limit";

/** The custom event a producer adds to the queue's event stream when it opens (see create). */
const OPENED = "doeff:producer-opened";

/** One add waiting for its batch (Producer.add). */
interface Adding {
  readonly e: Enqueue<unknown>;
  readonly ext: ExternalPromise<unknown>;
  readonly jobId: string;
  /** the producer's connection, asked for when the add was */
  readonly ready: Promise<{ queue: Queue; events: QueueEvents }>;
  /** the add is stored: its enqueue returns (with the job's id) */
  readonly resolve: (jobId: string) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * A waiting job a check found gone from Redis: the check's number, whether a `cleaned` event asked
 * for it (see Producer.recheck), and the last event id the stream had just after (null until
 * known): an outcome event of the job is at or before it, so once the reader has read that far, or
 * Redis trimmed that far, no outcome will come for the job.
 */
interface Gone {
  readonly sweep: number;
  readonly cleaned: boolean;
  at: string | null;
}

/** Where the event reader of one open is: the last event id it read, and whether it is past the marker. */
interface Reader {
  lastSeen: string;
  live: boolean;
}

export class Producer {
  private readonly options: QueueOptions;
  /** the queue's name (what a job is named by: name#jobId) */
  readonly name: string;
  private ready: Promise<{ queue: Queue; events: QueueEvents }> | null = null;
  /** the Queue and QueueEvents of the open under way (close() closes them even before it settles) */
  private parts: { queue: Queue | undefined; events: QueueEvents | undefined } | null = null;
  /** bumped by close(): an open still loading BullMQ then stops */
  private generation = 0;
  /**
   * The enqueues waiting for each job's outcome: one inline, an array only when the same jobId is
   * enqueued again (the array cost ~50 B more per job waiting).
   */
  private readonly waiting = new Map<string, Ext | Ext[]>();
  /** adds asked for since the event loop last turned (see add) */
  private batch: Adding[] | null = null;
  /** the flushes under way (a check for lost events waits for the adds it may see waiting) */
  private readonly flushing = new Set<Promise<void>>();
  /** the timer of the checks for lost events (see sweep) */
  private timer: ReturnType<typeof setInterval> | null = null;
  /** checks made, and the jobs found gone by one (see Gone) */
  private sweeps = 0;
  private sweeping = false;
  private readonly gone = new Map<string, Gone>();
  /**
   * Queue.clean() removed jobs (its `cleaned` event, one for all it removed, has no ids): the next
   * check reads every waiting job, as when events were trimmed
   */
  private recheck = false;

  constructor(options: QueueOptions) {
    checkQueueOptions(options);
    this.options = options;
    this.name = options.name;
  }

  open(): Promise<{ queue: Queue; events: QueueEvents }> {
    if (this.ready === null) {
      const ready = this.create();
      // a failed open (BullMQ 6 without ioredis, a bad option) fails the enqueues that asked for
      // it; the next enqueue tries again rather than fail for good on a stale error
      ready.catch(() => {
        if (this.ready === ready) this.ready = null;
      });
      this.ready = ready;
    }
    return this.ready;
  }

  private async create(): Promise<{ queue: Queue; events: QueueEvents }> {
    const generation = this.generation;
    const { Queue, QueueEvents, QueueEventsProducer } = await loadBullmq();
    if (generation !== this.generation) throw new Error("the queue was closed while it opened");
    const o = this.options;
    const base =
      o.prefix === undefined ? { connection: o.connection } : { connection: o.connection, prefix: o.prefix };
    let queue: Queue | undefined;
    let events: QueueEvents | undefined;
    const parts: { queue: Queue | undefined; events: QueueEvents | undefined } = {
      queue: undefined,
      events: undefined,
    };
    this.parts = parts;
    try {
      queue = parts.queue = new Queue(o.name, base);
      queue.on("error", () => {});
      // Read the event stream from its start (it is capped by BullMQ), so that no event of a job
      // added before the reader's first XREAD can be missed. Events from before this open are
      // skipped, up to a marker this producer adds to the stream before its first add: they belong
      // to earlier jobs, and one of those may have had a jobId enqueued again now (removed since,
      // e.g. removeOnComplete) — its old result must not answer the new job.
      events = parts.events = new QueueEvents(o.name, { ...base, lastEventId: "0-0" });
      const token = randomUUID();
      const reader: Reader = { lastSeen: "0-0", live: false };
      this.listen(queue, events, token, reader);
      // Refused credentials do not heal by retrying (BullMQ would, for ever, in silence): the
      // enqueues waiting for this open fail, saying so
      let refused: (e: Error) => void = () => {};
      const stop = new Promise<never>((_, reject) => {
        refused = reject;
      });
      stop.catch(() => {});
      const onError = (e: unknown): void => {
        if (refusedCredentials(e))
          refused(
            new Error(
              `queue ${JSON.stringify(o.name)} could not connect to Redis at ${where(o.connection)}: Redis refused its credentials (${(e as Error).message}); check the connection's password (and username)`,
              { cause: e },
            ),
          );
      };
      queue.on("error", onError);
      events.on("error", onError);
      try {
        await Promise.race([events.waitUntilReady(), stop]);
      } finally {
        queue.off("error", onError);
        events.off("error", onError);
      }
      const marker = new QueueEventsProducer(o.name, base);
      marker.on("error", () => {});
      try {
        // no trimming by this XADD (BullMQ trims the stream to its own maxLen as it adds events)
        await marker.publishEvent({ eventName: OPENED, token }, Number.MAX_SAFE_INTEGER);
      } finally {
        await marker.close();
      }
      const q = queue;
      this.timer = setInterval(() => void this.sweep(q, reader), o.eventsCheckMs ?? 5000);
      this.timer.unref();
      return { queue, events };
    } catch (e) {
      // nothing half-open is left behind (a Queue whose QueueEvents could not start)
      endClients(events);
      await Promise.allSettled([events?.close(), queue?.close()]);
      throw e;
    }
  }

  /** Route the queue's completion events after this open's marker (`token`) to the waiting futures. */
  private listen(queue: Queue, events: QueueEvents, token: string, reader: Reader): void {
    const o = this.options;
    // the id of every event read (QueueEvents emits (event, args, id), "drained" (id)): what a
    // check for lost events compares the stream with
    const ev = events as unknown as { emit(name: string | symbol, a?: unknown, b?: unknown): boolean };
    const emit = ev.emit;
    ev.emit = function (this: unknown, name, a, b) {
      const id = name === "drained" ? a : b;
      if (typeof id === "string") reader.lastSeen = id;
      return emit.call(this, name, a, b);
    };
    (events as unknown as { on(e: string, f: (args: { token?: string }) => void): void }).on(
      OPENED,
      (args) => {
        if (args.token === token) reader.live = true;
      },
    );
    events.on("completed", ({ jobId, returnvalue }) => {
      if (!reader.live) return;
      completeAll(this.taken(jobId), returnvalue);
    });
    events.on("failed", ({ jobId, failedReason }) => {
      if (!reader.live) return;
      const exts = this.taken(jobId);
      if (exts === undefined) return;
      void this.failure(queue, jobId, failedReason).then((e) => failAll(exts, e));
    });
    // (Queue.clean(): no event per job. Queue.drain() adds none at all: see docs/queue.md)
    (events as unknown as { on(e: "cleaned", f: () => void): void }).on("cleaned", () => {
      if (reader.live && this.waiting.size > 0) this.recheck = true;
    });
    events.on("removed", ({ jobId, prev }) => {
      if (!reader.live || !this.waiting.has(jobId)) return;
      // removed while waited for (Job.remove(), Queue.remove(id), a dashboard's remove): no outcome
      // will come, and the future waited for ever. Unless a job of that id was added again since
      // (an enqueue with that jobId racing the removal): that one's outcome comes as usual
      void queue.getJob(jobId).then(
        (job) => {
          if (job != null) return;
          failAll(
            this.taken(jobId),
            new Error(
              `queue job ${o.name}#${jobId} was removed from Redis before this producer got its outcome (it was ${prev ?? "there"}; Job.remove(), Queue.remove(id) or a dashboard's remove), so no result will come; enqueue it again if it should run`,
            ),
          );
        },
        () => {}, // (Redis unreachable: left waiting, as for any job while Redis is down)
      );
    });
    if (o.onProgress !== undefined) {
      const f = o.onProgress;
      events.on("progress", ({ jobId, data }) => {
        if (!reader.live) return;
        try {
          f(jobId, data);
        } catch (e) {
          // thrown into BullMQ's event loop it vanished (its 'error' event is reconnect noise);
          // thrown on its own, like an error in a timer's callback: the process's uncaughtException
          queueMicrotask(() => {
            throw e;
          });
        }
      });
    }
    events.on("error", () => {}); // connection errors: QueueEvents reconnects by itself
  }

  /**
   * The job's error as the worker stored it (class, stack, cause), else one from BullMQ's reason;
   * either way marked as thrown in the job (crossedIn), whose line its traceback shows.
   */
  private async failure(queue: Queue, jobId: string, reason: string): Promise<unknown> {
    let at: QueueJobFields = { queue: this.options.name, jobId };
    try {
      const job = await queue.getJob(jobId);
      if (job != null) at = { ...at, program: job.name };
      const w = (job?.data as { error?: WireError } | undefined)?.error;
      if (w !== undefined) {
        // the traceback reads as a doeff/workers job's: the producer's chain, then this line, then
        // the job's (its `thrown at` a file of the worker's); the stack ends in it as the separator
        const e = fromWire(w, `── ${queueJobLine(at)} ──`);
        if (e !== null && typeof e === "object") crossedIn(e, at);
        return e;
      }
    } catch {
      // fall through
    }
    // none stored (removeOnFail took the job, or it stalled: no program ran to fail it): the line
    // says what is known, the job and, while it is there, its program
    const e =
      reason !== STALLED
        ? new Error(reason)
        : new Error(
            `${reason}: queue job ${this.options.name}#${jobId} lost its lock more often than workerOptions.maxStalledCount allows (default 1) — its worker process died, or its program kept the event loop busy (synchronous, CPU-bound code) past workerOptions.lockDuration (default 30000 ms), so the lock was not renewed and the job may have run twice; run CPU-bound code with doeff/workers inside the job, or raise lockDuration`,
          );
    crossedIn(e, at);
    return e;
  }

  /**
   * The check for lost events, every `eventsCheckMs` while jobs are waited for. BullMQ trims the
   * event stream (to `streams.events.maxLen`, ~10,000 events): a reader behind by more than that
   * never sees the events trimmed, and their jobs' futures would wait forever. One XINFO of the
   * stream's oldest entry tells: older than the last event read, nothing was lost. Else every
   * waiting job is read and the finished ones settled — so too after a `cleaned` event (recheck).
   * A job gone from Redis (removeOnComplete, removeOnFail, Queue.clean(), Queue.obliterate()) is
   * failed as lost, or removed, by a later check that still finds it gone and unanswered once every
   * event up to when it was found gone is read or trimmed (the event of its outcome may have been
   * on its way, or unread by a reader that fell behind).
   */
  private async sweep(queue: Queue, reader: Reader): Promise<void> {
    if (this.sweeping || this.waiting.size === 0) return;
    this.sweeping = true;
    const generation = this.generation;
    const sweep = ++this.sweeps;
    try {
      let stream: EventStream | null = null;
      try {
        stream = await streamState(queue, reader.lastSeen);
      } catch {
        // the stream could not be read: check the jobs
      }
      const state = stream === null ? "trimmed" : stream.state;
      const cleaned = this.recheck && state === "read";
      this.recheck = false;
      let ids: string[];
      if (state !== "read" || cleaned) {
        // a marker trimmed before it was read: the events after it are this open's
        if (state !== "read") reader.live = true;
        ids = [...this.waiting.keys()];
        await Promise.allSettled([...this.flushing]); // each job seen waiting is stored by then
      } else {
        ids = [...this.gone.keys()];
      }
      for (const id of this.gone.keys()) if (!this.waiting.has(id)) this.gone.delete(id);
      const found: Gone[] = [];
      for (let i = 0; i < ids.length && generation === this.generation; i += 500)
        await Promise.all(
          ids
            .slice(i, i + 500)
            .map((id) => this.settleFromJob(queue, id, sweep, cleaned, stream, reader, found)),
        );
      if (found.length > 0) {
        // (read after the jobs were found gone: the event of an outcome that removed one is older)
        const after = await streamState(queue, reader.lastSeen);
        for (const g of found) g.at = after.last;
      }
    } catch {
      // Redis unreachable: the next check tries again
    } finally {
      this.sweeping = false;
    }
  }

  /**
   * Settle the futures waiting for `jobId` from the job itself, if it has finished; a job gone
   * from Redis goes in `found` (the first time) or, confirmed gone for good, fails its futures.
   */
  private async settleFromJob(
    queue: Queue,
    jobId: string,
    sweep: number,
    cleaned: boolean,
    stream: EventStream | null,
    reader: Reader,
    found: Gone[],
  ): Promise<void> {
    if (!this.waiting.has(jobId)) return;
    const job = await queue.getJob(jobId);
    if (job === undefined || job === null) {
      const g = this.gone.get(jobId);
      if (g === undefined) {
        const fresh: Gone = { sweep, cleaned, at: null };
        this.gone.set(jobId, fresh);
        found.push(fresh);
      } else if (g.sweep < sweep && stream !== null) {
        // no outcome event can come: the queue was deleted, or every event up to g.at was read,
        // or trimmed (then an unread outcome event is lost). Else the reader is behind: wait
        const at = g.at;
        if (
          stream.state === "deleted" ||
          (at !== null &&
            (cmpId(reader.lastSeen, at) >= 0 || stream.first === null || cmpId(stream.first, at) > 0))
        ) {
          this.gone.delete(jobId);
          failAll(this.taken(jobId), new Error(this.goneMessage(jobId, g.cleaned, stream.state)));
        } else if (at === null) g.at = stream.last;
      }
      return;
    }
    this.gone.delete(jobId);
    const jobState = await job.getState();
    if (jobState === "completed") {
      completeAll(this.taken(jobId), job.returnvalue);
    } else if (jobState === "failed") {
      const e = await this.failure(queue, jobId, job.failedReason);
      failAll(this.taken(jobId), e);
    }
  }

  /**
   * Why a job a check found gone twice, unanswered, has no outcome: its queue deleted (the stream,
   * or the meta key, gone); removed by Queue.clean() (found gone after a `cleaned` event, with no
   * event trimmed); else gone and its outcome's event trimmed unread.
   */
  private goneMessage(jobId: string, cleaned: boolean, state: "read" | "trimmed" | "deleted"): string {
    const job = `queue job ${this.options.name}#${jobId}`;
    if (state === "deleted")
      return `${job} is gone from Redis, with the queue's event stream: the queue was deleted (Queue.obliterate(), or its keys deleted) before this producer got the job's outcome, so no result will come; enqueue it again if it should run`;
    if (cleaned && state === "read")
      return `${job} was removed from Redis before this producer got its outcome (Queue.clean() and Queue.drain() remove jobs without an event for each), so no result will come; enqueue it again if it should run`;
    return `the outcome of ${job} is lost: the job is gone from Redis (removeOnComplete / removeOnFail, or deleted), and Redis trimmed the event that carried its outcome from the queue's event stream before this producer read it; keep finished jobs longer (removeOnComplete: 1000) or raise the queue's streams.events.maxLen`;
  }

  /**
   * Add a job; resolves with its id once it is stored in Redis (`enqueue` returns then). The adds asked for in
   * one synchronous stretch of the run — its tasks enqueueing one after another before the event
   * loop turns — go to Redis together with `addBulk`: one pipeline, one write instead of one per
   * job. Only jobs with a generated id and no removeOnComplete / removeOnFail are added in bulk:
   * should the bulk add fail, each is then added on its own (so that a bad job fails only its own
   * enqueue), and re-adding the same id is a no-op for a job the pipeline did store — which holds
   * only while the job cannot have been removed meanwhile. A job with an id of your own is added on
   * its own as before (BullMQ checks such ids in `add`, not in `addBulk`).
   */
  add(e: Enqueue<unknown>, ext: ExternalPromise<unknown>): Promise<string> {
    // the connection is asked for now, as an add made before close() always was
    const ready = this.open();
    const jobId = e.options.jobId ?? randomUUID();
    return new Promise<string>((resolve, reject) => {
      let batch = this.batch;
      if (batch === null) {
        batch = this.batch = [];
        queueMicrotask(() => {
          const f = this.flush(batch!);
          this.flushing.add(f);
          void f.finally(() => this.flushing.delete(f));
        });
      }
      batch.push({ e, ext, jobId, ready, resolve, reject });
    });
  }

  private async flush(batch: Adding[]): Promise<void> {
    if (this.batch === batch) this.batch = null;
    const bulk = batch.filter(
      (a) =>
        a.e.options.jobId === undefined &&
        a.e.options.removeOnComplete === undefined &&
        a.e.options.removeOnFail === undefined,
    );
    let jobs: readonly Job[] | null = null;
    if (bulk.length > 1) {
      try {
        const { queue } = await bulk[0]!.ready;
        for (const a of bulk) this.wait(a.jobId, a.ext);
        jobs = await queue.addBulk(
          bulk.map((a) => ({
            name: a.e.programName,
            data: { args: a.e.args },
            opts: { ...a.e.options, jobId: a.jobId },
          })),
        );
      } catch {
        jobs = null; // each on its own below
      }
    }
    if (jobs === null) {
      await Promise.all(batch.map((a) => this.added(a)));
      return;
    }
    // stored by the bulk add (their ids are generated: nothing more to check), the others on their own
    const single: Promise<void>[] = [];
    let j = 0; // bulk keeps the batch's order
    for (const a of batch) {
      if (bulk[j] === a) {
        j++;
        a.resolve(a.jobId);
      } else single.push(this.added(a));
    }
    await Promise.all(single);
  }

  private wait(jobId: string, ext: Ext): void {
    const exts = this.waiting.get(jobId);
    if (exts === undefined) this.waiting.set(jobId, ext);
    else if (!Array.isArray(exts)) {
      if (exts !== ext) this.waiting.set(jobId, [exts, ext]);
    } else if (!exts.includes(ext)) exts.push(ext);
  }

  /** The enqueues waiting for jobId's outcome, no longer waiting. */
  private taken(jobId: string): Ext | Ext[] | undefined {
    const exts = this.waiting.get(jobId);
    if (exts !== undefined) this.waiting.delete(jobId);
    return exts;
  }

  /** Stop waiting for jobId's outcome for `ext`; true if it was waiting. */
  private unwait(jobId: string, ext: Ext): boolean {
    const exts = this.waiting.get(jobId);
    if (exts === undefined) return false;
    if (!Array.isArray(exts)) {
      if (exts !== ext) return false;
      this.waiting.delete(jobId);
      return true;
    }
    const i = exts.indexOf(ext);
    if (i < 0) return false;
    exts.splice(i, 1);
    if (exts.length === 0) this.waiting.delete(jobId);
    return true;
  }

  /** One add of a batch not stored by a bulk add: stored now, then its enqueue resolves. */
  private async added(a: Adding): Promise<void> {
    const { e, ext, jobId } = a;
    try {
      const { queue } = await a.ready;
      this.wait(jobId, ext);
      const job = await queue.add(e.programName, { args: e.args }, { ...e.options, jobId });
      if (e.options.jobId !== undefined) {
        // an id that exists answers that job (BullMQ adds nothing): the job of another program
        // would answer a result of another type. (Its arguments are not compared: the id names the job.)
        const stored = await queue.getJob(jobId);
        if (stored != null && stored.name !== e.programName) {
          this.unwait(jobId, ext);
          a.reject(
            new TypeError(
              `enqueue(${JSON.stringify(e.programName)}, …, { jobId: ${JSON.stringify(jobId)} }): the queue already has a job with that id, of the program ${JSON.stringify(stored.name)}, not ${JSON.stringify(e.programName)}; a jobId names one job, and its result is that program's — use another id`,
            ),
          );
          return;
        }
        // idempotent add of a job that may be finished already: no new event will come
        const state = await job.getState();
        if (state === "completed" && this.unwait(jobId, ext)) {
          const fresh = await queue.getJob(jobId);
          ext.complete(fresh?.returnvalue);
        } else if (state === "failed" && this.unwait(jobId, ext)) {
          ext.fail(await this.failure(queue, jobId, job.failedReason));
        }
      }
      a.resolve(a.jobId);
    } catch (err) {
      this.unwait(jobId, ext);
      a.reject(err);
    }
  }

  async close(): Promise<void> {
    const r = this.ready;
    const parts = this.parts;
    this.ready = null;
    this.parts = null;
    this.generation++;
    this.waiting.clear();
    this.gone.clear();
    this.recheck = false;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (r === null) return;
    r.catch(() => {}); // (its enqueues get its failure; closing is not one)
    // Close what exists now rather than wait for the open to settle: with Redis unreachable it would
    // wait as long as Redis is down. Closing them ends the open (its waitUntilReady fails).
    if (parts !== null) {
      const { events, queue } = parts;
      // QueueEvents.close() first awaits its connection, which never comes while Redis is down: end
      // its Redis client directly (BullMQ 6: `backend.connection`, 5: `connection`; best effort —
      // not public API), which fails the pending connect, then close
      endClients(events);
      await Promise.allSettled([events?.close(), queue?.close()]);
    }
  }
}
