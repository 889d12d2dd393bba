/** Jobs for bench/scale/run.ts (doeff side). */
import { fn } from "../../src/index.js";

function fibOf(n: number): number {
  return n < 2 ? n : fibOf(n - 1) + fibOf(n - 2);
}

export const fib = fn(function* fib(n: number) {
  return fibOf(n);
});

export const noop = fn(function* noop(x: number) {
  return x;
});
