/** node's `resourceLimits` keys (worker_threads), each a number of MB */
const LIMITS = ["maxOldGenerationSizeMb", "maxYoungGenerationSizeMb", "codeRangeSizeMb", "stackSizeMb"];

/**
 * `execArgv` and `resourceLimits` go to the threads only when the pool starts (its first job): a
 * wrong one is a TypeError here, not every job's failure — and a limit node would ignore (a string,
 * a misspelled key) is not left unset without a word.
 */
function threadOptions(o: WorkersOptions): void {
  const argv: unknown = o.execArgv;
  if (argv !== undefined && (!Array.isArray(argv) || argv.some((a) => typeof a !== "string")))
    throw new TypeError(
      `workers({ execArgv }) expects an array of strings (node flags, e.g. ["--import", "tsx"]), got ${describe(argv)}`,
    );
  const limits: unknown = o.resourceLimits;
  if (limits === undefined) return;
  if (limits === null || typeof limits !== "object" || Array.isArray(limits))
    throw new TypeError(
      `workers({ resourceLimits }) expects an object, e.g. { maxOldGenerationSizeMb: 512 }, got ${describe(limits)}`,
    );
  for (const [key, v] of Object.entries(limits)) {
    if (!LIMITS.includes(key))
      throw new TypeError(
        `unknown workers({ resourceLimits }) key ${JSON.stringify(key)}; the keys are ${LIMITS.join(", ")}`,
      );
    if (typeof v !== "number" || !(v > 0))
      throw new TypeError(
        `workers({ resourceLimits: { ${key} } }) expects a number of MB > 0, got ${describe(v)}`,
      );
  }
}

/**
 * The parent side of `doeff/workers`: a piscina pool, the jobs running on it, and the messages their
 * threads send back (forwarded effects). One pool per `workers()` handler; piscina is imported when
 * the first job is submitted, so a missing install is a clear error at that call.
 */
import { BroadcastChannel } from "node:worker_threads";
import { Batch, batchSize, MAX_BATCH } from "./batch.js";
import { JobTable } from "./job-table.js";
import { CANCEL_MASK, type ChannelMsg, type PoolData } from "./messages.js";
import { threadExecArgv } from "./exec-argv.js";
import { describe } from "../protocol.js";
import { Nesting } from "./nested.js";
import { ParentJob } from "./parent-job.js";
import { notAbsoluteUrl } from "./short-url.js";
import { OPTION_KEYS, type WorkersOptions } from "./options.js";
import { type ErrorClass, registerErrorClasses } from "./wire.js";

export type { WorkersOptions } from "./options.js";

export type PiscinaLike = {
  run(task: unknown, options?: { signal?: AbortSignal }): Promise<unknown>;
  destroy(): Promise<void>;
};

let channels = 0;
const RESOLVED = Promise.resolve();

function entryFile(): string {
  // from src/ under tsx the entry is the .ts file; from dist/ it is the .js file beside this module
  const ext = import.meta.url.endsWith(".ts") ? "ts" : "js";
  return new URL(`./worker-entry.${ext}`, import.meta.url).href;
}

function defaultSize(): number {
  const os = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return Math.max(1, os?.hardwareConcurrency ?? 2);
}

export class WorkerPool {
  readonly size: number;
  readonly cancelGraceMs: number;
  private readonly maxBatch: number;
  private readonly options: WorkersOptions;
  private readonly channelName: string;
  private channel: BroadcastChannel | null = null;
  private pool: Promise<PiscinaLike> | null = null;
  /** the pool once created */
  started: PiscinaLike | null = null;
  /** which side had each job first: its thread (started) or the parent's cancel (PoolData.claims) */
  readonly claims: Int32Array = new Int32Array(new SharedArrayBuffer(4 * (CANCEL_MASK + 1)));
  private readonly jobs = new JobTable<ParentJob>();
  private nextId = 1;
  /** jobs submitted since the last flush (they go to piscina together, batched when many) */
  private pending: ParentJob[] = [];
  private flushing = false;
  /** close() was called (a job ending then was stopped by it, not crashed) */
  closed = false;
  private readonly classes = new Map<string, readonly unknown[]>();
  /** modules whose `errors` this thread registered (null), or is registering (registerModuleErrors) */
  private readonly errorsOf = new Map<string, Promise<void> | null>();
  /** this pool's jobs waiting for jobs they run on it (nested.ts) */
  readonly nesting: Nesting;

