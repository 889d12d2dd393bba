/**
 * The effects of `doeff/queue`: `enqueue` (producer side: put a named program on a BullMQ queue and
 * get a waitable for its result) and `reportProgress` (worker side: a job's progress).
 */
import { type AnyProgramLike, Effect, type Future, type ResultOf } from "../index.js";
import { describe, TIMED_OUT } from "../protocol.js";

/** BullMQ job options doeff passes through (see BullMQ's JobsOptions for the full meaning). */
export interface EnqueueOptions {
  /** total tries before the job fails (default 1) */
  readonly attempts?: number;
  /**
   * wait between tries: ms, or `{ type: "fixed" | "exponential", delay, jitter? }` (`jitter`, 0–1:
   * the share of each wait BullMQ may take off at random)
   */
  readonly backoff?:
    | number
    | { readonly type: "fixed" | "exponential"; readonly delay?: number; readonly jitter?: number };
  /** ms before the job may start */
  readonly delay?: number;
  /** 1 (highest) … 2_097_151; lower runs first. 0, the default: no priority — such a job runs before every prioritized one (BullMQ) */
  readonly priority?: number;
  /** an id of your own: adding a job whose id exists returns the existing job (idempotency) */
  readonly jobId?: string;
  readonly lifo?: boolean;
  readonly removeOnComplete?: boolean | number;
  readonly removeOnFail?: boolean | number;
}

const OPTION_KEYS = new Set([
  "attempts",
  "backoff",
  "delay",
  "priority",
  "jobId",
  "lifo",
  "removeOnComplete",
  "removeOnFail",
]);

/** Put `programName(...args)` on the queue; answers a Future of the job's result. */
export class Enqueue<T = unknown> extends Effect<Future<T>> {
  /** @internal its name in a minified bundle too (`className`) */
  static readonly displayName = "Enqueue";
  /** @internal the standard handler that answers it (UnhandledEffectError's message) */
  static readonly standardHandler: string = "queue({ connection, name }) from doeff/queue (with scheduler)";
  readonly programName: string;
  readonly args: readonly unknown[];
  readonly options: EnqueueOptions;
  constructor(programName: string, args: readonly unknown[], options: EnqueueOptions = {}) {
    super();
    if (typeof programName !== "string" || programName === "")
      throw new TypeError(
        `enqueue expects a program name first (a key of startWorker's programs), got ${describe(programName)}`,
      );
    if (!Array.isArray(args))
      throw new TypeError(
        `enqueue(${JSON.stringify(programName)}, args) expects args as an array, got ${describe(args)}`,
      );
    const bad = notJson(args, "args", 0, []);
    if (bad !== null)
      throw new TypeError(
        `enqueue(${JSON.stringify(programName)}): the arguments must be JSON data (BullMQ stores them in Redis as JSON): ${bad}`,
      );
    if (options === null || typeof options !== "object")
      throw new TypeError(`enqueue options must be an object, got ${describe(options)}`);
    for (const key of Object.keys(options))
      if (!OPTION_KEYS.has(key))
        throw new TypeError(
          `enqueue: unknown option ${JSON.stringify(key)}; known options are ${[...OPTION_KEYS].join(", ")}${key === "timeout" ? ". A job has no timeout (BullMQ has none): bound its program inside the job with timeout(…), or the producer's wait with timeout(wait(future), ms) (the job then still runs)" : ""}`,
        );
    if (options.jobId !== undefined && (typeof options.jobId !== "string" || /^\d+$/.test(options.jobId)))
      throw new TypeError(
        `enqueue: jobId must be a string that is not an integer (BullMQ's rule), got ${describe(options.jobId)}`,
      );
    if (options.jobId === "")
      // BullMQ takes "" for no id and makes one of its own: the enqueue waited for a job "" for ever
      throw new TypeError(
        `enqueue: jobId must not be empty (BullMQ would give the job an id of its own); leave jobId out for a generated one`,
      );
    if (options.jobId?.includes(":"))
      throw new TypeError(
        `enqueue: jobId must not contain ":" (BullMQ's rule: it separates the parts of its Redis keys), got ${JSON.stringify(options.jobId)}`,
      );
    const badOption = checkOptions(options);
    if (badOption !== null) throw new TypeError(`enqueue: ${badOption}`);
    this.programName = programName;
    this.args = args;
    this.options = options;
  }
}

