import { run, runAsync, fn, handle, transferWith, awaitPromise, Effect, scheduler } from "../src/index.ts";
class Fetch extends Effect<string> { constructor(readonly url: string) { super(); } }
const fetchIt = (url: string) => new Fetch(url);
const h = handle(Fetch, function* httpHandler(e, k) { return yield* transferWith(k, awaitPromise(() => Promise.reject(new Error("boom " + e.url)))); });
const main = fn(function* main() { const a: string = yield* fetchIt("x"); return a; });
const r = await runAsync(main(), { handlers: [scheduler, h], trace: { sites: true } });
console.log(r.format());
const getJson = fn(function* getJson(url: string) { return yield* awaitPromise(() => Promise.reject(new Error("boom2 " + url))); });
const h2 = handle(Fetch, function* httpHandler(e, k) { return yield* transferWith(k, getJson(e.url)); });
const r2 = await runAsync(main(), { handlers: [scheduler, h2], trace: { sites: true } });
console.log(r2.format());
