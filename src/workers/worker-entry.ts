/**
 * The worker thread's side of `doeff/workers` (the piscina task function). It imports the named
 * module, calls the export to get a Program and runs it — a run of its own, with `[scheduler,
 * realTime]` outermost, then `[forwarder, ...module.handlers]`. Effects whose class is in the
 * module's `forward` list and that no handler of the module takes are sent to the parent and
 * performed there, in the calling task. A cancel message from the parent aborts the job's run: its
 * finally blocks run in this thread.
 */
import { fileURLToPath } from "node:url";
import { BroadcastChannel, workerData } from "node:worker_threads";
import {
  awaitPromise,
  type Handler,
  type Program,
  realTime,
  scheduler,
  TaskCancelledError,
  transferWith,
  UnhandledEffectError,
  withHandler,
} from "../index.js";
import { className, describe, hidden, isProgramLike } from "../protocol.js";
import type { RunOptions } from "../run/options.js";
import type { RunResult } from "../run/result.js";
import { driveAsync } from "../run/run.js";
import { SharedSignal } from "../run/signal.js";
import { isTargetKey, targetPair } from "./effect.js";
import { WorkerModuleError } from "./errors.js";
import { TOO_DEEP, uncloneable, warningsOf } from "./job-warnings.js";
import { effectFields } from "./plain.js";
import { isClass, isGenerator, notAJob, RESERVED } from "./not-a-job.js";
import { shortUrl } from "./short-url.js";
import { markUncaught } from "./uncaught.js";
import { printable } from "../trace/format.js";
import { QUEUED, REPLIED, RUNNING } from "./batch.js";
import {
  type AnswerMsg,
  type BatchMsg,
  CANCEL_MASK,
  type ChannelMsg,
  type DropMsg,
  type EffectMsg,
  type Job,
  type JobMsg,
  type JobReply,
  type PoolData,
  TRACE_SITES,
  type WireWarning,
} from "./messages.js";
import {
  decodeValue,
  encodeFields,
  encodeValue,
  type ErrorClass,
  fromWire,
  registerErrorClasses,
  toWire,
} from "./wire.js";

type EffectClass = abstract new (...args: any[]) => object;

interface Running {
  readonly id: number;
  /** the job's run's controller, once it runs */
  ctl: AbortController | null;
  cancelled: boolean;
  /** pending forwarded effects by request number (made at the first one) */
  answers: Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }> | null;
  nextReq: number;
}

/**
 * The jobs running in this thread: the one job a thread runs at a time in `current`, any other in
 * `running` (never, with piscina's defaults). A Map's set and delete per job were ~6 % of a trivial
 * job's thread side (the table is rebuilt as deleted entries pile up).
 */
let current: Running | null = null;
const running = new Map<number, Running>();
function runningJob(id: number): Running | undefined {
  return current !== null && current.id === id ? current : running.get(id);
}
/** cancel messages for jobs not running here yet (claimed, their module loading; see claim) */
const early = new Set<number>();

// an uncaught error ends the thread: Node's copy of it for the parent would lose a DOMException
// (an empty object) and a built-in subclass's class name; it goes with its wire form (uncaught.ts)
process.on("uncaughtExceptionMonitor", markUncaught);

const data = workerData as PoolData | undefined;
const claims = data?.claims ?? null;

/**
 * Claim job `id` to run it (PoolData.claims): false when the parent cancelled it before any thread
 * claimed it (it never runs). A slot that has gone on to a later job claims nothing: the job runs,
 * and a cancel reaches it by message.
 */
function claim(id: number): boolean {
  if (claims === null) return true;
  const slot = id & CANCEL_MASK;
  const mine = id | 0;
  for (;;) {
    const cur = Atomics.load(claims, slot);
    if (cur === -mine) return false;
    if (cur === mine || cur > mine || -cur > mine) return true;
    if (Atomics.compareExchange(claims, slot, cur, mine) === cur) return true;
  }
}
const channel = data?.doeffChannel === undefined ? null : new BroadcastChannel(data.doeffChannel);
if (channel !== null) {
  channel.unref();
  channel.onmessage = (ev: unknown) => {
    const m = (ev as { data: ChannelMsg }).data;
    if (m.t === "cancel") {
      const r = runningJob(m.job);
      if (r === undefined) {
        // not here (yet): remember it, boundedly (other threads' jobs are announced too)
        early.add(m.job);
        if (early.size > 10_000) early.delete(early.values().next().value as number);
      } else {
        r.cancelled = true;
        r.ctl?.abort(CANCELLED);
      }
    } else if (m.t === "ans") {
      const answers = runningJob(m.job)?.answers;
      const a = answers?.get(m.req);
      if (a === undefined) return;
      answers!.delete(m.req);
      // (its Error values rebuilt: wire.ts encodeValue)
      if (m.ok) a.resolve(decodeValue(m.value));
      else {
        const e = fromWire((m as Extract<AnswerMsg, { ok: false }>).error);
        if (e !== null && typeof e === "object") fromParent.add(e);
        a.reject(e);
      }
    }
  };
}

