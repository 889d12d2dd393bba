/**
 * The `RunInWorker` effect: run a *named* program — an export of a module, called with structured-
 * cloneable arguments — on a worker thread. What crosses the thread boundary is the module URL, the
 * export name, the arguments and, back, the result or error; continuations never leave the thread.
 */
import { Effect } from "../index.js";
import {
  type AnyProgramLike,
  describe,
  type EffectsOf,
  type IsOpen,
  labelMadeOf,
  type Program,
  type ResultOf,
  TIMED_OUT,
} from "../protocol.js";
import { classInstanceIn, neverClonable, refusal } from "./plain.js";
import { notAbsoluteUrl, shortUrl } from "./short-url.js";

/** a validated `module#export` pair, shared by every effect that names it */
interface Target {
  readonly moduleUrl: string;
  readonly exportName: string;
  readonly job: string;
  /** the traceback frame the job's effects and errors show: `in worker (module#export)` */
  readonly frame: string;
  /** what that frame's line is made from, for tracebackOf (frameOf registers it) */
  readonly fields: { readonly job: string };
}
const targets = new Map<string, Map<string, Target>>();
const TARGET = Symbol("doeff.workers.target");

function checkUrl(moduleUrl: unknown): string {
  if (moduleUrl instanceof URL) moduleUrl = moduleUrl.href;
  if (typeof moduleUrl !== "string" || moduleUrl === "")
    throw new TypeError(
      `runInWorker expects a module URL first (e.g. new URL("./jobs.js", import.meta.url)), got ${describe(moduleUrl)}`,
    );
  const why = notAbsoluteUrl(moduleUrl);
  if (why !== null) throw new TypeError(`runInWorker needs an absolute module URL, ${why}`);
  return moduleUrl;
}

function targetOf(moduleUrl: string | URL, exportName: string): Target {
  if (moduleUrl instanceof URL) moduleUrl = moduleUrl.href;
  const known = typeof moduleUrl === "string" ? targets.get(moduleUrl)?.get(exportName) : undefined;
  if (known !== undefined) return known;
  moduleUrl = checkUrl(moduleUrl);
  if (typeof exportName !== "string" || exportName === "")
    throw new TypeError(`runInWorker expects the export's name second, got ${describe(exportName)}`);
  const job = `${shortUrl(moduleUrl)}#${exportName}`;
  const t: Target = { moduleUrl, exportName, job, frame: `in worker (${job})`, fields: { job } };
  let byName = targets.get(moduleUrl);
  if (byName === undefined) {
    if (targets.size >= 1000) targets.clear(); // bounded: URLs built on the fly do not pile up
    byName = new Map();
    targets.set(moduleUrl, byName);
  }
  if (byName.size < 1000) byName.set(exportName, t);
  return t;
}

/**
 * `T` is the job's result; `F` the effects the job may forward to the parent (performed at this
 * effect's site, so they are in the row of the program that performs it: `runInWorkerFor` fills it in).
 */
export class RunInWorker<T = unknown, F = never> extends Effect<T> {
  /** @internal its name in a minified bundle too (`className`) */
  static readonly displayName = "RunInWorker";
  /** named by UnhandledEffectError when no handler takes it (a forgotten `workers()`) */
  static readonly standardHandler: string = "workers({ size }) from doeff/workers";
  /** `module#export`, the module shown relative to the working directory (for tracebacks) */
  readonly job: string;
  /** the arguments the export is called with, structured-cloned to the worker thread */
  readonly args: readonly unknown[];
  // symbol-keyed and not enumerable (set by defineProperty), so not listed by tracebacks, which show
  // an effect's enumerable symbol-keyed fields (they show the short `job` instead)
  /** @internal the validated `module#export` pair (`frameOf` reads its traceback frame) */
  declare readonly [TARGET]: Target;
  /** Type-level: the forwarded effects the job may perform at this effect's site (see `F`). */
  declare readonly __row?: F;
  constructor(moduleUrl: string | URL, exportName: string, args: readonly unknown[]) {
    super();
    const t = targetOf(moduleUrl, exportName);
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (typeof a === "function" || typeof a === "symbol")
        throw new TypeError(
          `runInWorker(${exportName}): argument ${i + 1} is a ${typeof a}, which cannot be sent to a worker thread; pass structured-cloneable data (numbers, strings, plain objects, arrays, Maps, typed arrays…)`,
        );
      const inst = typeof a === "object" ? classInstanceIn(a) : null;
      if (inst !== null && neverClonable(inst))
        throw new TypeError(`runInWorker(${exportName}): argument ${i + 1} ${refusal(inst, "parent")}`);
      if (inst !== null)
        throw new TypeError(
          `runInWorker(${exportName}): argument ${i + 1} ${inst.startsWith(".") || inst.startsWith("[") ? `holds ${inst}` : `is ${inst}`}, which the worker thread would receive as a plain object without its methods, getters and instanceof (structured clone copies own data only); pass plain data (e.g. { ...value } or value.toJSON()) and rebuild the instance in the job`,
        );
    }
    this.job = t.job;
    this.args = args;
    Object.defineProperty(this, TARGET, { value: t });
  }
  /** the module's URL as a string (`file:///…/jobs.js`, or any URL `import()` accepts) */
  get moduleUrl(): string {
    return this[TARGET].moduleUrl;
  }
  /** the name of the module's export to run */
  get exportName(): string {
    return this[TARGET].exportName;
  }
}

