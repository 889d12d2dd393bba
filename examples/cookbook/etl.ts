import {
  awaitPromise,
  answer,
  concurrencyLimited,
  concurrencyLimiter,
  delegate,
  Effect,
  fn,
  forEachAsync,
  handle,
  modify,
  realTime,
  retry,
  run,
  runAsync,
  scheduler,
  state,
  tell,
  timeout,
  transfer,
  writer,
} from "../../src/index.js";

interface Order {
  id: number;
  customer: number;
  amount: number;
}
interface Enriched extends Order {
  region: string;
}

// What the load needs, as effects: the handlers below say how (an API and a database here, maps in a test)
class LookUpRegion extends Effect<string> {
  declare readonly _tag: "LookUpRegion";
  static displayName = "LookUpRegion";
  readonly customer: number;
  constructor(customer: number) {
    super();
    this.customer = customer;
  }
}
class WriteBatch extends Effect<void> {
  declare readonly _tag: "WriteBatch";
  static displayName = "WriteBatch";
  readonly rows: Enriched[];
  constructor(rows: Enriched[]) {
    super();
    this.rows = rows;
  }
}

/** A CSV line to an Order, or the reason it is not one. */
function parse(line: string): Order | string {
  const [id, customer, amount] = line.split(",").map(Number);
  if (!Number.isInteger(customer) || !Number.isFinite(amount)) return `bad row ${JSON.stringify(line)}`;
  return { id: id!, customer: customer!, amount: amount! };
}

// One chunk of lines: parse, validate, enrich, write as one batch; one log entry per chunk (the
// log is kept until the run ends: an entry per row of a million-row load is a million objects)
const loadChunk = fn(function* loadChunk(lines: string[]) {
  const batch: Enriched[] = [];
  let bad = 0;
  for (const line of lines) {
    const order = parse(line);
    if (typeof order === "string") {
      bad++;
      continue;
    }
    batch.push({ ...order, region: yield* new LookUpRegion(order.customer) });
  }
  yield* new WriteBatch(batch);
  yield* modify<number>("loaded", (n = 0) => n + batch.length);
  yield* tell({ rows: batch.length, bad });
});

// The job: 4 chunks in flight; the source's next chunk is read only when a slot is free
const load = fn(function* load(chunks: AsyncIterable<string[]>) {
  yield* forEachAsync(chunks, (c) => loadChunk(c), { concurrency: 4 });
});

// ── in production: a paged source, an API behind a cache, a database ──

/** The source: 100,000 order lines in chunks of 1,000 (a file or a paged query in real life). */
async function* orders(n: number): AsyncGenerator<string[]> {
  for (let start = 0; start < n; start += 1000) {
    await new Promise((r) => setImmediate(r)); // the next page's I/O
    yield Array.from({ length: 1000 }, (_, i) =>
      (start + i) % 10_007 === 0 ? `${start + i},?,1` : `${start + i},${(start + i) % 500},${(i % 90) + 10}`,
    );
  }
}
let apiCalls = 0;
/** The region API: a few ms per call, and every 25th call is refused once with a 503. */
function regionApi(customer: number, signal: AbortSignal): Promise<string> {
  const call = ++apiCalls;
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      if (call % 25 === 0) reject(new Error("503 Service Unavailable"));
      else resolve(["eu", "us", "apac"][customer % 3]!);
    }, 2);
    signal.addEventListener("abort", () => clearTimeout(t));
  });
}
const api = concurrencyLimiter({ limit: 8 }); // at most 8 calls in flight, whoever makes them
// each call cut at 1 s and retried twice; the handler's own effects need the scheduler before it
const regionsFromApi = handle(LookUpRegion, function* (e, k) {
  const call = timeout(
    awaitPromise((signal) => regionApi(e.customer, signal)),
    1000,
  );
  return yield* transfer(k, yield* concurrencyLimited(api, retry(call, { times: 2, delay: 10 })));
});
// in front of it, a cache: a hit is answered at once, a miss asks the handler outside (delegate)
const cache = new Map<number, string>();
const cachedRegions = handle(LookUpRegion, function* (e, k) {
  const hit = cache.get(e.customer);
  if (hit !== undefined) return yield* transfer(k, hit);
  const region = (yield* delegate()) as string;
  cache.set(e.customer, region);
  return yield* transfer(k, region);
});
let written = 0;
const database = handle(WriteBatch, function* (e, k) {
  yield* awaitPromise(() => new Promise((r) => setTimeout(r, 1, (written += e.rows.length)))); // an INSERT
  return yield* transfer(k, undefined);
});

// Ctrl-C stops the load: the chunks in flight are cancelled, their API calls aborted, finally blocks run
const stop = new AbortController();
process.once("SIGINT", () => stop.abort(new Error("interrupted by SIGINT")));

const result = await runAsync(load(orders(100_000)), {
  handlers: [state, writer, scheduler, realTime, database, regionsFromApi, cachedRegions],
  store: { loaded: 0 },
  signal: stop.signal,
});
process.removeAllListeners("SIGINT");
if (!result.ok) console.error(result.format());
const bad = result.log.reduce((n: number, e) => n + (e as { bad: number }).bad, 0);
console.log(
  `loaded ${result.store.loaded} rows (${written} written), ${bad} bad, in ${result.log.length} batches`,
);
console.log(`${cache.size} customers cached`);

// ── in a test: the same chunks, synchronously, from an array, with maps for the API and the database ──

const loadAll = fn(function* loadAll(chunks: string[][]) {
  for (const c of chunks) yield* loadChunk(c);
});
const rows: Enriched[] = [];
const test = run(loadAll([["1,7,20", "2,8,x", "3,7,30"], ["4,9,10"]]), {
  handlers: [
    state,
    writer,
    answer(WriteBatch, (e) => void rows.push(...e.rows)),
    answer(LookUpRegion, (e) => (e.customer === 7 ? "eu" : "us")),
  ],
  store: { loaded: 0 },
});
console.log(test.store.loaded, JSON.stringify(test.log), rows.map((r) => `${r.id}:${r.region}`).join(" "));
