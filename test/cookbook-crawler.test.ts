/**
 * examples/cookbook/crawler.ts tested as its docs say a user would: on a virtual clock, the fake
 * web or a mock answering Fetch, exact times for each page, what was fetched (record,
 * expectEffects), maxPages and an AbortSignal stopping the crawl with the fetches in flight cancelled.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { answer, DeadlockError, delay, fn, spawn } from "../src/index.js";
import { expectEffects, mock, record, virtualClock } from "../src/testing/index.js";
import {
  crawl,
  Fetch,
  Found,
  fakeWeb,
  NotFound,
  options,
  type Result,
  web,
} from "../examples/cookbook/crawler.js";

const root = new URL("..", import.meta.url).pathname;
const start = "https://a.test/";

/** Found as a stream into an array, in the order reported. */
function collect() {
  const results: Result[] = [];
  return { results, handler: answer(Found, (e) => void results.push(e.result)) };
}

test("crawler: per-host turns 100 ms apart, 2 in flight, a 503 retried 100 ms later, a 404 not retried, a slow page timed out three times", () => {
  const clock = virtualClock();
  const found = collect();
  const r = clock.run(crawl(start, options), { handlers: [fakeWeb(web), found.handler] });
  assert.ok(r.ok, r.format());
  assert.deepEqual(
    r.value.pages.map((p) => [p.url, p.at, p.attempts, p.error ?? p.links]),
    [
      ["https://a.test/", 50, 1, 3],
      ["https://a.test/2", 220, 1, 1], // a.test's second turn: 200
      ["https://b.test/", 230, 1, 1], // waited for a slot: a.test/2's, at 220
      ["https://a.test/1", 330, 2, 2], // 503 at 130; retried at 230, its host's turn at 300
      ["https://a.test/gone", 410, 1, "NotFound: 404 https://a.test/gone"],
      ["https://b.test/slow", 3630, 3, "timed out (1000 ms)"], // 330 + 1000 + 100 + 1000 + 200 + 1000
    ],
  );
  assert.deepEqual(found.results, r.value.pages); // each streamed as it completed
  assert.deepEqual([r.value.stopped, r.value.at, clock.now], ["done", 3630, 3630]);
});

test("crawler: maxPages returns at once and cancels the fetch in flight, which record shows never answered", () => {
  const clock = virtualClock();
  const fetches = record(Fetch);
  const r = clock.run(crawl(start, { ...options, maxPages: 5 }), {
    handlers: [fakeWeb(web), collect().handler, fetches],
  });
  assert.ok(r.ok, r.format());
  assert.deepEqual([r.value.stopped, r.value.pages.length, r.value.at], ["maxPages", 5, 410]);
  assert.deepEqual(
    fetches.entries.map((e) => [e.effect.url, e.status]),
    [
      ["https://a.test/", "answered"],
      ["https://a.test/1", "threw"],
      ["https://a.test/2", "answered"],
      ["https://b.test/", "answered"],
      ["https://a.test/1", "answered"],
      ["https://b.test/slow", "pending"], // cancelled at 410 by scoped's end
      ["https://a.test/gone", "threw"],
    ],
  );
});

test("crawler: an AbortSignal stops the crawl; the report keeps the pages found before it", () => {
  const clock = virtualClock();
  const stop = new AbortController();
  const main = fn(function* main() {
    yield* spawn(
      fn(function* user() {
        yield* delay(300);
        stop.abort(new Error("enough"));
      })(),
    );
    return yield* crawl(start, { ...options, signal: stop.signal });
  });
  const r = clock.run(main(), { handlers: [fakeWeb(web), collect().handler] });
  assert.ok(r.ok, r.format());
  assert.equal(r.value.stopped, "aborted");
  assert.deepEqual(
    r.value.pages.map((p) => p.url),
    ["https://a.test/", "https://a.test/2", "https://b.test/"],
  );
  assert.equal(r.value.at, 300);
  assert.deepEqual(r.warnings, []);
});

test("crawler: expectEffects with a mock web: each URL fetched once, in order, a 404 not retried", () => {
  const links: Record<string, string[]> = {
    "https://x.test/": ["https://x.test/a", "https://x.test/b"],
    "https://x.test/a": ["https://x.test/", "https://x.test/b"],
  };
  const fetch = mock(Fetch, (e) => {
    const found = links[e.url];
    if (found === undefined) throw new NotFound(`404 ${e.url}`);
    return { url: e.url, links: found };
  });
  const clock = virtualClock();
  const r = expectEffects(
    crawl("https://x.test/", options),
    [new Fetch("https://x.test/"), new Fetch("https://x.test/a"), new Fetch("https://x.test/b")],
    // `only`: the scheduler's and the clock's effects that timeout, retry and the limiters perform are left out
    { handlers: [...clock.handlers, fetch, mock(Found, undefined)], only: Fetch },
  );
  // the mock takes no time: x.test's turns, 100 ms apart, are the timeline
  assert.deepEqual(
    r.value.pages.map((p) => [p.url, p.at, p.error ?? p.links]),
    [
      ["https://x.test/", 0, 2],
      ["https://x.test/a", 100, 2],
      ["https://x.test/b", 200, "NotFound: 404 https://x.test/b"],
    ],
  );
  assert.equal(fetch.calls.length, 3);
});

test("crawler: a link that is not a URL fails its task; the loop waits for ever: a DeadlockError that says where, the TypeError on warnings", () => {
  const clock = virtualClock();
  const bad = new Map([["https://a.test/", { links: ["not a url"], ms: 5 }]]);
  const r = clock.run(crawl(start, options), { handlers: [fakeWeb(bad), collect().handler] });
  assert.ok(r.error instanceof DeadlockError);
  assert.match(
    r.error.message,
    / Where they wait: main in crawl > scoped > loop, blocked in receive\(…\)\. Thrown where main blocked last$/,
  );
  assert.deepEqual(r.warnings.map(String), ["TypeError: Invalid URL"]);
});

test("cookbook crawler.ts: the file is under 200 lines", () => {
  assert.ok(readFileSync(`${root}examples/cookbook/crawler.ts`, "utf8").split("\n").length < 200);
});
