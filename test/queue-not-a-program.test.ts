/**
 * doeff/queue: a program of startWorker's table that returns something other than a Program — a
 * bare generator function's generator object, an async function's Promise — fails its job at once,
 * naming what it returned and what to write instead.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fn, program, realTime, runAsync, safe, scheduler, wait } from "../src/index.js";
import { enqueue, queue, startWorker } from "../src/queue/index.js";
import { redisForFile } from "./redis-server.js";

const redis = redisForFile("queue not-a-program tests");
const { skip } = redis;

test("queue: a bare generator function or an async function in programs fails its job naming what it returned (a generator object, a Promise) and what to write", {
  skip,
  timeout: 20_000,
}, async () => {
  const name = "doeff-not-a-program";
  const programs = {
    gen: function* gen(n: number) {
      return n;
    },
    // (its promise rejects: unheard, that reached the process's unhandledRejection)
    later: async (n: number) => {
      throw new RangeError(`no ${n}`);
    },
    ok: fn(function* ok(n: number) {
      return n;
    }),
  };
  const rejections: unknown[] = [];
  const onRejection = (e: unknown): void => void rejections.push(e);
  process.on("unhandledRejection", onRejection);
  const w = await startWorker({
    connection: redis.connection,
    name,
    programs: programs as never,
    signals: false,
  });
  const q = queue({ connection: redis.connection, name });
  try {
    const r = await runAsync(
      program(function* () {
        const out = [];
        for (const p of ["gen", "later", "ok"])
          out.push(yield* safe(wait(yield* enqueue(p, [7], { attempts: 3 }))));
        return out;
      }),
      { handlers: [scheduler, realTime, q] },
    );
    assert.ok(r.isOk(), r.format());
    const [gen, later, ok] = r.value as [{ ok: false; error: Error }, { ok: false; error: Error }, unknown];
    assert.ok(gen.error instanceof TypeError, String(gen.error));
    assert.equal(
      gen.error.message,
      "programs.gen(…) returned a generator object (programs.gen is a bare generator function), not a Program; wrap it with fn: gen: fn(function* gen(…) { … }), or write gen: (…) => program(function* () { … })",
    );
    assert.ok(later.error instanceof TypeError, String(later.error));
    assert.equal(
      later.error.message,
      "programs.later(…) returned a Promise, not a Program (an async function is not a job); write it as fn(function* later(…) { … }), awaiting with yield* awaitPromise(() => promise)",
    );
    assert.equal((ok as { ok: boolean }).ok, true);
    assert.equal((ok as { value: number }).value, 7);
    // failed at once, not retried (running it again cannot help)
    const bull = await q.bullQueue;
    const made = await Promise.all(
      (await bull.getJobs(["failed"])).map(async (j) => `${j.name}: ${j.attemptsMade}`),
    );
    assert.deepEqual(made.sort(), ["gen: 1", "later: 1"]);
    await new Promise((res) => setTimeout(res, 50));
    assert.deepEqual(rejections, []);
  } finally {
    process.off("unhandledRejection", onRejection);
    await q.close();
    await w.close();
  }
});