// timeout(enqueue(…), ms) says that the job was not stored yet, and may still be (not the generic
// "Enqueue timed out … (it was cancelled and its finally blocks ran)")
Object.defineProperty(Enqueue.prototype, TIMED_OUT, {
  value(this: Enqueue<unknown>): readonly [string, string] {
    return [
      `enqueue(${JSON.stringify(this.programName)})`,
      "its job was not stored in Redis by then — is Redis reachable? The add under way may still store it",
    ];
  },
});

const isInt = (v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): boolean =>
  Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
/** An option's value in a message: a plain object as its JSON (short), anything else by describe. */
function shown(v: unknown): string {
  if (v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    try {
      const j = JSON.stringify(v);
      if (j.length <= 80) return j;
    } catch {}
  }
  return describe(v);
}
const isMs = (v: unknown): boolean => typeof v === "number" && Number.isFinite(v) && v >= 0;

/**
 * What is wrong with an option's value, or null. Checked at the call, so a bad value fails where it
 * was written — BullMQ would refuse some only when the job is added (a rejected add, its own bare
 * message) and silently misread others (`attempts: "3"`, a negative delay).
 */
function checkOptions(o: EnqueueOptions): string | null {
  const bad = (key: string, want: string, v: unknown) => `option ${key} must be ${want}, got ${shown(v)}`;
  if (o.attempts !== undefined && !isInt(o.attempts, 1)) return bad("attempts", "an integer ≥ 1", o.attempts);
  if (o.delay !== undefined && !isMs(o.delay)) return bad("delay", "a number of ms ≥ 0", o.delay);
  if (o.priority !== undefined && !isInt(o.priority, 0, 2_097_151))
    return bad("priority", "an integer from 0 to 2,097,151 (1 is the highest; 0: no priority)", o.priority);
  const b: unknown = o.backoff;
  if (b !== undefined && !isMs(b)) {
    const obj =
      b !== null && typeof b === "object"
        ? (b as { type?: unknown; delay?: unknown; jitter?: unknown })
        : null;
    const want = 'ms (a number ≥ 0) or { type: "fixed" | "exponential", delay?: ms, jitter?: 0 to 1 }';
    if (
      obj === null ||
      (obj.type !== "fixed" && obj.type !== "exponential") ||
      (obj.delay !== undefined && !isMs(obj.delay)) ||
      (obj.jitter !== undefined && !(typeof obj.jitter === "number" && obj.jitter >= 0 && obj.jitter <= 1))
    )
      return bad("backoff", want, b);
    // a misspelt key (`delya`) was passed on and ignored: the job retried at once
    const other = Object.keys(obj).find((k) => k !== "type" && k !== "delay" && k !== "jitter");
    if (other !== undefined)
      return `option backoff has no key ${JSON.stringify(other)}; it is ${want}, got ${shown(b)}`;
  }
  if (o.lifo !== undefined && typeof o.lifo !== "boolean") return bad("lifo", "a boolean", o.lifo);
  for (const key of ["removeOnComplete", "removeOnFail"] as const) {
    const v: unknown = o[key];
    if (v !== undefined && typeof v !== "boolean" && !isInt(v, 0))
      return bad(key, "a boolean or the number of jobs to keep (an integer ≥ 0)", v);
  }
  return null;
}

/**
 * Why `v` (at `path`) would not come back from JSON as it went in, or null. Checked all the way
 * down, because JSON.stringify changes what it cannot keep without a word: a nested function or an
 * `undefined` key is dropped, `undefined` in an array and NaN become null, a Date becomes a string,
 * a Map or a class instance becomes `{}` or loses its class. (An `undefined` object key is allowed:
 * dropping it reads the same on the other side.)
 */
