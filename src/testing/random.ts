/**
 * `seededRandom(seed)`: a small deterministic pseudo-random generator for simulation tests. The same
 * seed gives the same numbers on every run and every platform (32-bit integer arithmetic only), so a
 * failing seed replays exactly. `Math.random` cannot be seeded; a simulation that draws from it (a
 * network's drops, a node's election timeout) cannot be replayed.
 */
import { describe } from "../vm/brand.js";

/** A seeded generator; see `seededRandom`. Its methods are bound: `answer(Random, rng.next)` works. */
export interface SeededRandom {
  /** The seed it was made with (print it with a failure: `seededRandom(seed)` replays the run). */
  readonly seed: number;
  /** A float in [0, 1), like `Math.random()`. */
  next(): number;
  /** An integer in [0, n); `n` an integer ≥ 1. */
  int(n: number): number;
  /** `true` with probability `p` (0 ≤ p ≤ 1). */
  chance(p: number): boolean;
  /** One of `items` (not empty), each as likely. */
  pick<T>(items: readonly T[]): T;
}

/**
 * A deterministic generator (mulberry32) for simulation testing: answer your program's own random
 * effect with it in tests (`answer(Random, rng.next)`), and draw the simulator's choices — a
 * message dropped or delayed, a node crashed — from it too, so one seed fixes the whole run.
 *
 * @example
 * ```ts
 * const rng = seededRandom(42);
 * rng.int(6);        // the same number for seed 42, every time
 * rng.chance(0.1);   // a message dropped one time in ten
 * ```
 */
export function seededRandom(seed: number): SeededRandom {
  if (!Number.isSafeInteger(seed))
    throw new TypeError(
      `seededRandom's seed must be an integer (the loop counter of a run over many seeds), got ${describe(seed)}${Number.isInteger(seed) ? ", beyond Number.MAX_SAFE_INTEGER (2 ** 53 - 1)" : ""}`,
    );
  // (the high bits mixed in, so seeds 1 and 2 ** 32 + 1 differ)
  let a = (seed ^ Math.imul(Math.floor(seed / 2 ** 32), 0x9e3779b9)) >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => {
    if (!Number.isSafeInteger(n) || n < 1)
      throw new RangeError(
        `seededRandom's int(n) takes an integer n ≥ 1 (it answers 0 … n - 1), got ${describe(n)}${Number.isInteger(n) && n > 1 ? ", beyond Number.MAX_SAFE_INTEGER (2 ** 53 - 1)" : ""}`,
      );
    // one draw has 32 bits: past 2 ** 32 it could reach only every (n / 2 ** 32)-th integer, so a
    // second draw gives the low bits (n ≤ 2 ** 32 draws once, as before: a seed replays the same)
    return n <= 2 ** 32
      ? Math.floor(next() * n)
      : Math.floor(((Math.floor(next() * 2 ** 21) * 2 ** 32 + Math.floor(next() * 2 ** 32)) / 2 ** 53) * n);
  };
  return {
    seed,
    next,
    int,
    chance(p: number): boolean {
      if (!(p >= 0 && p <= 1))
        throw new RangeError(`seededRandom's chance(p) takes a probability 0 ≤ p ≤ 1, got ${describe(p)}`);
      return next() < p;
    },
    pick<T>(items: readonly T[]): T {
      if (!Array.isArray(items) || items.length === 0)
        throw new RangeError(
          `seededRandom's pick(items) takes a non-empty array, got ${Array.isArray(items) ? "an empty array" : describe(items)}`,
        );
      return items[int(items.length)] as T;
    },
  };
}