/**
 * RunInWorker effects whose last job was cancelled before any thread started it, and what became
 * of it (ParentJob.cancel; set by handler.ts, on the cancel path only)
 */
export const unstarted = new WeakMap<object, string>();

// timeout(runInWorker(…), ms) names the job, and says it was aborted where it runs (not the
// generic "RunInWorker timed out … its finally blocks ran": they run in the thread, after) — or
// that it never started, when it was still queued (no thread was told anything)
Object.defineProperty(RunInWorker.prototype, TIMED_OUT, {
  value(this: RunInWorker<unknown>): readonly [string, string] {
    return [
      `the worker job ${this.job}`,
      unstarted.get(this) ??
        "it was cancelled: its worker thread was told to abort its run, and its finally blocks run there, unless it is still busy in synchronous code after cancelGraceMs: then its thread is terminated",
    ];
  },
});

/**
 * A RunInWorker a job forwards to the parent (a job that runs another on the parent's pool): its
 * `module#export` pair is symbol-keyed, which structured clone leaves out, and the parent's copy
 * (made from the fields that crossed) had none — the workers handler failed on it with "Cannot read
 * properties of undefined (reading 'moduleUrl')". The pair goes in the message (worker-entry.ts),
 * and `withTarget` gives it back to the copy (handler.ts).
 */
export function targetPair(e: object): readonly [string, string] | undefined {
  return e instanceof RunInWorker ? [e.moduleUrl, e.exportName] : undefined;
}
/** doeff's own symbol key on a RunInWorker (its pair goes apart: targetPair), not a user's field */
export function isTargetKey(s: symbol): boolean {
  return s === TARGET;
}
export function withTarget(e: object, pair: readonly [string, string]): void {
  Object.defineProperty(e, TARGET, { value: targetOf(pair[0], pair[1]) });
}

/**
 * `in worker (module#export)`: the traceback frame of `e`'s job (computed once per pair), its job
 * registered as what the line is made from (tracebackOf's entry takes it, not the text read back)
 */
export function frameOf(e: RunInWorker<unknown>): string {
  const t = e[TARGET];
  labelMadeOf(t.frame, t.fields);
  return t.frame;
}

/**
 * Perform: run `moduleUrl#exportName(...args)` on a worker thread; answers the program's value
 * (`T`, unchecked: `runInWorkerFor` checks the name, arguments and result against the module).
 *
 * @example
 * ```ts
 * const JOBS = new URL("./jobs.js", import.meta.url);
 * const n = yield* runInWorker<number>(JOBS, "countPrimes", 0, 100_000);
 * ```
 */
export function runInWorker<T = unknown>(
  moduleUrl: string | URL,
  exportName: string,
  ...args: unknown[]
): RunInWorker<T> {
  return new RunInWorker<T>(moduleUrl, exportName, args);
}

/**
 * What `workerFn<F>` gives: a function of F's arguments, or, for an export that already is a Program
 * (run as it is), a function of none.
 */
export type WorkerFn<F> = F extends (...args: infer A) => infer R
  ? (...args: A) => RunInWorker<ResultOf<R>>
  : () => RunInWorker<ResultOf<F>>;

/**
 * A typed handle on one export: `const fib = workerFn<typeof import("./jobs.js").fib>(url, "fib")`,
 * then `yield* fib(30)` is a `RunInWorker<number>`.
 */
export function workerFn<F extends ((...args: any[]) => unknown) | AnyProgramLike>(
  moduleUrl: string | URL,
  exportName: string,
): WorkerFn<F> {
  const url = moduleUrl instanceof URL ? moduleUrl.href : moduleUrl;
  new RunInWorker(url, exportName, []); // validate now
  return ((...args: unknown[]) => new RunInWorker(url, exportName, args)) as WorkerFn<F>;
}

