/**
 * Jobs that run jobs on their own pool: a job forwards a RunInWorker (its module lists RunInWorker
 * in `forward`) and the parent's `workers` handler that ran the job takes it too (handler.ts marks
 * such an effect with the job that forwarded it). The forwarding job keeps its thread while it
 * waits, so a pool whose every thread is held by such a job can never start the nested jobs they
 * wait for: before this check the run hung, silently (a pool of size 1 whose job ran a job did).
 *
 * The decision: count the pool's jobs that wait for a nested job of the same pool (`waiting`, each
 * holding one thread). A nested job that would make that count reach the pool's size is refused at
 * once, before it reaches piscina, with a DeadlockError naming the pool size and the two fixes (it is
 * thrown at the job's perform site in the worker, and at the `runInWorker` call if the job does not
 * catch it). Queueing it and failing it later would wait for a thread that only a job's own
 * timeout or race could free; refusing at once is deterministic. While `waiting` is below the size,
 * at least one thread is held by a job that does not wait for this pool (or is free), so it frees
 * and the queued nested job starts: no refusal, no deadlock. `waiting` only grows here, so checking
 * here is enough to keep `waiting < size`.
 *
 * Not seen: a nested job reached indirectly (a forwarded effect of the user's whose parent-side
 * handler performs runInWorker on the same pool), and cycles between two pools.
 * The ordinary path pays a null check per job (`caller`) and one at its end (`nestedOut`).
 */
import { DeadlockError } from "../index.js";

/** what Nesting reads and writes of a job (ParentJob, pool.ts) */
export interface NestingJob {
  readonly label: string;
  /** the job of the same pool that forwarded this job's RunInWorker, or null */
  readonly caller: NestingJob | null;
  /** this job's nested jobs not ended yet (it holds its thread waiting for them) */
  nestedOut: number;
  /** counted in its caller's nestedOut */
  counted: boolean;
  readonly settled: boolean;
}

export class Nesting {
  /** this pool's jobs that have a nested job on it not ended yet (each holds a thread) */
  private waiting = 0;
  private readonly size: number;

  constructor(size: number) {
    this.size = size;
  }

  /** `job` (whose caller is a job of this pool) is submitted: null, or the error it is refused with */
  enter(job: NestingJob): DeadlockError | null {
    const caller = job.caller!;
    if (caller.settled) return null; // (its thread is free again)
    if (caller.nestedOut === 0) {
      if (this.waiting + 1 >= this.size) return refusal(job, caller, this.size);
      this.waiting++;
    }
    caller.nestedOut++;
    job.counted = true;
    return null;
  }

  /** `job` ended (its thread, if it had one, is free): it and its caller wait no more for it */
  ended(job: NestingJob): void {
    if (job.nestedOut !== 0) {
      job.nestedOut = 0;
      this.waiting--;
    }
    if (job.counted) {
      job.counted = false;
      const c = job.caller!;
      if (c.nestedOut !== 0 && --c.nestedOut === 0) this.waiting--;
    }
  }
}

function refusal(job: NestingJob, caller: NestingJob, size: number): DeadlockError {
  const held =
    size === 1
      ? "this pool's only thread (size 1), which it holds while it waits"
      : `a thread of this pool (size ${size}), and every one is held by a job waiting for a job it runs on the same pool`;
  return new DeadlockError(
    `runInWorker(${job.label}) cannot start: the job ${caller.label} runs it on its own pool, so it needs ${held}: none could ever become free for it (the pool would deadlock). Give the pool more threads than the jobs that run jobs at once (workers({ size: ${size + 1} }) or more), or run the nested jobs on a second pool (docs/workers.md, "Jobs that run jobs")`,
  );
}
