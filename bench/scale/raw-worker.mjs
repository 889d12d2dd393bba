// The raw piscina baseline for bench/scale/run.ts: the same work as plain functions.
function fibOf(n) {
  return n < 2 ? n : fibOf(n - 1) + fibOf(n - 2);
}
export default function task({ fib, x }) {
  return fib === undefined ? x : fibOf(fib);
}
