/**
 * doeff/queue — named programs as BullMQ jobs on Redis. Import from "doeff/queue"; the core "doeff"
 * entry never loads this module or BullMQ. Install bullmq (an optional peer dependency) to use it;
 * see docs/queue.md.
 *
 * @module doeff/queue
 */
export {
  CurrentJob,
  currentJob,
  Enqueue,
  type EnqueueOptions,
  enqueue,
  enqueueFor,
  type JobArgNotJsonError,
  type JobArgs,
  type JobInfo,
  type JobResult,
  type JsonArgs,
  type NotJson,
  type QueuePrograms,
  ReportProgress,
  reportProgress,
} from "./effects.js";
export { UnknownProgramError } from "./errors.js";
export type { QueueOptions } from "./options.js";
export { jobIdOf, type QueueHandler, queue } from "./producer.js";
export {
  type CheckedWorkerOptions,
  type JobHandlers,
  type ProgramsRow,
  type QueueWorker,
  type StartWorkerOptions,
  startWorker,
  type UnknownWorkerOptionError,
  type WorkerCovered,
} from "./worker.js";
export { RemoteError, registerErrorClasses } from "../workers/wire.js";
