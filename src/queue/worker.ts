/// <reference types="node" preserve="true" />
// (kept in the emitted .d.ts: `signals` is typed NodeJS.Signals[]; TypeScript 6+ loads no @types by default)
/**
 * `startWorker({ connection, name, programs, handlers, concurrency })`: a BullMQ worker whose jobs are
 * doeff programs. A job named `programName` with data `{ args }` runs `programs[programName](...args)`
 * under `runAsync` with `[scheduler, realTime, progress, ...handlers]`; its value is the job's result
 * and its error fails the job (BullMQ retries it per the job's `attempts`). On SIGTERM/SIGINT the
 * worker stops taking jobs and finishes those in flight (a second signal returns them to the queue).
 */
import { constants } from "node:os";
import type { ConnectionOptions, Job, Worker, WorkerOptions } from "bullmq";
import {
  type AnyHandlerFn,
  awaitPromise,
  type CoverageOf,
  type EnvPatch,
  type ListWritten,
  type NotInferred,
  type RowOf,
  handle,
  type Handler,
  type PatchEffects,
  realTime,
  runAsync,
  scheduler,
  transfer,
  type UndeclaredKeys,
  UnhandledEffectError,
  type WarningHook,
  type WarningStatus,
} from "../index.js";
import { describe, isProgramLike, queueJobLine } from "../protocol.js";
import { head, isGeneratorObject, notAHandler } from "../vm/brand.js";
import { toWire } from "../workers/wire.js";
import { describeError, type RunResult } from "../run/result.js";
import { runTraces } from "../trace/origin.js";
import { CurrentJob, type JobInfo, notJson, type QueuePrograms, ReportProgress } from "./effects.js";
import { blockingClientProblem, refusedCredentials, UnknownProgramError, where } from "./errors.js";

/**
 * What `startWorker` checks at compile time, as `run` does for one program: every effect of every
 * program in `Ps`, and of the lazy values of its `env` (`Patch`: a Program value runs at its first
 * `ask`, inside the job), is taken by a handler the jobs run under — `scheduler`, `realTime`, the
 * `reportProgress` handler, then `Hs` — and each of `Hs`'s own effects by one listed before it.
 * `unknown` when covered, else the error type (MissingHandlerError, HandlerOrderError, …).
 *
 * `Keys` are the keys the options object was written with: with `handlers` among them and the list
 * not inferred, the check passes — TypeScript's first inference pass skips a handler written inline
 * with a context-sensitive callback (`handle(C, (e, k) => …)`) and must not fail the call; its second
 * pass infers the list and checks it (see `Covered` in run/entry-check.ts). Without `handlers`, or with
 * `handlers: undefined`, the check is against the handlers every job has.
 */
export type WorkerCovered<Ps, Hs extends readonly AnyHandlerFn[], Patch = never, Keys = never> =
  NotInferred<Hs> extends true
    ? "handlers" extends Keys
      ? ListWritten<CoverageOf<ProgramsRow<Ps> | PatchEffects<Patch>, JobHandlers<[]>>, Keys>
      : CoverageOf<ProgramsRow<Ps> | PatchEffects<Patch>, JobHandlers<[]>>
    : CoverageOf<ProgramsRow<Ps> | PatchEffects<Patch>, JobHandlers<Hs>>;
/** The union of the rows of a `QueuePrograms` table's programs: every effect its jobs may perform. */
export type ProgramsRow<Ps> = {
  [K in keyof Ps]: Ps[K] extends (...args: never[]) => infer R ? RowOf<R> : never;
}[keyof Ps];
/**
 * The handlers a job run by `startWorker` runs under, outermost first: `scheduler`, `realTime`, the
 * job's own (`reportProgress`, `currentJob`), then `Hs`, the worker's `handlers`.
 */
export type JobHandlers<Hs extends readonly unknown[]> = [
  typeof scheduler,
  typeof realTime,
  Handler<ReportProgress | CurrentJob, never>,
  ...Hs,
];

