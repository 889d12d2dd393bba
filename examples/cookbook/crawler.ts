import { fileURLToPath } from "node:url";
import {
  abortable,
  answer,
  concurrencyLimited,
  concurrencyLimiter,
  createChannel,
  delay,
  Effect,
} from "../../src/index.js";
import {
  fn,
  handle,
  now,
  type RateLimiter,
  rateLimited,
  rateLimiter,
  receive,
  retry,
  run,
} from "../../src/index.js";
import {
  safe,
  scheduler,
  scoped,
  send,
  simulatedTime,
  spawn,
  TimeoutError,
  timeout,
  transferWith,
} from "../../src/index.js";

// ── The crawler's I/O, as effects: a fake web answers them below, tests with mocks ──────────────
export interface Page {
  url: string;
  links: string[];
}
/** GET a page: its links, or a Transient error (retried) or a NotFound (not). */
export class Fetch extends Effect<Page> {
  declare readonly _tag: "Fetch";
  constructor(readonly url: string) {
    super();
  }
}
/** One page's outcome, reported as soon as it is known (the handler streams it). */
export type Result = { url: string; at: number; attempts: number; links?: number; error?: string };
export class Found extends Effect<void> {
  declare readonly _tag: "Found";
  constructor(readonly result: Result) {
    super();
  }
}
export class Transient extends Error {
  override name = "Transient";
}
export class NotFound extends Error {
  override name = "NotFound";
}

export interface CrawlOptions {
  maxPages: number;
  concurrency: number; // requests in flight, every host together
  perHost: { limit: number; interval: number }; // request starts per host per interval ms
  timeoutMs: number; // per attempt, its wait for the host's turn included
  retries: number; // of a Transient error or a timeout, 100, 200, 400 ms apart
  signal?: AbortSignal; // stops the crawl; the report keeps what was found
}

// ── The crawler: a task per URL, each reporting to the main loop through a channel ──────────────
const fetchPage = fn(function* fetchPage(url: string, host: RateLimiter, o: CrawlOptions) {
  let attempts = 0;
  const attempt = fn(function* attempt() {
    attempts++;
    return yield* timeout(rateLimited(host, new Fetch(url)), o.timeoutMs);
  });
  const got = yield* safe(
    retry(attempt(), {
      times: o.retries,
      while: (e) => e instanceof Transient || e instanceof TimeoutError,
      delay: (n) => 100 * 2 ** (n - 1),
    }),
  );
  const at = yield* now();
  return got.ok
    ? { result: { url, at, attempts, links: got.value.links.length }, links: got.value.links }
    : { result: { url, at, attempts, error: failure(got.error, o.timeoutMs) }, links: [] };
});

const failure = (e: unknown, ms: number) => (e instanceof TimeoutError ? `timed out (${ms} ms)` : String(e));

export const crawl = fn(function* crawl(start: string, o: CrawlOptions) {
  const pages: Result[] = [];
  const inFlight = concurrencyLimiter({ limit: o.concurrency });
  const hosts = new Map<string, RateLimiter>(); // a limiter per host, made at its first URL
  const hostOf = (url: string) => {
    const name = new URL(url).host;
    if (!hosts.has(name)) hosts.set(name, rateLimiter(o.perHost));
    return hosts.get(name)!;
  };
  const done = yield* createChannel<{ result: Result; links: string[] }>({ capacity: Infinity });
  const seen = new Set<string>();
  const visit = fn(function* visit(url: string) {
    yield* send(done, yield* concurrencyLimited(inFlight, fetchPage(url, hostOf(url), o)));
  });
  // scoped: the fetches still going when the loop returns (maxPages, an abort) are cancelled
  const loop = scoped(
    fn(function* loop() {
      let pending = 1;
      seen.add(start);
      yield* spawn(visit(start));
      while (pending > 0) {
        const got = yield* receive(done);
        if (got.done) break; // (never closed: the tasks' results only)
        const { result, links } = got.value;
        pending--;
        pages.push(result);
        yield* new Found(result);
        if (pages.length === o.maxPages) return "maxPages" as const;
        for (const link of links.filter((l) => !seen.has(l))) {
          seen.add(link);
          pending++;
          yield* spawn(visit(link));
        }
      }
      return "done" as const;
    })(),
  );
  const ended = yield* safe(o.signal ? abortable(loop, o.signal) : loop);
  if (!ended.ok && ended.error !== o.signal?.reason) throw ended.error; // a bug
  return { pages, stopped: ended.ok ? ended.value : ("aborted" as const), at: yield* now() };
});

// ── A fake web: url → links, latency, and how many first requests fail ───────────────────────────
export type FakeWeb = Map<string, { links: string[]; ms: number; failFirst?: number }>;
export const fakeWeb = (web: FakeWeb) => {
  const hits = new Map<string, number>();
  const get = fn(function* get(url: string) {
    const page = web.get(url);
    yield* delay(page?.ms ?? 10);
    hits.set(url, (hits.get(url) ?? 0) + 1);
    if (page === undefined) throw new NotFound(`404 ${url}`);
    if (hits.get(url)! <= (page.failFirst ?? 0)) throw new Transient(`503 ${url}`);
    return { url, links: page.links };
  });
  // the fetch runs where it was performed, as a task's own work: a timeout cancels it there
  return handle(Fetch, (e, k) => transferWith(k, get(e.url)));
};

export const web: FakeWeb = new Map([
  ["https://a.test/", { links: ["https://a.test/1", "https://a.test/2", "https://b.test/"], ms: 50 }],
  ["https://a.test/1", { links: ["https://a.test/", "https://a.test/2"], ms: 30, failFirst: 1 }],
  ["https://a.test/2", { links: ["https://a.test/gone"], ms: 20 }],
  ["https://b.test/", { links: ["https://b.test/slow"], ms: 10 }],
  ["https://b.test/slow", { links: [], ms: 5000 }],
]);
export const options: CrawlOptions = {
  maxPages: 10,
  concurrency: 2,
  perHost: { limit: 1, interval: 100 },
  timeoutMs: 1000,
  retries: 2,
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // simulatedTime: the whole crawl, 3.6 s of its time, runs at once; runAsync + realTime for real
  const print = answer(Found, ({ result: r }) => {
    const what = r.error ?? `${r.links} link(s)`;
    console.log(`${String(r.at).padStart(4)} ms  ${r.url}: ${what}, attempts: ${r.attempts}`);
  });
  const r = run(crawl("https://a.test/", options), {
    handlers: [scheduler, simulatedTime(), fakeWeb(web), print],
  }).value;
  console.log(`${r.stopped}: ${r.pages.length} pages at ${r.at} ms`);
}