// The pool's `setup` module (e.g. a loader registration), imported before the first job. This
// top-level await also makes the file ESM-only, so piscina loads it with import() (one instance of
// doeff per thread, shared with the job modules).
// A setup module that fails to load fails every job with a message naming the option, rather than
// piscina's bare import error.
let setupFailed: unknown = null;
if (data?.setup !== undefined) {
  try {
    await import(data.setup);
  } catch (e) {
    setupFailed = e ?? new Error(String(e));
  }
}

interface ModuleInfo {
  readonly ns: Record<string, unknown>;
  readonly handlers: readonly Handler[];
  readonly forward: readonly EffectClass[];
}
const modules = new Map<string, ModuleInfo>();

/**
 * Why `import(url)` failed, and what to do. A module that does not compile gives a SyntaxError whose
 * stack is Node's loader alone (an error thrown while the module runs has a frame of it), and on Node
 * 20–22 neither says where the mistake is: the message says how to find it, where "check the URL"
 * sent the reader to a URL that was right.
 */
function cannotImport(url: string, e: unknown): string {
  const what = `the worker cannot import ${shortUrl(url)}`;
  if (e instanceof SyntaxError && !/\b(file|data|https?):/.test(stackFrames(e))) {
    const path = url.startsWith("file:") ? fileURLToPath(url) : null;
    const check =
      path === null
        ? ""
        : `: \`node --check ${path}\` shows the line (for a TypeScript module, \`tsc --noEmit\`)`;
    return `${what}: SyntaxError: ${e.message}, in it or in a module it imports (Node does not say where for a module loaded with import())${check}`;
  }
  return `${what}: ${e instanceof Error ? e.message : String(e)}. Check the URL (build it with new URL("./file.js", import.meta.url)) and that the module loads on its own`;
}

/** the frames of `e`'s stack, without its first line (the message). Never throws. */
function stackFrames(e: Error): string {
  try {
    const stack = e.stack;
    return typeof stack === "string" ? stack.slice(stack.indexOf("\n") + 1) : "";
  } catch {
    return "";
  }
}

async function load(url: string, name: string): Promise<ModuleInfo> {
  let ns: Record<string, unknown>;
  try {
    ns = (await import(url)) as Record<string, unknown>;
  } catch (e) {
    throw new WorkerModuleError(url, name, cannotImport(url, e), { cause: e });
  }
  const handlers = ns.handlers ?? [];
  if (!Array.isArray(handlers) || handlers.some((h) => typeof h !== "function"))
    throw new WorkerModuleError(
      url,
      name,
      `${shortUrl(url)} exports "handlers", but it is not an array of handlers; export const handlers = [state, writer, …]`,
    );
  const forward = ns.forward ?? [];
  if (!Array.isArray(forward) || forward.some((c) => typeof c !== "function"))
    throw new WorkerModuleError(
      url,
      name,
      `${shortUrl(url)} exports "forward", but it is not an array of effect classes; export const forward = [Tell, Get, …]`,
    );
  // error classes the module declares are rebuilt as themselves in this thread: an answer the
  // parent fails a forwarded effect with (the parent registers its own with workers({ errors }))
  const errors = ns.errors ?? [];
  if (
    !Array.isArray(errors) ||
    errors.some((c) => typeof c !== "function" || !(c.prototype instanceof Error))
  )
    throw new WorkerModuleError(
      url,
      name,
      `${shortUrl(url)} exports "errors", but it is not an array of Error classes; export const errors = [MyError, …]`,
    );
  registerErrorClasses(errors as ErrorClass[]);
  // the worker itself installs the scheduler and the clock (outermost)
  const info: ModuleInfo = {
    ns,
    handlers: (handlers as Handler[]).filter((h) => h !== scheduler && h !== realTime),
    forward: forward as EffectClass[],
  };
  modules.set(url, info);
  return info;
}

