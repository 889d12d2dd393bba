/** Errors of `doeff/queue`. */
import { DoeffError } from "../index.js";
import { registerDoeffErrorClasses } from "../workers/wire.js";

/** A job names a program the worker does not have (it fails at once, without retries). */
export class UnknownProgramError extends DoeffError {
  /** @internal its name in a minified bundle too (`className`) */
  static override readonly displayName = "UnknownProgramError";
  readonly programName: string;
  constructor(programName: string, known: readonly string[]) {
    super(
      `this worker has no program named ${JSON.stringify(programName)} (it has: ${known.join(", ") || "none"}); add it to startWorker({ programs: { ${programName}: … } })`,
    );
    this.programName = programName;
  }
}

// rebuilt only from an error that was the queue's, never from a user's class of the same name
registerDoeffErrorClasses([UnknownProgramError]);
