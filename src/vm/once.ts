/**
 * The iterator behind `yield* effect` / `yield* program` / `yield* primitive`: yields its item once,
 * then returns the value it is resumed with. `throw(e)` rethrows and `return(v)` completes, as
 * SEMANTICS §1 requires of hand-written iterators.
 *
 * Why not a generator: V8 delegates `yield*` to this small class ~20 ns faster per effect. Why it is
 * its own result object (`next` returns `this`): `yield*` reads `done` and `value` at once, so one
 * object per `yield*` does the work of three (iterator + two results) on the hottest path there is.
 */
export class Once<T, A> {
  declare value: T | A | undefined;
  /**
   * 0 until the first `next()` (which yields the item), then false, and true once done. One field
   * for the iterator's state and the result's `done`: `yield*` reads `done` only from what `next`
   * returned (false or true), never the 0, and a second field cost 8 B per `yield*` — and per
   * pending non-tail resume, whose handler keeps its `resume`'s iterator while it waits.
   */
  declare done: boolean | 0;
  constructor(item: T) {
    this.value = item;
    this.done = 0;
  }
  next(v?: any): IteratorResult<T, A> {
    if (this.done === 0) this.done = false;
    else {
      this.value = v as A;
      this.done = true;
    }
    return this as IteratorResult<T, A>;
  }
  throw(e?: unknown): IteratorResult<T, A> {
    this.done = true;
    throw e;
  }
  return(v?: any): IteratorResult<T, A> {
    this.value = v as A;
    this.done = true;
    return this as IteratorResult<T, A>;
  }
  [Symbol.iterator](): this {
    return this;
  }
}
