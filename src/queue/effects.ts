/**
 * The effects of `doeff/queue`: `enqueue` (producer side: put a named program on a BullMQ queue and
 * get a waitable for its result) and `reportProgress` (worker side: a job's progress).
 */
import { Effect, type Future } from "../index.js";
import { describe } from "../protocol.js";

/** BullMQ job options doeff passes through (see BullMQ's JobsOptions for the full meaning). */
export interface EnqueueOptions {
  /** total tries before the job fails (default 1) */
  readonly attempts?: number;
  /** wait between tries: ms, or `{ type: "fixed" | "exponential", delay }` */
  readonly backoff?: number | { readonly type: "fixed" | "exponential"; readonly delay?: number };
  /** ms before the job may start */
  readonly delay?: number;
  /** 1 (highest) … 2_097_152; lower runs first */
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
    let json: string | undefined;
    try {
      json = JSON.stringify(args);
    } catch (e) {
      json = undefined;
      void e;
    }
    if (json === undefined || args.some((a) => typeof a === "function" || typeof a === "symbol"))
      throw new TypeError(
        `enqueue(${JSON.stringify(programName)}): the arguments must be JSON data (BullMQ stores them in Redis); got ${describe(args)}`,
      );
    if (options === null || typeof options !== "object")
      throw new TypeError(`enqueue options must be an object, got ${describe(options)}`);
    for (const key of Object.keys(options))
      if (!OPTION_KEYS.has(key))
        throw new TypeError(
          `enqueue: unknown option ${JSON.stringify(key)}; known options are ${[...OPTION_KEYS].join(", ")}`,
        );
    if (options.jobId !== undefined && (typeof options.jobId !== "string" || /^\d+$/.test(options.jobId)))
      throw new TypeError(
        `enqueue: jobId must be a string that is not an integer (BullMQ's rule), got ${describe(options.jobId)}`,
      );
    this.programName = programName;
    this.args = args;
    this.options = options;
  }
}

export function enqueue<T = unknown>(
  programName: string,
  args: readonly unknown[] = [],
  options?: EnqueueOptions,
): Enqueue<T> {
  return new Enqueue<T>(programName, args, options);
}

/** A job's progress (a number, or JSON data), published to the queue's listeners. */
export class ReportProgress extends Effect<undefined> {
  /** @internal its name in a minified bundle too (`className`) */
  static readonly displayName = "ReportProgress";
  readonly progress: number | object;
  constructor(progress: number | object) {
    super();
    if (typeof progress !== "number" && (progress === null || typeof progress !== "object"))
      throw new TypeError(`reportProgress expects a number or an object, got ${describe(progress)}`);
    this.progress = progress;
  }
}

export function reportProgress(progress: number | object): ReportProgress {
  return new ReportProgress(progress);
}
