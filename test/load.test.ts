/** Keeps the server load harness (scripts/load.ts) honest at a tiny size: every response correct. No timing. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { expected, inProcess, round, startServer } from "../scripts/load-lib.js";

test("load harness: 200 requests per mode over loopback, 50 in flight, every response correct", async () => {
  const server = await startServer();
  try {
    for (const mode of ["doeff", "plain"] as const) {
      const r = await round(server.port, mode, 200, 50, 1000);
      assert.deepEqual(
        { mode: r.mode, requests: r.requests, wrong: r.wrong, failed: r.failed },
        { mode, requests: 200, wrong: 0, failed: 0 },
      );
    }
  } finally {
    await server.close();
  }
});

test("load harness: the in-process answers equal the expected bodies", async () => {
  assert.equal(expected(3), JSON.stringify({ id: 3, user: "u3", total: 7, log: 2 }));
  for (const mode of ["doeff", "plain"] as const) assert.equal((await inProcess(mode, 50)).wrong, 0);
});
