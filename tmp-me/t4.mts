import { runAsync, fn, scheduler, realTime, timeout, awaitPromise, all } from "../src/index.ts";
const call = (i: number) => timeout(awaitPromise(() => new Promise((r) => setTimeout(r, 1000, i))), 5000);
const main = fn(function* main() { return yield* all([call(1), call(2)]); });
const c = new AbortController();
setTimeout(() => c.abort(new Error("stop")), 50);
const r = await runAsync(main(), { handlers: [scheduler, realTime], signal: c.signal });
console.log(r.format());
