/**
 * The traceback as data (SEMANTICS §8.8): what `RunResult.format()`, `Err.format()` and an error's
 * `doeffTrace` print, as a typed object that `JSON.stringify` writes as is — for an error tracker or
 * a JSON log, which had to split the text into lines. Built from the same Origin as the text
 * (format.ts), entry for entry, with the same folds and caps; only its module imports this one, so a
 * bundle that does not call `tracebackOf` does not carry it. Strings are the raw values (the text
 * escapes control characters; JSON's encoding does that here), bounded as the text is.
 */
import { Err, errOrigin } from "../effects/safe.js";
import type { RunWarning } from "../run/context.js";
import { RunResult } from "../run/result.js";
import { className, describe } from "../vm/brand.js";
import { abortGroups, groupLine, groupWait, taskFields } from "./abort-groups.js";
import {
  afterAnswer,
  errorName,
  cutLine,
  LINE_MAX,
  madeAt,
  shortJson,
  showEffect,
  siteOf,
} from "./format.js";
import {
  type Entry,
  fold,
  type LineFields,
  MARK_DELEGATED,
  MARK_NOT_REACHED,
  MARK_PASSED,
  MARK_RESUMED,
  MARK_THREW,
  MARK_TRANSFERRED,
} from "./entries.js";
import { type ErrorTrace, errorTraces, type Origin, type RunTrace, runTraces } from "./origin.js";

/** A place in the user's code, as a traceback names it (`file` relative to the working directory). */
export interface TraceSite {
  readonly file: string;
  readonly line: number;
  /** Given where the text report shows it: a script loaded by URL (a browser's bundle is one line). */
  readonly column?: number;
}

/** A handler's mark on a traceback line: resumed, transferred, passed, delegated, threw, not reached. */
export type TraceMarker = "✓" | "⇢" | "↗" | "⇆" | "✗" | "·";

/** A marker in words; `"running"` for a handler line with no marker (its code was still running). */
export type TraceOutcome =
  | "resumed"
  | "transferred"
  | "passed"
  | "delegated"
  | "threw"
  | "not reached"
  | "running";

/** A program frame of the chain: its name and, with `trace: { sites: true }`, where it yielded. */
export interface TraceProgram {
  readonly kind: "program";
  readonly name: string;
  readonly at?: TraceSite;
}

/** A handler invocation on the chain (`handler db for Query("…") ✗`). */
export interface TraceHandler {
  readonly kind: "handler";
  readonly name: string;
  /** the effect it was handling, in its short printable form (`Query("orders")`) */
  readonly effect: string;
  readonly marker?: TraceMarker;
  readonly outcome: TraceOutcome;
}

/**
 * A task boundary (`── in task 3 (spawned by task 1 at app.ts:9) ──`): the lines below it ran in
 * that task. The report of an aborted run folds tasks whose chains read alike into one entry.
 */
export interface TraceTask {
  readonly kind: "task";
  /** the line as the text shows it, without its `──` */
  readonly name: string;
  /** the task ids (the first 100: `count` says how many there are) */
  readonly tasks: readonly number[];
  readonly count: number;
  /** the tasks that spawned them, when not main */
  readonly spawnedBy?: readonly number[];
  /** where they were spawned, with `trace: { sites: true }` */
  readonly spawnedAt?: TraceSite;
}

/**
 * The task a doeff/workers job's forwarded effect was performed in, in the parent
 * (`── in task 1 (forwarded Fetch from worker job jobs.ts#crawl) ──`): a stand-in for the task that
 * performed `runInWorker`, which it reads as (no task id of its own). The lines below it are that
 * task's handlers performing the effect for the job, under the job's `in worker` line.
 */
export interface TraceForwarded {
  readonly kind: "forwarded";
  /** the line as the text shows it, without its `──` */
  readonly name: string;
  /** the task it stands in for, as the text names it: `"task 1"`, `"main"`, `"task 2.1"` (nested scheduler) */
  readonly caller: string;
  /** that task's id, when it is a task of the run's own scheduler (`"task 1"`: 1); absent for main */
  readonly task?: number;
  /** the forwarded effect's class (`"Fetch"`; `"effect"` for a class without a name) */
  readonly effectClass: string;
  /** the worker job that forwarded it, as its `in worker` line names it: `module#export` */
  readonly job: string;
}

