/**
 * doeff/workers — programs on worker threads (a piscina pool). Import from "doeff/workers"; the core
 * "doeff" entry never loads this module or piscina. Install piscina (an optional peer dependency)
 * to use it; see docs/workers.md.
 *
 * @module doeff/workers
 */
export {
  type CloneArgs,
  type CloneLeaf,
  type ForwardedOf,
  type ForwardRowOf,
  type JobArgNotCloneableError,
  type JobExport,
  type JobExportsOf,
  type JobParams,
  type JobRowOf,
  type NeverCloned,
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