  constructor(options: WorkersOptions) {
    if (options === null || typeof options !== "object" || Array.isArray(options))
      throw new TypeError(
        `workers(options) expects an options object, e.g. workers({ size: 2 }), got ${describe(options)}`,
      );
    for (const key of Object.keys(options))
      if (!OPTION_KEYS.includes(key))
        throw new TypeError(
          `unknown workers option ${JSON.stringify(key)}; the options are ${OPTION_KEYS.join(", ")}`,
        );
    const size = options.size ?? defaultSize();
    const grace = options.cancelGraceMs ?? 1000;
    const maxBatch = options.maxBatch ?? MAX_BATCH;
    // (a string or an array is the wrong kind of value: a TypeError that shows it as written)
    for (const [name, v] of [
      ["size", size],
      ["cancelGraceMs", grace],
      ["maxBatch", maxBatch],
    ] as const)
      if (typeof v !== "number")
        throw new TypeError(`workers({ ${name} }) expects a number, got ${describe(v)}`);
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`workers({ size }) expects an integer ≥ 1, got ${String(size)}`);
    if (!(grace >= 0))
      throw new RangeError(`workers({ cancelGraceMs }) expects a number ≥ 0, got ${String(grace)}`);
    if (!Number.isInteger(maxBatch) || maxBatch < 1)
      throw new RangeError(`workers({ maxBatch }) expects an integer ≥ 1, got ${String(maxBatch)}`);
    this.maxBatch = maxBatch;
    threadOptions(options);
    if (options.errors !== undefined) {
      if (
        !Array.isArray(options.errors) ||
        options.errors.some((c) => typeof c !== "function" || !(c.prototype instanceof Error))
      )
        throw new TypeError(
          `workers({ errors }) expects an array of Error subclasses (class X extends Error), got ${describe(options.errors)}; e.g. workers({ errors: [MyError] })`,
        );
      registerErrorClasses(options.errors);
    }
    if (options.setup !== undefined) {
      const setup = options.setup;
      if (!(setup instanceof URL) && typeof setup !== "string")
        throw new TypeError(
          `workers({ setup }) expects a module URL (new URL("./setup.js", import.meta.url)), got ${describe(setup)}`,
        );
      const why = typeof setup === "string" ? notAbsoluteUrl(setup) : null;
      if (why !== null) throw new TypeError(`workers({ setup }) needs an absolute module URL, ${why}`);
    }
    this.size = size;
    this.nesting = new Nesting(size);
    this.cancelGraceMs = grace;
    this.options = options;
    this.channelName = `doeff-workers:${Date.now().toString(36)}:${Math.random().toString(36).slice(2)}:${++channels}`;
  }

  /**
   * `caller`: the job that forwarded the RunInWorker, when it is one of this pool's (nested.ts);
   * `flags`: JobMsg's (messages.ts)
   */
  job(
    url: string,
    name: string,
    args: readonly unknown[],
    label: string,
    caller: ParentJob | null,
    flags: number,
  ): ParentJob {
    return new ParentJob(
      this,
      this.nextId++,
      url,
      name,
      args,
      label,
      caller !== null && caller.pool === this ? caller : null,
      flags,
    );
  }

  piscina(): Promise<PiscinaLike> {
    if (this.pool === null) {
      this.closed = false;
      const p = this.create();
      this.pool = p;
      p.then(
        (v) => {
          if (this.pool === p) this.started = v;
        },
        () => {},
      );
    }
    return this.pool;
  }

  private async create(): Promise<PiscinaLike> {
    let mod: { Piscina?: new (o: object) => PiscinaLike; default?: new (o: object) => PiscinaLike };
    try {
      mod = (await import("piscina")) as unknown as typeof mod;
    } catch (e) {
      throw new Error(
        `doeff/workers runs jobs on piscina, which is not installed here; add it with: npm install piscina (${e instanceof Error ? e.message : String(e)})`,
        { cause: e },
      );
    }
    const Piscina = mod.Piscina ?? mod.default!;
    const o = this.options;
    const setup = o.setup === undefined ? undefined : String(o.setup);
    const base = { doeffChannel: this.channelName, claims: this.claims };
    const data: PoolData = setup === undefined ? base : { ...base, setup };
    const execArgv = o.execArgv ?? threadExecArgv();
    const pool = new Piscina({
      filename: entryFile(),
      minThreads: this.size,
      maxThreads: this.size,
      idleTimeout: Infinity,
      workerData: data,
      ...(execArgv === undefined ? {} : { execArgv }),
      ...(o.resourceLimits === undefined ? {} : { resourceLimits: o.resourceLimits }),
    });
    // Piscina emits 'error' for what no job will hear of — e.g. a cancelled job's reply arriving
    // after close() removed its thread ("Unexpected message from Worker"). Every job's own outcome
    // comes through its run() promise; unheard, that event would kill the process after the
    // program had finished.
    (pool as unknown as { on?(event: "error", f: () => void): void }).on?.("error", () => {});
    return pool;
  }

  /** Queue a submitted job; the queue goes to piscina at the next microtask (`flush`). */
  enqueue(job: ParentJob): void {
    job.queued(true);
    this.pending.push(job);
    if (this.flushing) return;
    this.flushing = true;
    // (a resolved promise's then: node's queueMicrotask makes an AsyncResource and a bound function
    // per call, ~7 % of the parent side of a job run alone)
    RESOLVED.then(this.flushLater);
  }

  private readonly flushLater = (): void => this.flush();

  /** A job of a batch that failed before the job started: it goes to piscina again. */
  resubmit(job: ParentJob, e: unknown): void {
    if (this.closed) job.crash(e);
    else this.enqueue(job);
  }

  /**
   * Send the queued jobs: a few go one by one (a job alone is its own piscina task, as a single
   * `runInWorker` always is), many are cut into batches (batch.ts) so that piscina's per-task cost
   * is paid per batch.
   */
  private flush(): void {
    const p = this.started;
    if (p === null) {
      this.piscina().then(
        () => this.flush(),
        (e: unknown) => {
          this.flushing = false;
          for (const job of this.take()) job.failToStart(e);
        },
      );
      return;
    }
    this.flushing = false;
    const jobs = this.take();
    const per = batchSize(jobs.length, this.size, this.maxBatch);
    if (per < 2) {
      for (const job of jobs) job.alone();
      return;
    }
    for (let i = 0; i < jobs.length; i += per) {
      const some = jobs.slice(i, i + per);
      if (some.length === 1) some[0]!.alone();
      else new Batch(this, some).run(p);
    }
  }

  /** the queued jobs still wanted (a job cancelled while queued is already settled) */
  private take(): ParentJob[] {
    const jobs = this.pending.filter((j) => !j.settled);
    this.pending = [];
    for (const job of jobs) job.queued(false);
    return jobs;
  }

  attach(job: ParentJob): void {
    this.open(); // listening before the job can forward anything
    this.jobs.add(job);
  }

  detach(job: ParentJob): void {
    this.jobs.delete(job);
  }

  /**
   * Job `id`, sent to piscina alone, is cancelled: true when no thread had claimed it (it waits in
   * piscina's queue, or was just handed to a thread that has not read it), and now none will run it.
   */
  unclaim(id: number): boolean {
    const slot = id & CANCEL_MASK;
    const mine = id | 0;
    for (;;) {
      const cur = Atomics.load(this.claims, slot);
      if (cur === -mine) return true;
      // claimed, or the slot has gone on to a later job (it then decides nothing)
      if (cur === mine || cur > mine || -cur > mine) return false;
      if (Atomics.compareExchange(this.claims, slot, cur, -mine) === cur) return true;
    }
  }

  /** Cancel job `id` in the thread running it. */
  cancelJob(id: number): void {
    this.post({ t: "cancel", job: id });
  }

  post(m: ChannelMsg): void {
    this.open().postMessage(m);
  }

  private open(): BroadcastChannel {
    if (this.channel === null) {
      const ch = new BroadcastChannel(this.channelName);
      ch.unref();
      ch.onmessage = (ev: unknown) => {
        const m = (ev as { data: ChannelMsg }).data;
        if (m.t !== "eff" && m.t !== "drop") return;
        const job = this.jobs.get(m.job);
        if (job === undefined) return;
        // (a drop: the calling task stops performing that effect, job-loop.ts)
        job.push(m.t === "drop" ? { t: "drop", req: m.req } : { t: "eff", msg: m });
      };
      this.channel = ch;
    }
    return this.channel;
  }

  /** The module's `forward` list as seen by this thread (imported once per module). */
  forwardList(url: string): readonly unknown[] | Promise<readonly unknown[]> {
    const known = this.classes.get(url);
    if (known !== undefined) return known;
    return import(url).then((ns: { forward?: unknown }) => {
      const list = Array.isArray(ns.forward) ? (ns.forward as unknown[]) : [];
      this.classes.set(url, list);
      return list;
    });
  }

  /**
   * Register the module's `errors` in this thread too, once per module (null: already done), so
   * that a job's error of such a class is rebuilt as itself here, as it is in the worker.
   * A module that does not load here, or whose `errors` is not a list of Error classes, registers
   * nothing (the worker reports the latter when it loads the module).
   */
  registerModuleErrors(url: string): Promise<void> | null {
    const known = this.errorsOf.get(url);
    if (known !== undefined) return known;
    const p = import(url).then(
      (ns: { errors?: unknown }) => {
        const list = ns.errors;
        if (Array.isArray(list) && list.every((c) => typeof c === "function" && c.prototype instanceof Error))
          registerErrorClasses(list as ErrorClass[]);
      },
      () => {},
    );
    this.errorsOf.set(url, p);
    // (jobs failing meanwhile wait for the same import; after it, nothing to wait for)
    void p.then(() => this.errorsOf.set(url, null));
    return p;
  }

  async close(): Promise<void> {
    this.closed = true;
    const p = this.pool;
    this.pool = null;
    this.started = null;
    this.channel?.close();
    this.channel = null;
    if (p === null) return;
    let piscina: PiscinaLike;
    try {
      piscina = await p;
    } catch {
      return; // it never started (piscina not installed): its jobs failed with the reason, nothing to close
    }
    await piscina.destroy();
  }
}
