/** Errors of `doeff/workers` (rebuilt as themselves when they cross a thread boundary). */
import { DoeffError } from "../index.js";
import { registerDoeffErrorClasses } from "./wire.js";

/**
 * The worker could not get a Program from `moduleUrl#exportName`: the module does not load, the
 * export does not exist, or it is not a function returning a Program. The message says which.
 */
export class WorkerModuleError extends DoeffError {
  /** @internal its name in a minified bundle too (`className`) */
  static override readonly displayName = "WorkerModuleError";
  readonly moduleUrl: string;
  readonly exportName: string;
  constructor(moduleUrl: string, exportName: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.moduleUrl = moduleUrl;
    this.exportName = exportName;
  }
}

/**
 * The worker thread running the job ended before answering (it called `process.exit`, ran out of
 * memory, or crashed). Only this job fails; the pool replaces the thread.
 */
export class WorkerCrashedError extends DoeffError {
  /** @internal its name in a minified bundle too (`className`) */
  static override readonly displayName = "WorkerCrashedError";
  readonly moduleUrl: string;
  readonly exportName: string;
  constructor(moduleUrl: string, exportName: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.moduleUrl = moduleUrl;
    this.exportName = exportName;
  }
}

registerDoeffErrorClasses([WorkerModuleError, WorkerCrashedError]);