function getProgram(info: ModuleInfo, job: Job): Program<unknown> {
  const exp = info.ns[job.name];
  if (exp === undefined) {
    const names = Object.keys(info.ns).filter((n) => !RESERVED.has(n));
    throw new WorkerModuleError(
      job.url,
      job.name,
      `${shortUrl(job.url)} has no export named "${job.name}" (it exports: ${names.join(", ") || "nothing"}); export the program function, e.g. export const ${job.name} = fn(function* ${job.name}(…) { … })`,
    );
  }
  let p: unknown = exp;
  // (Error values are rebuilt now that the module's `errors` are registered: wire.ts encodeValue)
  if (typeof exp === "function") {
    try {
      p = (exp as (...a: unknown[]) => unknown)(...argsOf(job));
    } catch (e) {
      // (a class named as the job — an effect or error class of the module — throws "cannot be invoked without 'new'")
      if (!isClass(exp)) throw e;
      throw new WorkerModuleError(job.url, job.name, notAJob(info.ns, job.url, job.name, "a class"));
    }
  } else if (isProgramLike(exp) && job.args.length > 0)
    throw new WorkerModuleError(
      job.url,
      job.name,
      `${shortUrl(job.url)}#${job.name} is a Program, which takes no arguments, and the job passed ${job.args.length}; call runInWorker without arguments, or export a function of them: export const ${job.name} = fn(function* ${job.name}(…) { … })`,
    );
  else if (!isProgramLike(exp))
    throw new WorkerModuleError(
      job.url,
      job.name,
      RESERVED.has(job.name)
        ? notAJob(info.ns, job.url, job.name, `the module's \`${job.name}\` list`)
        : `${shortUrl(job.url)}#${job.name} is ${describe(exp)}, not a function returning a Program; export it as fn(function* ${job.name}(…) { … })`,
    );
  if (!isProgramLike(p)) {
    // (an async function's promise: its rejection, unheard, would crash the thread under the next job)
    if (p instanceof Promise) p.catch(() => {});
    throw new WorkerModuleError(
      job.url,
      job.name,
      p instanceof Promise
        ? `${shortUrl(job.url)}#${job.name}(…) returned a Promise, not a Program (an async function is not a job); write it as fn(function* ${job.name}(…) { … }), awaiting with yield* awaitPromise(() => promise)`
        : `${shortUrl(job.url)}#${job.name}(…) returned ${isGenerator(p) ? "a generator object (it is a bare generator function)" : describe(p)}, not a Program; wrap the generator function with fn(function* ${job.name}(…) { … })`,
    );
  }
  return p as Program<unknown>;
}

/** the job's arguments, their Error values rebuilt (wire.ts encodeValue) */
function argsOf(job: Job): readonly unknown[] {
  const a = job.args;
  for (let i = 0; i < a.length; i++) if (a[i] !== null && typeof a[i] === "object") return a.map(decodeValue);
  return a;
}

const privatesOf = new WeakMap<object, string | null>();
/**
 * The first #private member declared or used by `effect`'s classes, or null. Read from the classes'
 * source (native private members; a build that compiles them to WeakMaps is not seen), once per class.
 */
