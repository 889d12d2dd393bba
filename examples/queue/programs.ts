/** The programs a queue worker runs, by name (examples/queue/main.ts). */
import { fn } from "../../src/index.js";
import { reportProgress } from "../../src/queue/index.js";

export class InvalidRange extends Error {
  constructor(from: number, to: number) {
    super(`invalid range [${from}, ${to})`);
    this.name = "InvalidRange";
  }
}

export const programs = {
  countPrimes: fn(function* countPrimes(from: number, to: number) {
    if (!(from <= to)) throw new InvalidRange(from, to);
    let count = 0;
    const quarter = Math.max(1, Math.floor((to - from) / 4));
    for (let n = from; n < to; n++) {
      let prime = n >= 2;
      for (let d = 2; prime && d * d <= n; d++) if (n % d === 0) prime = false;
      if (prime) count++;
      if ((n - from + 1) % quarter === 0)
        yield* reportProgress(Math.round(((n - from + 1) / (to - from)) * 100));
    }
    return count;
  }),
};
