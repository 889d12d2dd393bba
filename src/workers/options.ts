/** The options of `workers(options)` (pool.ts checks them). */
import type { ErrorClass } from "./wire.js";

/**
 * The options of `workers(options)`: the pool's size and threads (`execArgv`, `resourceLimits`,
 * `setup`), how long a cancelled job may finalize, the error classes rebuilt as themselves, and how
 * many jobs go to a thread as one task.
 *
 * @example
 * ```ts
 * const pool = workers({ size: 4, resourceLimits: { maxOldGenerationSizeMb: 512 } });
 * ```
 */
export interface WorkersOptions {
  /** threads in the pool (default: the number of CPUs node reports) */
  readonly size?: number;
  /** node flags for the threads (default: the parent's, e.g. `--import tsx`) */
  readonly execArgv?: string[];
  /**
   * per-thread memory limits in MB, node's `resourceLimits` (a thread over them fails its job with
   * WorkerCrashedError); a key or a value node would ignore is a TypeError
   */
  readonly resourceLimits?: {
    maxOldGenerationSizeMb?: number;
    maxYoungGenerationSizeMb?: number;
    codeRangeSizeMb?: number;
    stackSizeMb?: number;
  };
  /**
   * After a cancel, how long a job may take to finalize (its finally blocks) before its thread is
   * terminated (default 1000 ms). A job busy in synchronous code cannot see the cancel message.
   */
  readonly cancelGraceMs?: number;
  /** a module URL each thread imports before its first job (e.g. to register a loader) */
  readonly setup?: string | URL;
  /**
   * error classes to rebuild as themselves when a job throws them (doeff's own are known). Parent
   * only: a thread knows the classes its job module lists in `export const errors` or its `setup`
   * module registers (docs/workers.md).
   */
  readonly errors?: readonly ErrorClass[];
  /**
   * The most jobs sent to piscina as one task when many are submitted at once (default 32; 1 sends
   * every job alone). A batch's jobs run in order on one thread, so a long job delays the jobs
   * after it in its batch; lower this when jobs take very uneven times (docs/workers.md).
   */
  readonly maxBatch?: number;
}

/** (pool.ts: an unknown key is refused, naming these) */
export const OPTION_KEYS = [
  "size",
  "execArgv",
  "resourceLimits",
  "cancelGraceMs",
  "setup",
  "errors",
  "maxBatch",
];