/** @internal What JSON would change in `v` (named by `path`), or null when it is JSON data. */
export function notJson(v: unknown, path: string, depth = 0, seen: object[] = []): string | null {
  switch (typeof v) {
    case "string":
    case "boolean":
      return null;
    case "number":
      if (!Number.isFinite(v)) return `${path} is ${v} (JSON writes it as null)`;
      return Object.is(v, -0) ? `${path} is -0 (JSON writes it as 0; pass 0)` : null;
    case "undefined":
      return `${path} is undefined (JSON writes it as null in an array; pass null, or leave the argument out)`;
    case "bigint":
      return `${path} is a bigint (JSON has none; pass it as a string)`;
    case "function":
    case "symbol":
      return `${path} is ${describe(v)} (JSON drops it)`;
  }
  if (v === null) return null;
  const o = v as object;
  if (depth > 200) return `${path} is nested more than 200 levels deep`;
  if (seen.includes(o)) return `${path} refers back to an object that contains it (JSON has no cycles)`;
  seen.push(o);
  let bad: string | null = null;
  if (Array.isArray(o)) {
    for (let i = 0; i < o.length && bad === null; i++) bad = notJson(o[i], `${path}[${i}]`, depth + 1, seen);
    // JSON keeps an array's elements only: a named property on it is dropped
    if (bad === null && Object.keys(o).length !== o.length) {
      const extra = Object.keys(o).find((k) => !(String(Number(k)) === k && Number(k) < o.length));
      if (extra !== undefined)
        bad = `${path} is an array with a property ${JSON.stringify(extra)} besides its elements (JSON keeps the elements only; put the array and the property in a plain object)`;
    }
  } else {
    const proto = Object.getPrototypeOf(o);
    if (proto !== Object.prototype && proto !== null)
      bad =
        o instanceof Date
          ? `${path} is a Date (JSON turns it into a string; pass ${path}.toISOString() or a number)`
          : `${path} is ${describe(o)}: JSON keeps plain objects and arrays only (it would arrive as a plain object, without its class)`;
    else
      for (const key of Object.keys(o)) {
        const x = (o as Record<string, unknown>)[key];
        if (x === undefined) continue;
        bad = notJson(
          x,
          `${path}${/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`}`,
          depth + 1,
          seen,
        );
        if (bad !== null) break;
      }
  }
  seen.pop();
  return bad;
}

/**
 * Perform: put `programName(...args)` on the queue; answers a `Future` of the job's result. Untyped
 * (`T` is what you say it is); `enqueueFor<typeof programs>()` gives a checked one.
 */
export function enqueue<T = unknown>(
  programName: string,
  args: readonly unknown[] = [],
  options?: EnqueueOptions,
): Enqueue<T> {
  return new Enqueue<T>(programName, args, options);
}

/** A worker's programs by name, as `startWorker` takes them: `{ resize: (url, w) => Program }`. */
export type QueuePrograms = Readonly<Record<string, (...args: any[]) => AnyProgramLike>>;

/** The arguments of the program `F` of a `QueuePrograms` table. */
export type JobArgs<F> = F extends (...args: infer A) => unknown ? Readonly<A> : never;

/**
 * What a job argument of type `T` is refused as: it does not survive JSON (the job's arguments are
 * stored in Redis as JSON; at run time `enqueue` refuses it with a TypeError).
 */
export interface JobArgNotJsonError<T> {
  readonly "job arguments are stored as JSON; this type does not survive it (pass plain data: an ISO string for a Date, an array of entries for a Map)": T;
}
/** Types JSON changes or drops: a value of one in a job's arguments is refused (see `JsonArgs`). */
export type NotJson =
  | Date
  | RegExp
  | ReadonlyMap<unknown, unknown>
  | ReadonlySet<unknown>
  | WeakMap<object, unknown>
  | WeakSet<object>
  | bigint
  | symbol
  | ((...args: never[]) => unknown)
  | ArrayBufferView
  | ArrayBuffer
  | Promise<unknown>;
/** `T` with each part JSON would change replaced by `JobArgNotJsonError` (so the call does not type-check). */
export type JsonArgs<T> = T extends NotJson
  ? JobArgNotJsonError<T>
  : T extends object
    ? { [K in keyof T]: JsonArgs<T[K]> }
    : T;
/** The result of the program `F` of a `QueuePrograms` table: what waiting on its job gives. */
export type JobResult<F> = F extends (...args: never[]) => infer R ? ResultOf<R> : never;

/**
 * `enqueue` typed by a worker's programs. The program names, their arguments and the results are
 * checked against the table the worker runs (a type-only import is enough on the producer's side):
 *
 *     import type { programs } from "./jobs.js";     // what startWorker({ programs }) runs
 *     const enqueueJob = enqueueFor<typeof programs>();
 *     const f = yield* enqueueJob("countPrimes", [2, 100]); // Future<number>; a typo or bad args: compile error
 *
 * A program whose arguments JSON would change (a `Date`, a `Map`, a `bigint`, a function) cannot be
 * enqueued: its argument's type reads `JobArgNotJsonError<…>`. At run time it is `enqueue` itself.
 */
export function enqueueFor<Ps extends QueuePrograms>(): <N extends keyof Ps & string>(
  programName: N,
  ...rest: [] extends JobArgs<Ps[N]>
    ? [args?: JsonArgs<JobArgs<Ps[N]>>, options?: EnqueueOptions]
    : [args: JsonArgs<JobArgs<Ps[N]>>, options?: EnqueueOptions]
) => Enqueue<JobResult<Ps[N]>> {
  return enqueue as never;
}

/** A job's progress (a number, or JSON data), published to the queue's listeners. */
export class ReportProgress extends Effect<undefined> {
  /** @internal its name in a minified bundle too (`className`) */
  static readonly displayName = "ReportProgress";
  /**
   * @internal Why it went unhandled, for UnhandledEffectError's message: no standard handler can be
   * listed for it, only a job run by startWorker has one (the job's own).
   */
  static unhandledHint(): string {
    return "ReportProgress is answered only inside a job run by startWorker (doeff/queue), which reports the progress of that job; run the program as a queue job, or, to run it outside one, handle it yourself (e.g. handle(ReportProgress, ...))";
  }
  readonly progress: number | object;
  constructor(progress: number | object) {
    super();
    if (typeof progress !== "number" && (progress === null || typeof progress !== "object"))
      throw new TypeError(`reportProgress expects a number or an object, got ${describe(progress)}`);
    // BullMQ stores it as JSON, as a job's result: what JSON would change is refused here, where it
    // was reported, rather than reach onProgress changed (a Map as {}) or fail inside BullMQ (a bigint)
    const bad = notJson(progress, "the progress");
    if (bad !== null)
      throw new TypeError(
        `reportProgress(progress): the progress must be JSON data (BullMQ stores it in Redis as JSON), and ${bad}; report plain data`,
      );
    this.progress = progress;
  }
}

/**
 * Perform: publish the running job's progress, a number or JSON data (`queue`'s `onProgress` sees
 * it). Answered only inside a job run by `startWorker`; data JSON would change is a TypeError here.
 *
 * @example
 * ```ts
 * const countPrimes = fn(function* (from: number, to: number) {
 *   for (let n = from; n < to; n++) if (n % 10_000 === 0) yield* reportProgress({ at: n });
 *   return to - from;
 * });
 * ```
 */
export function reportProgress(progress: number | object): ReportProgress {
  return new ReportProgress(progress);
}

/** What `currentJob()` answers: the BullMQ job a queue job's program runs as. */
export interface JobInfo {
  /** the job's id: the producer's `jobId`, or the generated one (`jobIdOf(future)` on its side) */
  readonly id: string;
  /** the program's name (a key of startWorker's `programs`) */
  readonly name: string;
  /** this try: 1 on the first, 2 on the first retry, … */
  readonly attempt: number;
  /** the tries it has in all (the enqueue's `attempts`, default 1) */
  readonly attempts: number;
}

/** The effect of `currentJob()`, answered inside a job run by startWorker. */
export class CurrentJob extends Effect<JobInfo> {
  /** @internal its name in a minified bundle too (`className`) */
  static readonly displayName = "CurrentJob";
  declare readonly _tag: "CurrentJob";
  /** @internal Why it went unhandled, for UnhandledEffectError's message (see ReportProgress). */
  static unhandledHint(): string {
    return 'CurrentJob is answered only inside a job run by startWorker (doeff/queue), for that job; run the program as a queue job, or, to run it outside one, handle it yourself (e.g. answer(CurrentJob, () => ({ id: "test", name: "p", attempt: 1, attempts: 1 })))';
  }
}

/**
 * The job a queue job's program runs as — its id (to log it beside the producer's `jobIdOf`), its
 * program's name and which try this is — answered by startWorker for each job.
 *
 * @example
 * ```ts
 * const resize = fn(function* resize(url: string) {
 *   const job = yield* currentJob();
 *   yield* tell(`job ${job.id} try ${job.attempt}/${job.attempts}: ${url}`);
 *   return url;
 * });
 * ```
 */
export function currentJob(): CurrentJob {
  return new CurrentJob();
}
