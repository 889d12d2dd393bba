/**
 * doeff/workers — programs on worker threads (a piscina pool). Import from "doeff/workers"; the core
 * "doeff" entry never loads this module or piscina.
 */
export {
  type CloneArgs,
  type ForwardedOf,
  type ForwardRowOf,
  type JobArgNotCloneableError,
  type JobExportsOf,
  type JobParams,
  RunInWorker,
  type RunInWorkerFor,
  runInWorker,
  runInWorkerFor,
  type WorkerFn,
  workerFn,
} from "./effect.js";
export { WorkerCrashedError, WorkerModuleError } from "./errors.js";
export { workers, type WorkersHandler, type WorkersOptions } from "./handler.js";
export { type ErrorClass, RemoteError, registerErrorClasses } from "./wire.js";
