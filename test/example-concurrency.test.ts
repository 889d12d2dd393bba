/**
 * examples/concurrency.ts runs end to end: 50 requests to a local HTTP server with at most 5 in
 * flight, a timeout, a retry, and cancellation on failure; the server's counts are asserted.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

test("§9.8 examples/concurrency.ts: forEach + concurrency, timeout, retry, cancellation on failure", () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", "examples/concurrency.ts"], {
    cwd: root,
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.equal(r.status, 0, `exit ${r.status}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  assert.deepEqual(r.stdout.trimEnd().split("\n"), [
    "fetched 50 items: item 1 … item 50",
    "at most 5 in flight: server saw a peak of 5",
    // item 7 answered 503 once, item 13 hung once: its request was aborted by the timeout
    "requests: 52 (50 + a 503 and a timeout retried), aborted: 1",
    "then: HttpError: GET /missing → 404",
    "requests: 5, aborted when the failure cancelled the rest: 4",
  ]);
  assert.equal(r.stderr, "");
});