/**
 * Another boundary line: a doeff/workers job's `in worker (jobs.ts#resize)`, a doeff/queue job's
 * `in queue job (images#42: resize)` (the job its failure came from), a `boundary(…)` program's.
 */
export interface TraceBoundary {
  readonly kind: "boundary";
  readonly name: string;
  /** the worker job the lines below ran in, `module#export` (`"jobs.ts#resize"`), for an `in worker` line */
  readonly job?: string;
  /** the queue of the doeff/queue job the lines below ran in (`"images"`), for an `in queue job` line */
  readonly queue?: string;
  /** that job's id (`"42"`) */
  readonly jobId?: string;
  /** the name of the program it ran (`"resize"`), when known */
  readonly program?: string;
}

/**
 * Lines left out (`… 38 more …`): the middle of a long chain, of a run of like lines (a deep
 * recursion, a handler resuming in a loop), of like handlers on an effect's line — or, with
 * `rethrows`, the places between the first and last three where the error was re-thrown.
 */
export interface TraceGap {
  readonly kind: "gap";
  readonly name: string;
  readonly skipped: number;
  readonly rethrows?: true;
}

/** What an aborted run's computation was blocked in (`wait(task 3)`), last in its chain. */
export interface TraceWait {
  readonly kind: "wait";
  readonly name: string;
  /** the ids of the tasks it waited on (the first 100 of `count`), if any */
  readonly tasks: readonly number[];
  readonly count: number;
}

/** One line of a traceback's chain. */
export type TraceEntry =
  | TraceProgram
  | TraceHandler
  | TraceTask
  | TraceForwarded
  | TraceBoundary
  | TraceGap
  | TraceWait;

/** A handler the failing effect visited, and what it did with it. */
export interface TraceVisit {
  readonly kind: "handler";
  readonly name: string;
  readonly marker?: TraceMarker;
  readonly outcome: TraceOutcome;
}

/** The failing effect (`effect Query("…"): db ✗, reader ·`). */
export interface TraceEffect {
  /** its short printable form */
  readonly text: string;
  /** its class, by its `displayName` when it has one */
  readonly class: string;
  /** the handlers it visited, innermost first; like ones folded (`TraceGap`) */
  readonly handlers: readonly (TraceVisit | TraceGap)[];
  /**
   * why `handlers` is empty: "no handlers installed", "no handler outside the handler performing
   * it"; or, beside them, that the handler which threw had answered the effect first ("answered: h
   * resumed the program, which has since ended, then threw")
   */
  readonly note?: string;
}

/**
 * An error: its report line, its class and message, what it carries beside them. An `Error`'s
 * `cause` and an AggregateError's `errors` nest, as deep and as many as the text shows them.
 */
export interface TraceError {
  /** the line the text report shows (`TypeError: fetch failed`, `thrown: {"code":42}`), cut at 10,000 characters */
  readonly text: string;
  /** an Error's class as reports name it (its class's `displayName`, else `name`) */
  readonly name?: string;
  /** an Error's message, cut at 10,000 characters */
  readonly message?: string;
  /** a thrown value that is not an Error, when it is short plain data (`{ code: 42 }`): a JSON copy */
  readonly value?: unknown;
  readonly cause?: TraceError;
  /** an AggregateError's first 10 `errors` */
  readonly errors?: readonly TraceError[];
  /** how many more `errors` there were */
  readonly moreErrors?: number;
  /** the same error as one above it (a cycle): its own cause and errors are not repeated */
  readonly cycle?: true;
  /** a doeff/workers or doeff/queue job's own traceback, text from the other side, a line each */
  readonly remoteTraceback?: readonly string[];
}

