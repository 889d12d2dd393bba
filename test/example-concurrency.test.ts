/** examples/concurrency.ts runs end to end: a local HTTP server, concurrent fetches, a race-based timeout. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { test } from "node:test";

const root = fileURLToPath(new URL("..", import.meta.url));

test("§9 examples/concurrency.ts: spawn + awaitPromise + gather, race + delay timeout", () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", "examples/concurrency.ts"], {
    cwd: root,
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.equal(r.status, 0, `exit ${r.status}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  assert.deepEqual(r.stdout.trimEnd().split("\n"), [
    "gathered: alpha after 300ms | beta after 200ms | gamma after 100ms",
    // the three requests overlapped: the server finished them in reverse order of issue
    "server finished: gamma, beta, alpha",
    "with timeout 2000ms: fast after 10ms",
    "with timeout 200ms: timeout",
    "log: fetched /alpha?delay=300; fetched /beta?delay=200; fetched /gamma?delay=100; fetched /fast?delay=10",
  ]);
  assert.equal(r.stderr, "");
});
