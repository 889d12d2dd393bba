/**
 * The scheduler's handles (SEMANTICS §9): a `Task<T>` (from spawn) and a `Future<T>` (from
 * createPromise / createExternalPromise) are *waitables*. They are opaque: each carries a reference
 * to the record of the scheduler world that made it, which a scheduler reads with `handleRef` to
 * recognise its own handles (it passes effects about waitables it did not create). Also the shapes
 * a scheduler hands out or takes: `PromiseHandle`, `ExternalPromise`, `RaceResult`, `IdleSource`.
 * (Split from effects/scheduler.ts, which re-exports all of it, to keep each file short.)
 */
import { keepFast } from "./keep-fast.js";

declare global {
  // The part of the standard `AbortSignal` that doeff's declarations rely on. It merges with the full
  // declaration of the DOM lib or `@types/node` when the consumer has one; without either (a plain
  // `lib: ["ES2022"]` project) doeff's types still check instead of failing on an unknown name.
  interface AbortSignal {
    readonly aborted: boolean;
  }
}

/** Marker carried by scheduler handlers (SEMANTICS §9.1, §10: "a scheduler is present"). */
export const SCHEDULER: unique symbol = Symbol("doeff.scheduler");

const REF: unique symbol = Symbol("doeff.handleRef");
const TOKEN = Symbol("doeff.handleToken");
// readers of the handles' private world records (assigned by the classes' static blocks)
let refTaskRef: (t: RefTask<unknown>) => unknown;
let futureRef: (f: Future<unknown>) => unknown;

/**
 * A spawned task. Wait for it with `wait(task)`; it is not a program (yielding it is a TypeError).
 *
 * The scheduler's task record is itself the Task its spawn answers (a `TaskRecord`): no handle
 * object beside it (32 B and a constructor per task). Its fields are the scheduler's, not API: they
 * are not in the type, and `console.log`, `JSON.stringify` and `String` show the id only.
 */
export class Task<T = unknown> {
  /**
   * Phantom (type-only): the task's result type. Not optional, so it reads as exactly `T` also
   * without `exactOptionalPropertyTypes` (an optional phantom would read as `T | undefined`).
   */
  declare readonly __task: T;
  /** @internal */ declare readonly [REF]: unknown;
  /**
   * @internal its id (Task.id). `declare`d, set by the constructor: a class field here (an instance
   * initializer in the base class) made constructing a subclass — the scheduler's task record, once
   * per spawn — ~2× slower on V8 11 (a base-class field costs every derived `new` ~12 ns).
   */
  declare readonly taskId: number;
  /** @hidden Tasks are made by a scheduler (spawn); a constructed Task throws a TypeError. */
  constructor(token: symbol, id: number) {
    if (token !== TOKEN) throw new TypeError("tasks are made by the scheduler; use `yield* spawn(program)`");
    this.taskId = id;
  }
  /** Task id: 1, 2, … in spawn order within one scheduler world (main is 0). */
  get id(): number {
    return this.taskId;
  }
  get [Symbol.toStringTag](): string {
    return "doeff.Task";
  }
  toString(): string {
    return `Task(${this.taskId})`;
  }
  /** @internal `JSON.stringify(task)` shows `{}`, as when the handle was an object without fields. */
  toJSON(): object {
    return {};
  }
}
// `console.log(task)` shows its id, not the scheduler's record
Object.defineProperty(Task.prototype, Symbol.for("nodejs.util.inspect.custom"), {
  value(this: Task<unknown>) {
    return `Task { id: ${this.taskId} }`;
  },
});

/**
 * @internal for scheduler implementations: a task record that is itself the `Task` handle (its
 * spawn answers the record; `handleRef` answers it too).
 */
export abstract class TaskRecord<T = unknown> extends Task<T> {
  constructor(id: number) {
    super(TOKEN, id);
  }
}

/** A Task handle bound to a separate world record (`newTask(ref)`). */
class RefTask<T> extends Task<T> {
  readonly #ref: unknown;
  static {
    refTaskRef = (t) => t.#ref;
  }
  constructor(ref: { readonly id: number }) {
    super(TOKEN, ref.id);
    this.#ref = ref;
  }
}

