/**
 * Errors rebuilt from another process's — a doeff/queue job's, by the producer — each with the line
 * that says where it was thrown: `in queue job (images#42: resize)`. Where such an error is first
 * thrown here (the wait on the job's future), its chain ends in that line, so the lines below it (the
 * effect, `thrown at` a file of the job's) read as the job's, as a doeff/workers job's error reads
 * under its `in worker (…)` frame. The line is made from the job's fields, which `tracebackOf`'s
 * entry for it takes as they are (data.ts). Only doeff/queue loads it: the core's bundles carry none.
 */
import type { Entry, QueueJobFields } from "./entries.js";
import { boundaryLine } from "./frame-lines.js";
import { crossedLinesOn } from "./origin.js";

const jobs = new WeakMap<object, QueueJobFields>();

/** @internal The line of a queue job: `in queue job (images#42: resize)` (`(images#42)`: no program known). */
export const queueJobLine = (job: QueueJobFields): string =>
  `in queue job (${job.queue}#${job.jobId}${job.program === undefined ? "" : `: ${job.program}`})`;

function crossedLine(chain: Entry[], e: unknown): void {
  const job = jobs.get(e as object); // (a primitive: none)
  if (job !== undefined) chain.push({ ...boundaryLine(queueJobLine(job)), effect: job });
}

/** @internal Mark `error` as thrown in queue job `job` (its line: queueJobLine). */
export function crossedIn(error: object, job: QueueJobFields): void {
  jobs.set(error, job);
  crossedLinesOn(crossedLine);
}
