/** Checking what an iterator's next/throw/return gave (SEMANTICS §1: a broken iterator is its frame's failure). */
import { describe, isThenable } from "./brand.js";

/**
 * `r` as an iterator result, or throws (as the frame's own failure) when a broken iterator gave
 * something else: a non-object, or a Promise (an async generator slipped through).
 */
export function checked(r: unknown): IteratorResult<unknown, unknown> {
  if (r === null || typeof r !== "object") throw badResult(r);
  const res = r as IteratorResult<unknown, unknown>;
  if (res.value === undefined && !res.done && isThenable(r)) throw badResult(r);
  return res;
}

/** An iterator's next/throw/return gave something that is not an iterator result. */
function badResult(r: unknown): TypeError {
  if (isThenable(r)) {
    return new TypeError(
      "a generator returned a Promise from next(): async generators (async function*) cannot be programs or handlers; write function* and use awaitPromise",
    );
  }
  return new TypeError(
    `an iterator's next() returned ${describe(r)}, not an iterator result object { value, done }`,
  );
}