/** The read side of a one-shot promise: wait for it with `wait(future)`. */
export class Future<T = unknown> {
  /** Phantom (type-only, not optional, as Task's): the value type. */
  declare readonly __future: T;
  /** @internal */ declare readonly [REF]: unknown;
  readonly #ref: unknown;
  static {
    futureRef = (f) => f.#ref;
  }
  /** @hidden Futures are made by a scheduler (createPromise / createExternalPromise); a constructed Future throws a TypeError. */
  constructor(token: symbol, ref: unknown) {
    if (token !== TOKEN)
      throw new TypeError("futures are made by the scheduler; use `yield* createPromise()`");
    this.#ref = ref;
  }
  get [Symbol.toStringTag](): string {
    return "doeff.Future";
  }
  toString(): string {
    return "Future";
  }
}

/** Task | Future: what wait / gather / race accept. */
export type Waitable<T = unknown> = Task<T> | Future<T>;
/** The value type of a waitable. */
export type WaitableValue<W> = W extends Task<infer T> ? T : W extends Future<infer T> ? T : never;

/** A one-shot promise made by `createPromise()`: complete it with completePromise / failPromise. */
export class PromiseHandle<T = unknown> {
  readonly #future: Future<T>;
  /** @hidden Promise handles are made by the scheduler (`yield* createPromise()`). */
  constructor(future: Future<T>) {
    this.#future = future;
  }
  /** Its read side: `wait(handle.future)`. */
  get future(): Future<T> {
    return this.#future;
  }
}

/** A promise completed from outside the VM (callbacks, timers, I/O); `id` is unique per run. */
export interface ExternalPromise<T = unknown> {
  readonly id: string;
  readonly future: Future<T>;
  /** Complete it (queued, applied by the scheduler in call order; ignored after the run). */
  complete(value: T): void;
  /** Fail it (queued like complete). */
  fail(error: unknown): void;
}

/**
 * The answer of `race`: the first item to finish, its argument position, and the others — typed as
 * the items given (`W`), so the tasks among them can be cancelled: `for (const t of rest) yield*
 * cancel(t)` when every item is a task.
 */
export interface RaceResult<T, W extends Waitable<unknown> = Waitable<unknown>> {
  readonly index: number;
  readonly value: T;
  readonly rest: W[];
}

/**
 * An idle source (SEMANTICS §9.2 R6): asked to make progress when every task is blocked. It may
 * complete scheduler promises through `complete` — applied at once, waking their waiters in call
 * order; `complete` answers false (and does nothing) for a promise of another scheduler world or one
 * already settled — and returns true if it completed anything.
 */
export interface IdleSource {
  progress(complete: (promise: PromiseHandle<any>, value: unknown) => boolean): boolean;
  /**
   * Optional: asked after a `progress` that completed nothing; false says nothing is pending, and
   * the scheduler drops the source until it is registered again (then it is asked at its first
   * place in the order). A source made per scope of a long run (a clock) is so not kept and asked
   * for the rest of the run: it registers again when it has work.
   */
  pending?(): boolean;
}

/**
 * @internal for scheduler implementations: make a handle bound to a world record (which has the
 * task's `id`). (Or make the record a `TaskRecord`: it is its own handle.)
 */
export function newTask<T>(ref: { readonly id: number }): Task<T> {
  return new RefTask<T>(ref);
}
/** @internal */
export function newFuture<T>(ref: unknown): Future<T> {
  return new Future<T>(TOKEN, ref);
}
/** The world record a Task / Future handle was made with (a TaskRecord: itself; undefined for anything else). */
export function handleRef(x: unknown): unknown {
  if (x instanceof Task) return x instanceof RefTask ? refTaskRef(x) : x;
  return x instanceof Future ? futureRef(x) : undefined;
}

keepFast(RefTask, Future); // (see keep-fast.ts; Task and TaskRecord are made fast by their subclasses)