/** The compile error for an unknown key in startWorker's options (a typo such as `handler`), printed in full. */
export type UnknownWorkerOptionError<Key> =
  `doeff: '${Key & string}' is not a startWorker option; the options are connection, name, programs, handlers, env, concurrency, prefix, signals, workerOptions and onWarning`;

/**
 * The options of `startWorker(options)`: the queue (`connection`, `name`, `prefix`), the programs
 * its jobs run by name, the handlers and `env` they run under (checked like `run`'s), and how the
 * worker runs (`concurrency`, `signals`, `workerOptions`). An unknown key is a compile error
 * (`UnknownWorkerOptionError`) and a TypeError at run time.
 *
 * @example
 * ```ts
 * const worker = await startWorker({ connection, name: "dice", programs: { roll }, handlers: [dice] });
 * ```
 */
export interface StartWorkerOptions<
  Ps extends QueuePrograms = QueuePrograms,
  Hs extends readonly AnyHandlerFn[] = readonly Handler[],
  Patch extends EnvPatch = EnvPatch,
> {
  readonly connection: ConnectionOptions;
  readonly name: string;
  /**
   * the programs this worker runs, by name: `{ resize: (url, w) => Program }` (`enqueueFor<typeof
   * programs>()` types a producer's enqueues by them)
   */
  readonly programs: Ps;
  /** handlers for the jobs' effects, as in run(): the last is innermost (checked like run's) */
  readonly handlers?: Hs;
  /**
   * env for every job, as run's `env` (list `reader` in `handlers`): a record or a Map, typed by
   * `EnvTypes` when declared; a lazy Program value's effects are checked like the programs'
   */
  readonly env?: Patch & UndeclaredKeys<Patch>;
  /** jobs run at once by this worker (default 1) */
  readonly concurrency?: number;
  /** BullMQ key prefix (default "bull"; the producers' `queue({ prefix })` must match) */
  readonly prefix?: string;
  /** signals that close the worker gracefully (default ["SIGTERM", "SIGINT"]; false: none) */
  readonly signals?: readonly NodeJS.Signals[] | false;
  /** further BullMQ worker options (lockDuration, stalledInterval, …) */
  readonly workerOptions?: Omit<WorkerOptions, "connection" | "concurrency" | "prefix">;
  /**
   * each job's run option `onWarning`: told of every error a job's run keeps beside its outcome
   * (a task that failed with nothing waiting, …) as it happens, with `where` naming the job (`in
   * queue job (resize#42) — task 1 failed and nothing waited for it`). Whether or not it is given,
   * a job's final warnings are rows of its BullMQ job log.
   */
  readonly onWarning?: WarningHook;
}

/**
 * startWorker's options parameter, as run's CheckedRunOptions: one alias with the check `C` first,
 * so that a coverage error's first line names the missing effects (`CheckedWorkerOptions<
 * MissingHandlerError<Log>, …>`) where a bare intersection printed its members and cut the check.
 */
export type CheckedWorkerOptions<
  C,
  Hs extends readonly AnyHandlerFn[],
  Keys extends PropertyKey,
  Patch extends EnvPatch,
  Ps extends QueuePrograms,
> = NoInfer<C> &
  StartWorkerOptions<Ps, Hs, Patch> & {
    // (Keys, inferred for WorkerCovered, turn off the excess-property check: an unknown key is refused here)
    [K in Keys]?: K extends keyof StartWorkerOptions
      ? unknown
      : {} extends Record<K, 1> // (a wide key, as in Parameters<typeof startWorker>[0])
        ? unknown
        : UnknownWorkerOptionError<K>;
  };

/** What `startWorker` resolves to once connected: the BullMQ worker, and how to stop it gracefully. */
export interface QueueWorker {
  /** the BullMQ worker */
  readonly worker: Worker;
  /** Stop taking jobs; wait for those in flight (force: return them to the queue now). */
  close(force?: boolean): Promise<void>;
}