function privateMembers(effect: object): string | null {
  let c: unknown = effect.constructor;
  for (let depth = 0; typeof c === "function" && c !== Object && depth < 16; depth++) {
    let found = privatesOf.get(c);
    if (found === undefined) {
      let src = "";
      try {
        src = Function.prototype.toString.call(c);
      } catch {}
      found = /^class\b/.test(src)
        ? (/(?:this\.|[{;}]\s*(?:static\s+)?)(#[A-Za-z_$][\w$]*)/.exec(src)?.[1] ?? null)
        : null;
      privatesOf.set(c, found);
    }
    if (found !== null) return found;
    c = Object.getPrototypeOf(c);
  }
  return null;
}

/** The handler that sends forwardable effects to the parent. */
function forwarder(forward: readonly EffectClass[], job: Job, r: Running): Handler {
  const h = ((effect: object, k: never) => {
    // the job's finally blocks run after the parent's calling task was cancelled: nobody answers
    if (r.cancelled) return transferWith(k, hidden(refuseCancelled, effect));
    const cls = forward.findIndex((c) => effect instanceof c);
    const target = targetPair(effect);
    /** the request number once sent */
    let req = -1;
    const send = (resolve: (v: unknown) => void, reject: (e: unknown) => void) => {
      const privates = privateMembers(effect);
      if (privates !== null) {
        const name = className(effect.constructor);
        reject(
          new TypeError(
            `${name} cannot be forwarded from the worker to the parent: it has #private members (${privates}), which do not cross — the parent rebuilds a forwarded effect from its own enumerable fields, so its handler could not read them; declare the data as public fields (e.g. readonly ${privates.replace(/^#/, "")}: …), or handle ${name} in the worker (export const handlers = […])`,
          ),
        );
        return;
      }
      let own: ReturnType<typeof effectFields>;
      try {
        own = effectFields(effect, className(effect.constructor), isTargetKey);
      } catch (e) {
        reject(e);
        return;
      }
      req = r.nextReq++;
      try {
        // (Error values in its fields cross as errors: wire.ts encodeFields)
        const fields = encodeFields(own.fields);
        let msg: EffectMsg =
          target === undefined
            ? { t: "eff", job: job.id, req, cls, fields }
            : { t: "eff", job: job.id, req, cls, fields, target };
        if (own.syms !== null) msg = { ...msg, syms: own.syms.map(([k, v]) => [k, encodeValue(v)] as const) };
        channel!.postMessage(msg);
      } catch (e) {
        const name = className(effect.constructor);
        reject(
          new TypeError(
            `${name} cannot be forwarded from the worker to the parent: its fields are not structured-cloneable (${e instanceof Error ? e.message : String(e)}); handle ${name} in the worker (export const handlers = […]) or send plain data`,
            { cause: e },
          ),
        );
        return;
      }
      (r.answers ??= new Map()).set(req, { resolve, reject });
    };
    // a task that stops waiting for the answer (a timeout, a cancel, the job's end) says so, and the
    // parent stops performing the effect (job-loop.ts): else a slow one ran on there to its end —
    // a nested job held a thread — and kept this job's later effects and outcome waiting
    const gaveUp = () => {
      // (an answer that came took its entry: nothing to say; one that could not be sent has none,
      // and may be the job's first: no map yet)
      if (req !== -1 && r.answers?.delete(req) === true)
        channel!.postMessage({ t: "drop", job: job.id, req } satisfies DropMsg);
    };
    return transferWith(
      k,
      hidden(awaitAnswer, () => new Promise(send), gaveUp),
    );
  }) as unknown as Handler;
  h.handles = (e) => forward.some((c) => e instanceof c);
  Object.defineProperty(h, "name", { value: "forwardToParent" });
  return h;
}

/**
 * The parent's answer; `gaveUp` runs when the wait ends, answered or not: a finally block, where an
 * AbortSignal listener per forwarded effect (awaitPromise's `signal`) cost 40–60 µs of CPU per
 * effect — more than the round trip — in 2,000 concurrent jobs.
 */
function* awaitAnswer(ask: () => Promise<unknown>, gaveUp: () => void): Generator<unknown, unknown, unknown> {
  try {
    return yield* awaitPromise(ask);
  } finally {
    gaveUp();
  }
}

function* refuseCancelled(effect: object): Generator<never, never, unknown> {
  const name = className(effect.constructor) || "effect";
  throw new TaskCancelledError(
    null,
    `a forwarded ${name} cannot be answered: the calling task in the parent was cancelled (its finally blocks run in the worker without the parent)`,
  );
}

function withHandlers(hs: readonly Handler[], p: Program<unknown>): Program<unknown> {
  let body: Program<unknown> = p;
  for (let i = hs.length - 1; i >= 0; i--) body = withHandler(hs[i]!, body) as unknown as Program<unknown>;
  return body;
}

/**
 * A job's run's signal and options. The spare one is reused while no job aborts it: a thread runs
 * one job at a time (piscina gives a thread its next task when the last one answered), so a job
 * makes no controller, listener or options; a job that finds it taken (never, with piscina's
 * defaults) makes its own.
 */
class Canceller {
  readonly ctl = new AbortController();
  readonly shared = new SharedSignal(this.ctl.signal);
  readonly options: RunOptions = { handlers: THREAD_HANDLERS, signal: this.ctl.signal };
  /** a job's of a parent run with trace.sites (TRACE_SITES), made when one comes */
  private traced: RunOptions | null = null;
  sites(): RunOptions {
    return (this.traced ??= { ...this.options, trace: { sites: true } });
  }
}
let spare: Canceller | null = null;

const CANCELLED = new Error("doeff/workers: the calling task was cancelled");

/** The piscina task function: one job, or a batch of them (batch.ts). */
export default function task(t: JobMsg | BatchMsg): JobReply | Promise<JobReply | null> {
  return Array.isArray(t) ? runJob(read(t as JobMsg)) : runBatch(t as BatchMsg);
}

function read(t: JobMsg): Job {
  return { id: t[0], url: t[1], name: t[2], sites: (t[3] & TRACE_SITES) !== 0, args: t.slice(4) };
}

/**
 * A batch: its jobs one at a time, in order, each claimed first (a job the parent cancelled before
 * this thread reached it is skipped), each reply sent on the batch's port as soon as it is known.
 */
async function runBatch(b: BatchMsg): Promise<null> {
  const { batch, state, port } = b;
  try {
    for (let i = 0; i < batch.length; i++) {
      if (Atomics.compareExchange(state, i, QUEUED, RUNNING) !== QUEUED) continue;
      const reply = await runJob(read(batch[i]!));
      try {
        port.postMessage({ i, reply });
      } catch (e) {
        // (reply() checked the value; this is a last resort, e.g. an error's fields)
        port.postMessage({ i, reply: { ok: false, error: toWire(e) } });
      }
      Atomics.store(state, i, REPLIED);
    }
  } finally {
    port.close();
  }
  return null;
}

/**
 * One job. Its reply comes as is, without a promise, when the job ends within its run's first slice
 * (piscina awaits whatever the task function gives): a promise and an await less per trivial job.
 */
function runJob(job: Job): JobReply | Promise<JobReply> {
  if (early.delete(job.id) || !claim(job.id)) return { ok: false, cancelled: true };
  if (setupFailed !== null) {
    const why = setupFailed instanceof Error ? setupFailed.message : String(setupFailed);
    const e = new WorkerModuleError(
      job.url,
      job.name,
      `the pool's setup module ${shortUrl(data!.setup!)} failed to load in the worker thread: ${why}. Check workers({ setup }): the absolute URL (new URL("./setup.js", import.meta.url)) of a module that loads on its own`,
      { cause: setupFailed },
    );
    return { ok: false, error: toWire(e) };
  }
  const info = modules.get(job.url);
  return info === undefined ? loadAndRun(job) : runLoaded(job, info);
}

async function loadAndRun(job: Job): Promise<JobReply> {
  let info: ModuleInfo;
  try {
    info = await load(job.url, job.name);
  } catch (e) {
    return { ok: false, error: toWire(e) };
  }
  // a cancel that arrived while the module loaded (before the job was in `running`)
  if (early.delete(job.id)) return { ok: false, cancelled: true };
  return runLoaded(job, info);
}

function runLoaded(job: Job, info: ModuleInfo): JobReply | Promise<JobReply> {
  let body: Program<unknown>;
  try {
    body = getProgram(info, job);
  } catch (e) {
    return { ok: false, error: toWire(e) };
  }
  const r: Running = { id: job.id, ctl: null, cancelled: false, answers: null, nextReq: 0 };
  let program = withHandlers(info.handlers, body);
  if (info.forward.length > 0 && channel !== null)
    program = withHandler(forwarder(info.forward, job, r), program) as unknown as Program<unknown>;
  const c = spare ?? new Canceller();
  spare = null;
  r.ctl = c.ctl;
  if (current === null) current = r;
  else running.set(job.id, r);
  // each job is a run of its own (its own store and tasks), with the scheduler and the clock; a
  // cancel aborts the run: its finally blocks run, every task it spawned is cancelled (§9.8)
  // (the checks of runAsync skipped: these handlers and this signal are known good)
  const res = driveAsync(program, job.sites ? c.sites() : c.options, c.shared);
  return res instanceof Promise ? res.then((v) => ended(job, info, r, c, v)) : ended(job, info, r, c, res);
}

function ended(job: Job, info: ModuleInfo, r: Running, c: Canceller, res: RunResult<unknown>): JobReply {
  c.shared.m = null;
  if (current === r) current = null;
  else running.delete(job.id);
  if (!c.ctl.signal.aborted) spare = c;
  // the errors the job's run kept beside its outcome go with its reply, whatever the outcome — a
  // cancelled job's too (a finally block that threw as it was aborted): the parent adds them to the
  // calling run's warnings (pool.ts). (Read only when there are some: one length check per job.)
  const ws = res.warnings.length === 0 ? null : warningsOf(res);
  if (r.cancelled && !res.ok)
    return ws === null ? { ok: false, cancelled: true } : { ok: false, cancelled: true, warnings: ws };
  if (res.ok) return ws === null ? reply(job, res.value) : withWarnings(reply(job, res.value), ws);
  const old = res.error instanceof UnhandledEffectError ? explainUnforwarded(res.error, job, info) : null;
  // the job's own doeff traceback (its program chain and tasks in this thread, which the parent's
  // report cannot see: it shows `── in worker ──` and the throw's line) goes with the error, as a
  // queue job's does: the parent's error carries it as `remoteTraceback`. Made only on failure.
  const error = toWire(res.error, jobTraceback(res, old));
  return ws === null ? { ok: false, error } : { ok: false, error, warnings: ws };
}

/** `rep` (reply's answer) with the job's warnings: a bare value is wrapped to carry them */
function withWarnings(rep: JobReply, warnings: readonly WireWarning[]): JobReply {
  if (rep === null || typeof rep !== "object") return { ok: true, value: rep, warnings };
  return { ...rep, warnings };
}

/**
 * The failed job's report (never throws: a hostile error keeps its wire form without one). `old`:
 * the message explainUnforwarded replaced — the report, made when the run ended, still ends with it
 * (advice to install a handler the parent has), so its error line gets the new one too.
 */
function jobTraceback(res: RunResult<unknown>, old: string | null): string | undefined {
  try {
    const report = res.format();
    if (old === null) return report;
    const was = printable(old);
    const at = report.lastIndexOf(was);
    if (at === -1) return report;
    return report.slice(0, at) + printable((res.error as Error).message) + report.slice(at + was.length);
  } catch {
    return undefined;
  }
}

const THREAD_HANDLERS = [scheduler, realTime] as const;

/** errors the parent answered forwarded effects with (their message is the parent's) */
const fromParent = new WeakSet<object>();

/**
 * An effect the job performed that nothing in the worker takes: the message said to add its handler
 * to "the run's handlers" — the parent's, which already had it. The fix is in the job's module.
 */
function explainUnforwarded(e: UnhandledEffectError, job: Job, info: ModuleInfo): string | null {
  try {
    // (a forwarded one that the parent did not take comes back with the parent's own message)
    if (fromParent.has(e) || info.forward.some((c) => e.effect instanceof c)) return null;
    const name = className((e.effect as object).constructor) || "the effect";
    const msg = `no handler in the worker takes ${name} (job ${shortUrl(job.url)}#${job.name}): an effect performed in a worker reaches the parent's handlers only when its class is in the module's \`export const forward = [${name}, …]\`; or handle it in the worker: \`export const handlers = [...]\``;
    const old = e.message;
    e.message = msg;
    if (typeof e.stack === "string") e.stack = e.stack.replace(old, msg);
    return old;
  } catch {
    return null; // (the original message stays)
  }
}

/** a job's value, unless it cannot be sent to the parent */
function reply(job: Job, value: unknown): JobReply {
  const bad = uncloneable(value);
  if (bad === null)
    return value === null || typeof value !== "object"
      ? (value as JobReply)
      : { ok: true, value: encodeValue(value) };
  const e = new TypeError(
    bad === TOO_DEEP
      ? `${shortUrl(job.url)}#${job.name} returned a value that cannot be sent back to the parent thread: ${TOO_DEEP}; flatten it (its levels as an array, or as records that name their parent by id) and rebuild the nesting in the parent`
      : `${shortUrl(job.url)}#${job.name} returned a value that cannot be sent back to the parent thread (${bad}); return structured-cloneable data (no functions, no class instances: return plain data and rebuild the instance in the parent)`,
  );
  return { ok: false, error: toWire(e) };
}
