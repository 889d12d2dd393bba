/** The doeff/workers and doeff/queue examples run and print what docs/workers.md and docs/queue.md show. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { redisMissing, startRedis } from "./redis-server.js";

const root = new URL("..", import.meta.url).pathname;

function runExample(file: string, env: Record<string, string> = {}): string {
  return execFileSync(process.execPath, ["--import", "tsx", file], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
}

test("examples/workers/main.ts prints the demo", () => {
  assert.equal(
    runExample("examples/workers/main.ts"),
    [
      "log:",
      "  [0, 250000): 22044 primes",
      "  [250000, 500000): 19494 primes",
      "  [500000, 750000): 18700 primes",
      "  [750000, 1000000): 18260 primes",
      "Ok: 78498",
      "doeff traceback (outermost first):",
      "  failing",
      "  ── in worker (examples/workers/jobs.ts#squareRoot) ──",
      '  effect RunInWorker("examples/workers/jobs.ts#squareRoot", [-1]): workers ✗, realTime ·, scheduler ·',
      "  thrown at examples/workers/jobs.ts:26",
      "RangeError: cannot take the square root of -1",
      '  caused by thrown: {"x":-1}',
      "",
    ].join("\n"),
  );
});

if (redisMissing) console.log(`# queue example skipped: ${redisMissing}`);

test("examples/queue/main.ts prints the demo (against a real redis-server)", {
  skip: redisMissing,
}, async () => {
  const redis = await startRedis();
  try {
    assert.equal(
      runExample("examples/queue/main.ts", { REDIS_PORT: String(redis.port) }),
      [
        "one job, with progress:",
        "  progress 25%",
        "  progress 50%",
        "  progress 75%",
        "  progress 100%",
        "  9592 primes below 100000",
        "chunks: 5133 + 4459 + 4256 + 4136 = 17984",
        "race won by the timer",
        "failed as expected: invalid range [10, 0)",
        "",
      ].join("\n"),
    );
  } finally {
    await redis.stop();
  }
});
