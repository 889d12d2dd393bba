/**
 * docs/library-authors.md's cache library (`// cache.ts`: programs that take the caller's program,
 * over timeout, retry, forEach and a concurrency limiter; a memory handler and a TTL handler on the
 * clock), run as the page writes it: test/docs-blocks.test.ts only compiles it. The block is read
 * from the page, so what is tested is what a reader copies.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { pathToFileURL } from "node:url";
import {
  type AnyEffect,
  type AnyProgramLike,
  delay,
  fn,
  get,
  type Handler,
  now,
  type Program,
  program,
  type ResultOf,
  run,
  scheduler,
  simulatedTime,
  state,
  TimeoutError,
} from "../src/index.js";

const root = new URL("..", import.meta.url).pathname;
/** cache.ts's exports, as this file uses them (the rows open: the page's own block checks them) */
interface Cache {
  cached<P extends AnyProgramLike>(key: string, load: P): Program<ResultOf<P>, AnyEffect>;
  batchLoad<P extends AnyProgramLike>(
    keys: readonly string[],
    load: (key: string) => P,
  ): Program<ResultOf<P>[], AnyEffect>;
  memoryCache(store?: Map<string, unknown>): Handler;
  ttlCache(ttlMs: number): Handler;
  noCache: Handler;
}
let cache: Cache;
let dir = "";

before(async () => {
  const md = readFileSync(join(root, "docs/library-authors.md"), "utf8");
  const block = /```ts\n(\/\/ cache\.ts\n[\s\S]*?)```/.exec(md);
  assert.ok(block, "docs/library-authors.md has its `// cache.ts` block");
  // (inside the repository, so that tsx compiles it; doeff is the source, as docs-blocks has it)
  dir = mkdtempSync(join(root, "test", ".library-cache-"));
  const src = pathToFileURL(join(root, "src/index.ts")).href;
  writeFileSync(join(dir, "cache.ts"), block[1]!.replace(/from "doeff"/g, `from ${JSON.stringify(src)}`));
  cache = (await import(pathToFileURL(join(dir, "cache.ts")).href)) as Cache;
});
after(() => rmSync(dir, { recursive: true, force: true }));

const clock = () => simulatedTime({ start: 0 });

test("cached: a miss loads and stores, a hit does not load again", () => {
  const loaded: string[] = [];
  const load = fn(function* load(id: string) {
    loaded.push(id);
    yield* delay(10);
    return `user ${id}`;
  });
  const store = new Map<string, unknown>();
  const app = program(function* () {
    const a = yield* cache.cached("u1", load("u1"));
    const b = yield* cache.cached("u1", load("u1"));
    return [a, b, yield* now()];
  });
  const r = run(app, { handlers: [scheduler, clock(), cache.memoryCache(store)] });
  assert.deepEqual(r.value, ["user u1", "user u1", 10]);
  assert.deepEqual(loaded, ["u1"]);
  assert.deepEqual([...store], [["u1", "user u1"]]);
  // an effect given as the load (P extends AnyProgramLike), and a cache that always misses
  const n = run(cache.cached("n", get<number>("n")), {
    handlers: [scheduler, clock(), state, cache.noCache, cache.memoryCache()],
    store: { n: 7 },
  });
  assert.equal(n.value, 7);
});

test("ttlCache: an entry expires ttlMs after it was stored, on the run's clock", () => {
  let loads = 0;
  const load = fn(function* load() {
    loads++;
    yield* delay(10);
    return loads;
  });
  const app = program(function* () {
    const first = yield* cache.cached("k", load()); // a miss at 0: loaded, stored at 10
    yield* delay(89);
    const hit = yield* cache.cached("k", load()); // at 99: 89 ms old, a hit
    yield* delay(1);
    const expired = yield* cache.cached("k", load()); // at 100: 90 ms old, expired: stored at 110
    yield* delay(10);
    const again = yield* cache.cached("k", load()); // at 120: 10 ms old, a hit
    return [first, hit, expired, again, yield* now()];
  });
  const r = run(app, { handlers: [scheduler, clock(), cache.ttlCache(90)] });
  assert.deepEqual(r.value, [1, 1, 2, 2, 120]);
  assert.equal(loads, 2);
});

test("batchLoad: values in key order, at most 4 loads at once", () => {
  let running = 0;
  let most = 0;
  const load = fn(function* load(key: string) {
    running++;
    most = Math.max(most, running);
    try {
      yield* delay(10);
      return key.toUpperCase();
    } finally {
      running--;
    }
  });
  const keys = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
  const app = program(function* () {
    const values = yield* cache.batchLoad(keys, load);
    return [values, yield* now()];
  });
  const r = run(app, { handlers: [scheduler, clock(), cache.memoryCache()] });
  assert.deepEqual(r.value, [keys.map((k) => k.toUpperCase()), 30]);
  assert.equal(most, 4);
});

test("cached: a load slower than 1 s is cancelled, retried after 50 ms, and its second try kept", () => {
  const tries: number[] = [];
  const load = fn(function* load() {
    tries.push(yield* now());
    yield* delay(tries.length === 1 ? 5000 : 10);
    return tries.length;
  });
  const store = new Map<string, unknown>();
  const app = program(function* () {
    return [yield* cache.cached("slow", load()), yield* now()];
  });
  const r = run(app, { handlers: [scheduler, clock(), cache.memoryCache(store)] });
  assert.deepEqual(r.value, [2, 1060]);
  assert.deepEqual(tries, [0, 1050]);
  assert.equal(store.get("slow"), 2);
  // three tries that all time out: the last TimeoutError, nothing stored
  const never = program(function* () {
    yield* delay(5000);
    return 0;
  });
  const failed = run(cache.cached("never", never), {
    handlers: [scheduler, clock(), cache.memoryCache(store)],
  });
  assert.ok(failed.error instanceof TimeoutError);
  assert.equal(store.has("never"), false);
});