/** The job's own handler: its progress and what it is (currentJob). */
function jobHandler(bullJob: Job) {
  let info: JobInfo | null = null;
  return handle([ReportProgress, CurrentJob], function* queueJob(e, k) {
    if (e instanceof CurrentJob) {
      info ??= Object.freeze({
        id: String(bullJob.id),
        name: bullJob.name,
        attempt: bullJob.attemptsMade + 1,
        attempts: bullJob.opts.attempts || 1, // (the producer stores 0 for "not set")
      });
      return yield* transfer(k, info);
    }
    yield* awaitPromise(() => bullJob.updateProgress(e.progress));
    // (transfer, not resume: a resume waited for the rest of the job, so a long job reporting as it
    // went kept every report, its progress object and this call, until it ended)
    return yield* transfer(k, undefined);
  });
}

const OPTION_KEYS = [
  "connection",
  "name",
  "programs",
  "handlers",
  "env",
  "concurrency",
  "prefix",
  "signals",
  "workerOptions",
  "onWarning",
];

/**
 * Stop a worker that has not connected, without waiting for it: BullMQ's close(true) ends the
 * connection attempts (ioredis's reconnect timers, which kept the process alive), disconnect drops
 * what may be open. Neither is awaited: with Redis unreachable they may wait for a connection.
 */
function stopUnconnected(worker: Worker): void {
  void worker.disconnect().catch(() => {});
  void worker.close(true).catch(() => {});
}

/** Job data (JSON) for a message, cut short. */
function shown(data: unknown): string {
  const json = JSON.stringify(data) ?? String(data);
  return json.length > 80 ? `${head(json, 77)}…` : json;
}

/**
 * What the processor throws for a job's error: the error itself when it has a message (an Error, or
 * one of another realm), else an Error saying what was thrown. BullMQ reads `err.message` as it
 * fails the job: a thrown `undefined` or `null` made it throw there, the job was never marked failed
 * (the producer waited forever), and the stalled-job check ran it again whatever its attempts; a
 * thrown `{ code: 42 }` was stored with the failedReason null, so dashboards and the worker's
 * "failed" event showed nothing of it. (The producer gets the value itself: `keep` stored it.)
 */
function thrown(e: unknown): unknown {
  let hasMessage = false;
  try {
    hasMessage =
      e !== null && typeof e === "object" && typeof (e as { message?: unknown }).message === "string";
  } catch {} // (a hostile getter: said as what was thrown, below)
  return hasMessage ? e : new Error(toWire(e).message);
}

/**
 * A job's run's warnings as rows of its BullMQ log, after its `tell`s: `warning: <where>: <error>`,
 * as its `format()` says each, with the chain of a task's failure under it (rows of one warning).
 */
function warningRows(r: RunResult<unknown>): string[] {
  if (r.warnings.length === 0) return [];
  const ws = runTraces.get(r)?.[2] ?? [];
  return ws.map(
    (w) => `warning: ${w.where}: ${describeError(w.error)}${w.trace === undefined ? "" : `\n${w.trace}`}`,
  );
}

/** @internal How many rows of a job's log are written at once (startWorker's writeLog). */
export const LOG_BATCH = 300;

/**
 * A writer log entry as a row of the job's BullMQ log: a string as it is, else its JSON — a bigint in
 * it as `12n` and a cycle as "[Circular]", where JSON.stringify throws (the row was `object`, all of a
 * `{ userId: 12n, … }` lost); a value JSON leaves out (a function) as `describe` says it. Never throws.
 */
function logRow(entry: unknown): string {
  if (typeof entry === "string") return entry;
  if (typeof entry === "bigint") return `${entry}n`;
  try {
    const open: unknown[] = []; // the objects JSON.stringify is inside of: a cycle leads back to one
    const json = JSON.stringify(entry, function (this: unknown, _key, v: unknown) {
      while (open.length > 0 && open.at(-1) !== this) open.pop();
      if (typeof v === "bigint") return `${v}n`;
      if (v !== null && typeof v === "object") {
        if (open.includes(v)) return "[Circular]";
        open.push(v);
      }
      return v;
    });
    return json ?? describe(entry);
  } catch {
    return describe(entry); // (a throwing getter or toJSON)
  }
}

