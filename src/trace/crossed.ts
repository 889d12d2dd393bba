/**
 * Errors rebuilt from another process's — a doeff/queue job's, by the producer — each with the line
 * that says where it was thrown: `in queue job (images#42: resize)`. Where such an error is first
 * thrown here (the wait on the job's future), its chain ends in that line, so the lines below it (the
 * effect, `thrown at` a file of the job's) read as the job's, as a doeff/workers job's error reads
 * under its `in worker (…)` frame. Only doeff/queue loads it: the core's bundles carry none of it.
 */
import type { Entry } from "./entries.js";
import { boundaryLine } from "./frame-lines.js";
import { crossedLinesOn } from "./origin.js";

const labels = new WeakMap<object, string>();

function crossedLine(chain: Entry[], e: unknown): void {
  const label = labels.get(e as object); // (a primitive: none)
  if (label !== undefined) chain.push(boundaryLine(label));
}

/** @internal Mark `error` as thrown across `label` (`in queue job (images#42: resize)`). */
export function crossedIn(error: object, label: string): void {
  labels.set(error, label);
  crossedLinesOn(crossedLine);
}
