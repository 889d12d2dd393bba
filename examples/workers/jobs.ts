/**
 * Jobs for examples/workers/main.ts. A worker thread imports this module, calls an export with the
 * job's arguments to get a Program, and runs it. `forward` lists the effect classes a job may send
 * back to the parent (performed there, in the calling task); `handlers` (optional) are installed in
 * the worker.
 */
import { fn, Tell, tell } from "../../src/index.js";

export const forward = [Tell];

function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

/** CPU-bound: count the primes in [from, to) */
export const countPrimes = fn(function* countPrimes(from: number, to: number) {
  let count = 0;
  for (let n = from; n < to; n++) if (isPrime(n)) count++;
  yield* tell(`[${from}, ${to}): ${count} primes`); // forwarded: lands in the parent's log
  return count;
});

export const squareRoot = fn(function* squareRoot(x: number) {
  if (x < 0) throw new RangeError(`cannot take the square root of ${x}`, { cause: { x } });
  return Math.sqrt(x);
});