/** An error a run kept beside its outcome (`RunResult.warnings`), with where it was thrown when known. */
export interface TraceWarning {
  /** what happened, as `format()` says it (`task 2 failed and nothing waited for it`) */
  readonly where: string;
  /** a failed task's chain where it was thrown; empty for a finally block's error */
  readonly chain: readonly TraceEntry[];
  readonly effect?: TraceEffect;
  readonly thrownAt?: TraceSite;
  readonly error: TraceError;
}

/** The traceback of a failure: a run's, an `Err`'s, any error's. */
export interface FailureTraceback {
  /** `"aborted"`: a run its signal aborted (the chain is where each computation was) */
  readonly outcome: "failed" | "aborted";
  /**
   * Outermost first: the programs, handlers and tasks active where the error was thrown — or, for
   * an aborted run, main's chain and then each task's, each ending with what it was blocked in.
   * Empty for an error doeff did not see thrown.
   */
  readonly chain: readonly TraceEntry[];
  readonly effect?: TraceEffect;
  /** where user code made the error; for an aborted run, where the signal's reason was made */
  readonly thrownAt?: TraceSite;
  readonly error: TraceError;
  /**
   * a RunResult's warnings, as `format()` lists them: all of them up to 26, else the first 20 and
   * the last 5 (`moreWarnings` counts those between); empty for an Err or an error
   */
  readonly warnings: readonly TraceWarning[];
  /** how many of the run's warnings were left out between the first 20 and the last 5 (`… N more …`) */
  readonly moreWarnings?: number;
}

/** The traceback of a run that succeeded: only what it kept beside its value. */
export interface OkTraceback {
  readonly outcome: "ok";
  /** the run's warnings, as `FailureTraceback.warnings`: the first 20 and the last 5 of more than 26 */
  readonly warnings: readonly TraceWarning[];
  /** how many were left out between them, when some were */
  readonly moreWarnings?: number;
}

/** What `tracebackOf` returns: narrow with `outcome`. */
export type Traceback = FailureTraceback | OkTraceback;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const OUTCOMES: Readonly<Record<string, TraceOutcome>> = {
  [MARK_RESUMED]: "resumed",
  [MARK_TRANSFERRED]: "transferred",
  [MARK_PASSED]: "passed",
  [MARK_DELEGATED]: "delegated",
  [MARK_THREW]: "threw",
  [MARK_NOT_REACHED]: "not reached",
};

/** the most ids a task or wait entry lists (the text shows four) */
const IDS_MAX = 100;

const marked = (marker: string): { marker?: TraceMarker; outcome: TraceOutcome } =>
  marker === ""
    ? { outcome: "running" }
    : { marker: marker as TraceMarker, outcome: OUTCOMES[marker] ?? "running" };