/** A value a worker job export can be: a program (run as it is), or a function returning one. */
export type JobExport = ((...args: any[]) => AnyProgramLike) | Program<any, any>;

/** The names of a job module's exports that `runInWorkerFor` can run (not `forward`, `handlers`, helpers). */
export type JobExportsOf<M> = {
  [K in keyof M & string]: M[K] extends JobExport ? K : never;
}[keyof M & string];

/** The arguments of job export `X` (none for a program exported as it is). */
export type JobParams<X> = X extends (...args: infer A) => unknown ? A : [];

/** The effects a job module forwards: instances of the classes in its `forward` export. */
export type ForwardedOf<M> = M extends { readonly forward: readonly (infer C)[] }
  ? C extends abstract new (
      ...args: any[]
    ) => infer I
    ? I
    : never
  : never;

/** The effects job export `X` may perform: the row of the program it is, or of the one it returns. */
export type JobRowOf<X> = X extends (...args: any[]) => infer R ? EffectsOf<R> : EffectsOf<X>;

/**
 * What export `N` of module `M` may forward: the members of its row whose class is in `forward`
 * (all of `forward` when its row is open, as a `Program<A>` annotation makes it).
 */
export type ForwardRowOf<M, N extends keyof M> =
  IsOpen<JobRowOf<M[N]>> extends true ? ForwardedOf<M> : Extract<JobRowOf<M[N]>, ForwardedOf<M>>;

/**
 * What a job argument of type `T` is refused as: structured clone cannot copy it (a function, a
 * symbol, a Promise, a WeakMap/WeakSet/WeakRef), or it is an object with methods, which would
 * arrive without them (at run time the call refuses both with a TypeError).
 */
export interface JobArgNotCloneableError<T> {
  readonly "worker job arguments are copied with structured clone; this type does not survive it (pass plain data: numbers, strings, plain objects, arrays, Maps, Sets, Dates, typed arrays, errors)": T;
}
/** Leaves structured clone copies as they are (their methods are their class's, which it keeps). */
export type CloneLeaf = Date | RegExp | ArrayBuffer | ArrayBufferView | Error;
/** Types structured clone cannot copy at all: a job argument of one is refused (see `CloneArgs`). */
export type NeverCloned =
  | ((...args: never[]) => unknown)
  | symbol
  | PromiseLike<unknown>
  | WeakMap<object, unknown>
  | WeakSet<object>
  | WeakRef<object>;
/** `T` with each part structured clone would refuse or strip replaced by `JobArgNotCloneableError`. */
export type CloneArgs<T> = T extends NeverCloned
  ? JobArgNotCloneableError<T>
  : T extends CloneLeaf
    ? T
    : T extends ReadonlyMap<infer K, infer V>
      ? ReadonlyMap<CloneArgs<K>, CloneArgs<V>>
      : T extends ReadonlySet<infer V>
        ? ReadonlySet<CloneArgs<V>>
        : T extends object
          ? { [K in keyof T]: CloneArgs<T[K]> }
          : T;

/** What `runInWorkerFor<M>(url)` gives: `(exportName, ...args)` checked against module `M`. */
export type RunInWorkerFor<M> = <N extends JobExportsOf<M>>(
  exportName: N,
  ...args: CloneArgs<JobParams<M[N]>>
) => RunInWorker<ResultOf<M[N] extends (...args: any[]) => infer R ? R : M[N]>, ForwardRowOf<M, N>>;

/**
 * `runInWorker` checked against the job module's type (a type-only import is enough):
 *
 *     import type * as jobs from "./jobs.js";
 *     const inJobs = runInWorkerFor<typeof jobs>(new URL("./jobs.js", import.meta.url));
 *     const n = yield* inJobs("countPrimes", 0, 1000); // number; a misspelled export or bad arguments: compile error
 *
 * The export name, the arguments and the result are checked, and the effects the job forwards (the
 * classes in the module's `forward` that its program performs) join the row of the program that
 * calls it, so `run` asks for their handlers (a forwarded `Tell`: `writer`). An argument type that
 * structured clone would refuse or strip (a function, a Promise, an object with methods) reads
 * `JobArgNotCloneableError<…>`; a class instance with data only, and the result, are checked at run
 * time.
 */
export function runInWorkerFor<M extends object>(moduleUrl: string | URL): RunInWorkerFor<M> {
  const url = checkUrl(moduleUrl); // now; an export name is checked at each call
  return ((exportName: string, ...args: unknown[]) => new RunInWorker(url, exportName, args)) as never;
}
