/// <reference types="node" preserve="true" />
// (kept in the emitted .d.ts: TypeScript 6+ loads no @types by default, and this subpath is Node's)
/** What the parent and its worker threads send each other (all structured-cloneable). */
import type { MessagePort } from "node:worker_threads";
import type { WireError } from "./wire.js";

/**
 * the piscina task: one named program to run, `[id, module URL, export name, flags, ...args]` (an
 * array: ~0.4 µs less per job to clone both ways than an object with these fields); `flags`: the
 * job's run options the parent's run passes on (TRACE_SITES)
 */
export type JobMsg = readonly [id: number, url: string, name: string, flags: number, ...args: unknown[]];

/** JobMsg flag: the job's run records trace sites (the parent's run has `trace: { sites: true }`) */
export const TRACE_SITES = 1;

/** a job as the thread reads it (from its JobMsg) */
export interface Job {
  readonly id: number;
  readonly url: string;
  readonly name: string;
  /** run it with `trace: { sites: true }` */
  readonly sites: boolean;
  readonly args: readonly unknown[];
}

/**
 * the piscina task for a batch of jobs run in order on one thread; `state` holds one status word per
 * job (batch.ts: QUEUED, RUNNING, REPLIED, SKIPPED), `port` carries each job's reply as it ends
 */
export interface BatchMsg {
  readonly batch: readonly JobMsg[];
  readonly state: Int32Array;
  readonly port: MessagePort;
}

/** thread → parent on a batch's port: job `i`'s reply */
export interface BatchReply {
  readonly i: number;
  readonly reply: JobReply;
}

/**
 * An error the job's run kept beside its outcome (its `RunResult.warnings`): `where` as the job's
 * `format()` says it (`task 1 failed and nothing waited for it`), the error in wire form with the
 * worker-side doeff traceback when it has one (a failed task's).
 */
export interface WireWarning {
  readonly where: string;
  readonly error: WireError;
  /** the chain lines the job's `format()` shows under it (a failed task's: `── in task 1 ──`, …) */
  readonly trace?: string;
}

/**
 * the piscina task's result. A value that is not an object comes as itself (~0.3 µs less per job
 * to clone both ways than wrapped); an object value is wrapped, so that it is not read as a failure.
 * A job whose run kept warnings replies wrapped, whatever its outcome, with them in `warnings`.
 */
export type JobReply =
  | string
  | number
  | bigint
  | boolean
  | null
  | undefined
  | { readonly ok: true; readonly value: unknown; readonly warnings?: readonly WireWarning[] }
  | { readonly ok: false; readonly error: WireError; readonly warnings?: readonly WireWarning[] }
  | { readonly ok: false; readonly cancelled: true; readonly warnings?: readonly WireWarning[] };

/** worker → parent, on the pool's BroadcastChannel: perform this effect in the calling task */
export interface EffectMsg {
  readonly t: "eff";
  readonly job: number;
  readonly req: number;
  /** index of the effect's class in the module's `forward` list */
  readonly cls: number;
  /** the effect's own fields, Error values in wire form (wire.ts encodeFields) */
  readonly fields: Record<string, unknown>;
  /** a RunInWorker's `[moduleUrl, exportName]`, which its fields cannot carry (effect.ts targetPair) */
  readonly target?: readonly [string, string];
  /**
   * its fields keyed by registered symbols, `[Symbol.keyFor(key), value]` (value in wire form):
   * structured clone drops symbol keys; the parent re-creates them with Symbol.for (plain.ts effectFields)
   */
  readonly syms?: ReadonlyArray<readonly [string, unknown]>;
}

/** parent → worker: the answer to an EffectMsg */
export type AnswerMsg =
  | {
      readonly t: "ans";
      readonly job: number;
      readonly req: number;
      readonly ok: true;
      /** Error values in wire form (wire.ts encodeValue) */
      readonly value: unknown;
    }
  | {
      readonly t: "ans";
      readonly job: number;
      readonly req: number;
      readonly ok: false;
      readonly error: WireError;
    };

/** parent → worker: the calling task was cancelled; finalize the job */
export interface CancelMsg {
  readonly t: "cancel";
  readonly job: number;
}

/**
 * worker → parent: the job's task that forwarded effect `req` stopped waiting for its answer (a
 * timeout or a cancel in the job, the job's end): the parent stops performing it (job-loop.ts)
 */
export interface DropMsg {
  readonly t: "drop";
  readonly job: number;
  readonly req: number;
}

export type ChannelMsg = EffectMsg | AnswerMsg | CancelMsg | DropMsg;

/** the `workerData` every thread of a pool gets */
export interface PoolData {
  readonly doeffChannel: string;
  /**
   * Who had job `id` first, slot `id & CANCEL_MASK` (shared memory, written by compare-exchange on
   * both sides): `id` when a thread claimed it to run it, `-id` when the parent cancelled it before
   * any thread did (it never runs; the thread that reaches it skips it). So the parent knows,
   * without a message per job, whether a job it cancels had started: one that had not is taken off
   * the queue, with no cancel message and no grace, and its TimeoutError says it never ran. A slot
   * holding a later job's id (4096 jobs on) decides nothing: the cancel message is sent, as for a
   * started job.
   */
  readonly claims: Int32Array;
  /** a module URL each thread imports before its first job */
  readonly setup?: string;
}

/** The claims ring (PoolData.claims) has CANCEL_MASK + 1 slots. */
export const CANCEL_MASK = 4095;