/** `file:line` (`file:line:column` for a URL) as siteOf writes it, parsed back. */
function siteData(at: string | null): { at?: TraceSite } {
  if (at === null) return {};
  const m = (/^[a-z][\w+.-]*:\/\//i.test(at) ? /^(.*):(\d+):(\d+)$/ : /^(.*):(\d+)$/).exec(at);
  if (m === null) return {};
  return {
    at: m[3] === undefined ? { file: m[1]!, line: +m[2]! } : { file: m[1]!, line: +m[2]!, column: +m[3] },
  };
}

/** `s` cut to `max` characters as the text report cuts it (not escaped). */
const cut = (s: string, max = LINE_MAX): string => (s.length > max ? cutLine(s, max) : s);

/** A frame's text as format.ts prints it: the key of its fold (a run of identical lines). */
const frameKey = (e: Entry | undefined): string | undefined => {
  if (e?.kind !== "frame") return undefined;
  const at = siteOf(e.site);
  return at === null ? e.name : `${e.name} at ${at}`;
};

function entryData(e: Entry, origin: Origin | null): TraceEntry {
  switch (e.kind) {
    case "frame":
      return { kind: "program", name: e.name, ...siteData(siteOf(e.site)) };
    case "handler":
      return { kind: "handler", name: e.name, effect: showEffect(e.effect), ...marked(e.marker) };
    case "boundary": {
      // (another: a `boundary(…)` program's, made from no fields — named like a task's or not)
      if (e.effect === undefined) return { kind: "boundary", name: e.name };
      const t = taskFields(e);
      if (t === undefined) return fieldsData(e.name, e.effect as LineFields);
      const at = siteData(t.at).at;
      return {
        kind: "task",
        name: e.name,
        tasks: [t.id],
        count: 1,
        ...(t.by === 0 ? {} : { spawnedBy: [t.by] }),
        ...(at === undefined ? {} : { spawnedAt: at }),
      };
    }
    case "gap":
      // (fullChain's `re-thrown at N more places` line: its count is the origin's)
      return e.effect === 0 && origin !== null
        ? { kind: "gap", name: e.name, skipped: origin.outerSkipped, rethrows: true }
        : { kind: "gap", name: e.name, skipped: e.effect as number };
    case "wait": {
      const ids = (e.effect as number[] | undefined) ?? [];
      return { kind: "wait", name: e.name, tasks: ids.slice(0, IDS_MAX), count: ids.length };
    }
  }
}

/**
 * A line made from fields (entries.ts LineFields), which its entry takes as they are: a forwarded
 * effect's stand-in (`in task 1 (forwarded Fetch from worker job jobs.ts#crawl)`), a queue job's,
 * a worker job's (`in worker (jobs.ts#resize)`).
 */
function fieldsData(name: string, f: LineFields): TraceForwarded | TraceBoundary {
  if (!("standIn" in f)) return { kind: "boundary", name, ...f };
  return {
    kind: "forwarded",
    name,
    caller: f.caller,
    // (a task of the run's own scheduler: `task 1`; not main, nor `task 2.1` of a nested one)
    ...(f.task ? { task: f.task } : {}),
    effectClass: f.standIn.effectClass,
    job: f.standIn.job,
  };
}

/** A chain's entries, a run of identical program lines folded as format.ts's chainLines folds it. */
const chainData = (list: Entry[], origin: Origin | null): TraceEntry[] =>
  fold(list, frameKey).map((e) => entryData(e, origin));

function effectData(origin: Origin): TraceEffect {
  const visits = origin.visits!;
  const all: TraceVisit[] = visits.map((v) => ({
    kind: "handler",
    name: v.handler.name || "(anonymous handler)",
    ...marked(v.marker),
  }));
  // a run of like visits as first, a count and last (format.ts foldVisits)
  const handlers: (TraceVisit | TraceGap)[] = [];
  const key = (v: TraceVisit | undefined) => v && `${v.name} ${v.marker ?? ""}`;
  for (let i = 0, j = 0; i < all.length; i = ++j) {
    while (key(all[j + 1]) === key(all[i])) j++;
    if (j - i > 2)
      handlers.push(all[i]!, { kind: "gap", name: `… ${j - i - 1} more …`, skipped: j - i - 1 }, all[j]!);
    else handlers.push(...all.slice(i, j + 1));
  }
  const effect = origin.effect;
  let cls: string;
  try {
    cls =
      effect !== null && typeof effect === "object"
        ? className(effect.constructor) || "Effect"
        : describe(effect);
  } catch {
    cls = "Effect";
  }
  const out: Mutable<TraceEffect> = { text: showEffect(effect), class: cls, handlers };
  if (origin.afterAnswer !== null) out.note = afterAnswer(origin.afterAnswer);
  else if (handlers.length === 0)
    out.note = origin.chain.some((e) => e.kind === "handler")
      ? "no handler outside the handler performing it"
      : "no handlers installed";
  return out;
}

/** The error's data: its line, then what it carries (format.ts errorLines and causes). */
function errorData(error: unknown, above: unknown[] = [], cycle = false): TraceError {
  const out: Mutable<TraceError> = { text: "(an error that cannot be printed)" };
  try {
    if (error instanceof Error) {
      const name = cut(errorName(error));
      const message = cut(String(error.message));
      out.text = cut(`${errorName(error)}: ${String(error.message)}`);
      out.name = name;
      out.message = message;
      const remote: unknown = Object.hasOwn(error, "remoteTraceback")
        ? (error as { remoteTraceback?: unknown }).remoteTraceback
        : undefined;
      if (typeof remote === "string") out.remoteTraceback = remote.split("\n");
    } else {
      const json = shortJson(error);
      out.text = cut(`thrown: ${json ?? describe(error)}`);
      if (json !== null) out.value = JSON.parse(json);
    }
  } catch {
    return out; // (a message getter or a Proxy trap that throws: the placeholder, as the text)
  }
  if (cycle) {
    out.cycle = true;
    return out;
  }
  try {
    causesData(error, out, above);
  } catch {
    // (a hostile error object: what was read stays)
  }
  return out;
}

function causesData(error: unknown, out: Mutable<TraceError>, above: unknown[]): void {
  if (!(error instanceof Error) || above.length > 3) return;
  const path = [...above, error];
  const sub = (e: unknown): TraceError => errorData(e, path, path.includes(e));
  if (error instanceof AggregateError && Array.isArray(error.errors)) {
    const es = error.errors;
    const list: TraceError[] = (out.errors = []);
    for (let i = 0; i < es.length && i < 10; i++) list.push(sub(es[i]));
    if (es.length > 10) out.moreErrors = es.length - 10;
  }
  if (Object.hasOwn(error, "cause")) out.cause = sub(error.cause);
}

type Failure = Omit<FailureTraceback, "outcome" | "warnings">;

/** A failure's chain, effect, site and error (format.ts formatFailure). */
function failureData(origin: Origin | null, error: unknown): Failure {
  let chain: TraceEntry[] = [];
  let effect: TraceEffect | undefined;
  let at: TraceSite | undefined;
  try {
    if (origin !== null) {
      chain = chainData(origin.fullChain(), origin);
      if (origin.visits !== null) effect = effectData(origin);
    }
    at = siteData(madeAt(error)).at;
  } catch {
    // (a hostile value in the chain: what was read stays)
  }
  return {
    chain,
    ...(effect === undefined ? {} : { effect }),
    ...(at === undefined ? {} : { thrownAt: at }),
    error: errorData(error),
  };
}

/**
 * An aborted run's chains: main's, then each task's in the order spawned, tasks whose chains read
 * alike as one entry, each ending with what it was blocked in (abort-groups.ts abortGroups, as the text).
 */
function abortedChain(chains: Entry[][] | null): TraceEntry[] {
  if (chains === null) return [];
  const out: TraceEntry[] = [];
  const groups = abortGroups(chains, (c, wait) => {
    const entries = chainData(c, null);
    return [entries, `${JSON.stringify(entries)}\n${wait?.name}`] as const;
  });
  for (const g of groups) {
    const [l, by, at, on, wait, entries] = g;
    if (l[0] !== undefined) {
      const site = at.startsWith(" at ") ? siteData(at.slice(4)).at : undefined;
      out.push({
        kind: "task",
        name: groupLine(g),
        tasks: l.slice(0, IDS_MAX),
        count: l.length,
        ...(by[0] === undefined ? {} : { spawnedBy: by.slice(0, IDS_MAX) }),
        ...(site === undefined ? {} : { spawnedAt: site }),
      });
    }
    out.push(...entries);
    if (wait !== null)
      out.push({
        kind: "wait",
        name: groupWait(g, wait.name),
        tasks: on.slice(0, IDS_MAX),
        count: on.length,
      });
  }
  return out;
}

/** The traceback of `error`, from what its run kept for it (`rec`) if it kept anything. */
function ofError(error: unknown, rec: ErrorTrace | undefined): Omit<FailureTraceback, "warnings"> {
  if (rec?.[0]) {
    let chain: TraceEntry[] = [];
    let at: TraceSite | undefined;
    try {
      chain = abortedChain(rec[1]);
      at = siteData(madeAt(error)).at;
    } catch {
      // (as failureData)
    }
    return {
      outcome: "aborted",
      chain,
      ...(at === undefined ? {} : { thrownAt: at }),
      error: errorData(error),
    };
  }
  return { outcome: "failed", ...failureData(rec?.[1] ?? null, error) };
}

/**
 * A run's warnings as format() lists them: the first 20 and the last 5 of more than 26, and how many
 * were left out between them (a run whose 9,800 tasks failed made 6 MB of JSON before this cap).
 */
function warningsData(t: RunTrace | undefined): { warnings: TraceWarning[]; moreWarnings?: number } {
  const all: readonly RunWarning[] = t?.[2] ?? [];
  const more = all.length - 25; // (left out when more than 1: format() lists the first 20 and last 5)
  const origins = t?.[0] ?? null;
  const warnings = (more > 1 ? [...all.slice(0, 20), ...all.slice(-5)] : all).map((w) => ({
    where: w.where,
    // a warning whose chain format() shows (a failed task's, run.ts traced)
    ...(w.trace !== undefined && origins !== null
      ? failureData(origins.get(w.error), w.error)
      : { chain: [], error: errorData(w.error) }),
  }));
  return more > 1 ? { warnings, moreWarnings: more } : { warnings };
}

/**
 * The traceback as data: what `format()` prints, as a typed object that `JSON.stringify` writes
 * as is — for an error tracker or a JSON log line, without splitting the text into lines. Give it:
 * - a `RunResult`: a failed run's traceback (`outcome` `"failed"`, or `"aborted"` for a run its
 *   signal aborted), or `{ outcome: "ok" }` for a run that succeeded — with the run's `warnings`
 *   either way, each with its chain when `format()` shows one, and as many as `format()` lists:
 *   the first 20 and the last 5 of more than 26, `moreWarnings` counting those left out between
 *   (all of them are in `RunResult.warnings`);
 * - an `Err` from `safe`: the traceback `Err.format()` prints;
 * - an error a run failed with, or one of its `warnings` (what its `doeffTrace` shows: the data
 *   goes with that text — an error that failed two runs has the later one's, unless it was frozen
 *   — and the error keeps its own record only, as an `Err` does, not its run's) — any other
 *   value reads as an error doeff did not see thrown: an empty chain, and the error.
 *
 * The chain is outermost first, each entry one line of the text in the same order (runs of like
 * lines folded as there, `TraceGap`); strings are raw (not escaped), messages cut at 10,000
 * characters, causes and AggregateError `errors` capped as the text caps them. A doeff/workers or
 * doeff/queue job's error keeps the job's own traceback as `error.remoteTraceback`, a line each.
 * The text is unchanged; this is built from the same record of the failure.
 *
 * @example
 * ```ts
 * const r = yield* safe(handleRequest(req));
 * if (!r.ok) {
 *   const t = tracebackOf(r); // { outcome: "failed", chain: [{ kind: "program", name: "handleRequest" }, …], error: { … } }
 *   logger.error(JSON.stringify({ msg: "request failed", error: t.error, chain: t.chain, effect: t.effect }));
 * }
 * ```
 */
export function tracebackOf(of: Err | Error): FailureTraceback;
export function tracebackOf(of: unknown): Traceback;
export function tracebackOf(of: unknown): Traceback {
  try {
    if (of instanceof RunResult) {
      const t = runTraces.get(of);
      const warnings = warningsData(t);
      if (of.ok) return { outcome: "ok", ...warnings };
      const origins = t?.[0] ?? null;
      const rec: ErrorTrace = t?.[1]
        ? [true, origins === null ? null : origins.abortChains]
        : [false, origins === null ? null : origins.get(of.error)];
      return { ...ofError(of.error, rec), ...warnings };
    }
    if (of instanceof Err)
      return { outcome: "failed", ...failureData(errOrigin(of), of.error), warnings: [] };
    const rec =
      of !== null && (typeof of === "object" || typeof of === "function") ? errorTraces.get(of) : undefined;
    return { ...ofError(of, rec), warnings: [] };
  } catch {
    // (a revoked Proxy given, whose `instanceof` throws: never a throw from here, as format() never throws)
    return {
      outcome: "failed",
      chain: [],
      error: { text: "(an error that cannot be printed)" },
      warnings: [],
    };
  }
}
