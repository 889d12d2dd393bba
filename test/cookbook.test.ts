/** docs/concurrency.md cookbook: each recipe is examples/cookbook/<name>.ts, runs, and prints this. */
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

function runExample(file: string): string[] {
  return execFileSync(process.execPath, ["--import", "tsx", file], { cwd: root, encoding: "utf8" })
    .trimEnd()
    .split("\n");
}

const expected: Record<string, string[]> = {
  "timeout.ts": [
    "fetchReport(50) finished or cancelled",
    "fetchReport(500) finished or cancelled",
    "report after 50 ms",
    "TimeoutError: fetchReport timed out after 100 ms (it was cancelled and its finally blocks ran); raise the limit, or catch TimeoutError (safe(timeout(p, ms))) to handle it",
  ],
  "retry-backoff.ts": [
    "attempt 1 at 0 ms",
    "attempt 2 at 100 ms",
    "attempt 3 at 300 ms",
    "attempt 4 at 700 ms",
    "ok",
  ],
  "worker-pool.ts": [
    "a.png: done, bb.png: done, ccc.png: done, dddd.png: done, e.png: done, ff.png: done, ggg.png: done",
    "at most 3 at once, 180 ms in all",
  ],
  "producer-consumer.ts": [
    "0 ms: produced 1",
    "0 ms: produced 2",
    "0 ms: produced 3", // the consumer took 1 at once, then works for 100 ms: 2 and 3 fill the buffer
    "100 ms: consumed 1",
    "100 ms: produced 4",
    "200 ms: consumed 2",
    "200 ms: produced 5",
    "300 ms: consumed 3",
    "400 ms: consumed 4",
    "500 ms: consumed 5",
    "15",
  ],
};

const doc = readFileSync(`${root}docs/concurrency.md`, "utf8");

for (const [name, lines] of Object.entries(expected)) {
  test(`cookbook ${name}: runs and prints what the docs say`, () => {
    assert.deepEqual(runExample(`examples/cookbook/${name}`), lines);
  });
  test(`cookbook ${name}: docs/concurrency.md shows exactly this file`, () => {
    const src = readFileSync(`${root}examples/cookbook/${name}`, "utf8").replaceAll(
      '"../../src/index.js"',
      '"doeff"',
    );
    const marker = `<!-- example: examples/cookbook/${name} -->\n\`\`\`ts\n`;
    const at = doc.indexOf(marker);
    assert.ok(at >= 0, `docs/concurrency.md has a block for ${name}`);
    const body = doc.slice(at + marker.length, doc.indexOf("```\n", at + marker.length));
    assert.equal(body, src);
  });
}

test("cookbook cancel-on-signal.ts: SIGINT aborts the run; every finally block runs", async () => {
  const child = spawn(process.execPath, ["--import", "tsx", "examples/cookbook/cancel-on-signal.ts"], {
    cwd: root,
  });
  let out = "";
  let sent = false;
  const guard = setTimeout(() => child.kill("SIGKILL"), 30_000); // fail rather than hang
  const code = await new Promise<number | null>((resolve, reject) => {
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (d: string) => {
      out += d;
      if (!sent && out.includes("working")) {
        sent = true;
        setTimeout(() => child.kill("SIGINT"), 120); // let the workers run a few rounds
      }
    });
    child.on("exit", (c) => resolve(c));
    child.on("error", reject);
  });
  clearTimeout(guard);
  assert.equal(code, 0);
  assert.deepEqual(out.trimEnd().split("\n"), [
    "working; press Ctrl-C to stop",
    "worker 1 stopped",
    "worker 2 stopped",
    "cleaned up",
    "stopped: interrupted by SIGINT",
  ]);
});

test("cookbook cancel-on-signal.ts: docs/concurrency.md shows exactly this file", () => {
  const src = readFileSync(`${root}examples/cookbook/cancel-on-signal.ts`, "utf8").replaceAll(
    '"../../src/index.js"',
    '"doeff"',
  );
  const marker = "<!-- example: examples/cookbook/cancel-on-signal.ts -->\n```ts\n";
  const at = doc.indexOf(marker);
  assert.ok(at >= 0);
  assert.equal(doc.slice(at + marker.length, doc.indexOf("```\n", at + marker.length)), src);
});