/**
 * Start a worker for the queue `name`; resolves once it is connected. Compile-time: the handlers
 * must take every effect the programs perform (WorkerCovered), as run's do.
 *
 * @example
 * ```ts
 * const worker = await startWorker({ connection: { host: "127.0.0.1", port: 6379 }, name: "primes", programs });
 * // … later: stop taking jobs, let those in flight finish
 * await worker.close();
 * ```
 */
export async function startWorker<
  const Ps extends QueuePrograms,
  const Hs extends readonly AnyHandlerFn[],
  Patch extends EnvPatch = EnvPatch,
  Keys extends PropertyKey = never,
  // the check, never given: a default, so that TypeScript instantiates it only once the others are
  // inferred (see FirstPass in run/entry-check.ts)
  C = WorkerCovered<Ps, Hs, Patch, Keys>,
>(options: CheckedWorkerOptions<C, Hs, Keys, Patch, Ps>): Promise<QueueWorker>;
export async function startWorker(options: StartWorkerOptions): Promise<QueueWorker> {
  if (options === null || typeof options !== "object")
    throw new TypeError(
      `startWorker expects its options, { connection, name, programs, … }, got ${describe(options)}`,
    );
  for (const key of Object.keys(options))
    if (!OPTION_KEYS.includes(key))
      throw new TypeError(
        `startWorker: unknown option ${JSON.stringify(key)}; the options are ${OPTION_KEYS.join(", ")}`,
      );
  const { connection, name, programs } = options;
  if (typeof name !== "string" || name === "")
    throw new TypeError(`startWorker needs the queue name, got ${describe(name)}`);
  if (programs === null || typeof programs !== "object")
    throw new TypeError(
      `startWorker needs programs: { name: (...args) => Program }, got ${describe(programs)}`,
    );
  for (const [key, f] of Object.entries(programs))
    if (typeof f !== "function")
      throw new TypeError(
        `startWorker: programs.${key} must be a function returning a Program, got ${describe(f)}`,
      );
  const blocking = blockingClientProblem("startWorker", connection);
  if (blocking !== null) throw new TypeError(blocking);
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError(`startWorker: concurrency must be an integer ≥ 1, got ${describe(concurrency)}`);
  const given: unknown = options.handlers ?? [];
  if (!Array.isArray(given))
    throw new TypeError(`startWorker: handlers must be an array of handlers, got ${describe(given)}`);
  given.forEach((h: unknown, i) => {
    const bad = notAHandler(h, true);
    if (bad !== null) throw new TypeError(`startWorker: handlers[${i}] is ${bad}`);
  });
  const signalsOption: unknown = options.signals;
  if (
    signalsOption !== undefined &&
    signalsOption !== false &&
    !(Array.isArray(signalsOption) && signalsOption.every((s) => typeof s === "string"))
  )
    throw new TypeError(
      `startWorker: signals must be an array of signal names (e.g. ["SIGTERM", "SIGINT"]) or false, got ${describe(signalsOption)}`,
    );
  if (Array.isArray(signalsOption))
    signalsOption.forEach((s: string, i) => {
      // a misspelt name (SIGTREM) was listened to as an event that never comes: no graceful close;
      // SIGKILL / SIGSTOP made process.on throw (uv_signal_start EINVAL) and left the worker running
      if (!Object.hasOwn(constants.signals, s))
        throw new TypeError(
          `startWorker: signals[${i}] ${JSON.stringify(s)} is not a signal name; use e.g. "SIGTERM", "SIGINT" (os.constants.signals lists them)`,
        );
      if (s === "SIGKILL" || s === "SIGSTOP")
        throw new TypeError(
          `startWorker: signals[${i}] ${s} cannot be caught by a process (no listener can be installed for it); leave it out`,
        );
    });
  const hook: unknown = options.onWarning;
  if (hook !== undefined && typeof hook !== "function")
    throw new TypeError(
      `startWorker: onWarning must be a function (error, { where, status }) => void, got ${describe(hook)}`,
    );
  const handlers = (given as Handler[]).filter((h) => h !== scheduler && h !== realTime);
  const known = Object.keys(programs);

  let bullmq: typeof import("bullmq");
  try {
    bullmq = await import("bullmq");
  } catch (e) {
    throw new Error(
      `doeff/queue runs on BullMQ, which is not installed here; add it with: npm install bullmq ioredis (${e instanceof Error ? e.message : String(e)})`,
      { cause: e },
    );
  }

  /** keep the error's class, stack and cause for the producer (BullMQ keeps only the message) */
  const keep = (job: Job, e: unknown, report?: string): Promise<unknown> =>
    job.updateData({ ...(job.data as object), error: toWire(e, report) }).catch(() => {});

  /**
   * The run's writer log (`writer` in `handlers`) as the job's BullMQ log (`getJobLogs`, dashboards),
   * written before the job completes or fails: nothing else reads the run's result, so a job's `tell`s
   * went nowhere. One row per entry, in order; an entry that is not a string as its JSON. A write
   * that fails (Redis gone) does not fail the job. The writes go out on one connection as they are
   * made, LOG_BATCH at a time: all at once, a job that told 100,000 rows held the event loop for
   * 2 s (the worker's other jobs, BullMQ's lock renewal) with 300 MB of pending commands. With the job option
   * `keepLogs` only the rows BullMQ keeps are written (each write trims the log to that many).
   */
  const writeLog = async (job: Job, log: readonly unknown[]): Promise<void> => {
    const keepLogs = job.opts.keepLogs;
    const from = typeof keepLogs === "number" && keepLogs > 0 ? Math.max(0, log.length - keepLogs) : 0;
    try {
      for (let i = from; i < log.length; i += LOG_BATCH)
        await Promise.all(log.slice(i, i + LOG_BATCH).map((entry) => job.log(logRow(entry))));
    } catch {}
  };

  /** the runs in flight, each abortable (close(true)), with the promise of its end */
  const inFlight = new Map<AbortController, Promise<unknown>>();
  const processor = async (job: Job, token?: string): Promise<unknown> => {
    const data = job.data as { args?: unknown[]; error?: unknown } | undefined;
    if (data?.error !== undefined) {
      // an earlier attempt's error: cleared, else a failure that runs no program of ours (a stall
      // past maxStalledCount) would report that attempt's error as the job's (only after a failure)
      const { error: _, ...rest } = data;
      await job.updateData(rest).catch(() => {});
    }
    const make = Object.hasOwn(programs, job.name) ? programs[job.name] : undefined;
    if (make === undefined) {
      const e = new UnknownProgramError(job.name, known);
      await keep(job, e);
      throw new bullmq.UnrecoverableError(e.message);
    }
    const args = data?.args;
    if (!Array.isArray(args)) {
      // a job added by other code than enqueue: its data spread as arguments ran the program on
      // wrong ones without a word (undefined for each, a string's characters), or failed every attempt
      const e = new TypeError(
        `queue job ${name}#${String(job.id)} (${JSON.stringify(job.name)}) has the data ${shown(data)}, not { args: [...] }: a job for startWorker carries its program's arguments as data.args, as enqueue adds it; a job added with BullMQ directly needs queue.add(${JSON.stringify(job.name)}, { args: [...] }) (the job is not retried)`,
      );
      await keep(job, e);
      throw new bullmq.UnrecoverableError(e.message);
    }
    let p: ReturnType<typeof make>;
    try {
      p = make(...args);
    } catch (e) {
      await keep(job, e); // a factory that throws (checking its arguments) fails like its program would
      throw thrown(e);
    }
    if (!isProgramLike(p)) {
      // (an async function's promise: its rejection, unheard, would reach unhandledRejection)
      if (p instanceof Promise) p.catch(() => {});
      const e = new TypeError(
        p instanceof Promise
          ? `programs.${job.name}(…) returned a Promise, not a Program (an async function is not a job); write it as fn(function* ${job.name}(…) { … }), awaiting with yield* awaitPromise(() => promise)`
          : isGeneratorObject(p)
            ? `programs.${job.name}(…) returned a generator object (programs.${job.name} is a bare generator function), not a Program; wrap it with fn: ${job.name}: fn(function* ${job.name}(…) { … }), or write ${job.name}: (…) => program(function* () { … })`
            : `programs.${job.name}(…) returned ${describe(p)}, not a Program; write it as fn(function* ${job.name}(…) { … })`,
      );
      await keep(job, e);
      throw new bullmq.UnrecoverableError(e.message);
    }
    const stop = new AbortController();
    const onWarning = options.onWarning;
    const running = runAsync(p, {
      handlers: [scheduler, realTime, jobHandler(job), ...handlers],
      ...(options.env === undefined ? {} : { env: options.env as Record<string, unknown> }),
      signal: stop.signal,
      // (where says which job, as the producer's traceback names it: the hook is the worker's, for
      // all its jobs)
      ...(onWarning === undefined
        ? {}
        : {
            onWarning: (error: unknown, info: { where: string; status: WarningStatus }) =>
              onWarning(error, {
                where: `${queueJobLine({ queue: name, jobId: String(job.id), program: job.name })} — ${info.where}`,
                status: info.status,
              }),
          }),
    });
    inFlight.set(stop, running);
    let r: Awaited<ReturnType<typeof runAsync>>;
    try {
      r = await running;
    } finally {
      inFlight.delete(stop);
    }
    if (stop.signal.aborted && handBack && token !== undefined && bullmq.WaitingError !== undefined) {
      // stopped by close(true) during a graceful close (see close): back to the queue at once, the
      // attempt not counted, while the connections are still open
      await job.moveToWait(token);
      throw new bullmq.WaitingError();
    }
    // its final warnings go to its log too (dashboards; a job nothing waits for has no other reader)
    const rows = warningRows(r);
    if (r.log.length > 0 || rows.length > 0)
      await writeLog(job, rows.length === 0 ? r.log : [...r.log, ...rows]);
    if (r.isOk()) {
      // BullMQ stores the result as JSON: a Map, a class instance, a Date would reach the producer
      // changed without a word (a BigInt failed the job after it ran, and every retry ran it again)
      const bad = r.value === undefined ? null : notJson(r.value, "the result");
      if (bad === null) return r.value;
      const e = new TypeError(
        `programs.${job.name}(…) returned a value the queue cannot deliver: a job's result is stored as JSON, and ${bad}; return plain data (the job is not retried)`,
      );
      await keep(job, e);
      throw new bullmq.UnrecoverableError(e.message);
    }
    await keep(job, r.error, r.format());
    // an effect no handler takes fails the same way on every attempt (the worker's handlers are
    // fixed): retrying only delays the error by attempts × backoff
    if (r.error instanceof UnhandledEffectError) throw new bullmq.UnrecoverableError(r.error.message);
    throw thrown(r.error);
  };

  const worker = new bullmq.Worker(name, processor, {
    ...options.workerOptions,
    connection,
    concurrency,
    ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
  });
  worker.on("error", () => {}); // connection errors: the worker reconnects by itself

  const signals = options.signals === false ? [] : (options.signals ?? ["SIGTERM", "SIGINT"]);
  let closing: Promise<void> | null = null;
  let forced = false;
  /** the runs were aborted while BullMQ's connections were open: their jobs are handed back */
  let handBack = false;
  // The runs still in flight are aborted (their finally blocks run) so the process can exit — only
  // once BullMQ's connections are closed: their failures then cannot mark the jobs failed, and the
  // jobs go back to the queue through the stalled-job check, as documented.
  // close(true) resolves when those runs have ended (their finally blocks have run), so that a process
  // exiting after it does not cut its cleanup short.
  const abortInFlight = (): Promise<unknown> => {
    const ends = [...inFlight.values()];
    for (const stop of inFlight.keys())
      stop.abort(new Error(`the queue worker for ${JSON.stringify(name)} was closed with force`));
    return Promise.allSettled(ends);
  };
  const close = (force = false): Promise<void> => {
    if (closing === null) {
      forced = force;
      closing = worker.close(force).then(
        async () => {
          for (const s of signals) process.off(s, onSignal);
          if (forced) await abortInFlight();
        },
        async (e: unknown) => {
          for (const s of signals) process.off(s, onSignal);
          if (forced) await abortInFlight();
          throw e;
        },
      );
    } else if (force && !forced) {
      // A graceful close is pending, and BullMQ's close(true) would only return it (it waits for
      // the jobs in flight). Abort the runs now, and let each processor hand its job back to the
      // queue (moveToWait + WaitingError, BullMQ ≥ 5.x) while the connections are open; the
      // graceful close then ends as its jobs do. (Dropping the connections first, as before, left
      // BullMQ 5 retrying to mark the job failed on a closed connection forever, without a delay:
      // a busy loop, and the process never exited.) Without WaitingError: the old way.
      forced = true;
      if (bullmq.WaitingError !== undefined) {
        handBack = true;
        void abortInFlight();
      } else {
        void worker
          .disconnect()
          .catch(() => {})
          .finally(abortInFlight);
      }
    }
    return closing;
  };
  // Until the worker is connected, a signal cannot close it gracefully: BullMQ's close() waits for
  // the connection, which with Redis unreachable never comes (ioredis retries for ever, and its timers
  // keep the process alive). It drops the connections instead, and startWorker rejects, saying so.
  let ready = false;
  let stopBeforeReady: (e: Error) => void = () => {};
  const stopped = new Promise<never>((_, reject) => {
    stopBeforeReady = reject;
  });
  stopped.catch(() => {});
  const onSignal = (signal: NodeJS.Signals): void => {
    if (ready) {
      void close(closing !== null); // a second signal forces
      return;
    }
    for (const s of signals) process.off(s, onSignal);
    stopBeforeReady(
      new Error(
        `startWorker was stopped by ${signal} before it connected to Redis at ${where(connection)} (queue ${JSON.stringify(name)}); it waits for Redis as long as Redis is unreachable`,
      ),
    );
    stopUnconnected(worker);
  };
  for (const s of signals) process.on(s, onSignal);
  // Refused credentials do not heal by retrying (BullMQ would, for ever, in silence): stop, saying so
  const onRefused = (e: unknown): void => {
    if (ready || !refusedCredentials(e)) return;
    worker.off("error", onRefused);
    for (const s of signals) process.off(s, onSignal);
    stopBeforeReady(
      new Error(
        `startWorker could not connect to Redis at ${where(connection)} (queue ${JSON.stringify(name)}): Redis refused its credentials (${(e as Error).message}); check the connection's password (and username)`,
        { cause: e },
      ),
    );
    stopUnconnected(worker);
  };
  worker.on("error", onRefused);

  let stoppedEarly = false;
  stopped.catch(() => {
    stoppedEarly = true;
  });
  try {
    await Promise.race([worker.waitUntilReady(), stopped]);
  } catch (e) {
    for (const s of signals) process.off(s, onSignal);
    // a connection that failed for good (a bad port, say): the worker it made is stopped too, else
    // its reconnect timers keep the process alive after startWorker rejected
    if (stoppedEarly) throw e;
    stopUnconnected(worker);
    throw new Error(
      `startWorker could not connect to Redis at ${where(connection)} (queue ${JSON.stringify(name)}): ${e instanceof Error ? e.message : String(e)}`,
      { cause: e },
    );
  }
  ready = true;
  worker.off("error", onRefused);
  return { worker, close };
}
