import { runAsync, program, scheduler, realTime, wait, gather, writer, reader } from "../src/index.ts";
import { queue, enqueue, startWorker } from "../src/queue/index.ts";
import { programs } from "../test/fixtures/queue/programs.ts";
import { startRedis } from "../test/redis-server.ts";
const redis = await startRedis();
const w = await startWorker({ connection: redis.connection, name: "q1", programs, handlers: [reader, writer], env: { greeting: "Hi" }, concurrency: 4 });
const q = queue({ connection: redis.connection, name: "q1", onProgress: (id, p) => console.log("progress", p) });
const r = await runAsync(program(function* () {
  const a = yield* enqueue<number>("square", [7]);
  const b = yield* enqueue<string>("greet", ["Ada"]);
  const c = yield* enqueue<number>("steps", [4]);
  const d = yield* enqueue<number>("withdraw", [10, 20]);
  const e = yield* enqueue<string>("flaky", [], { attempts: 3 });
  return [yield* wait(a), yield* wait(b), yield* wait(c), yield* wait(e), yield* wait(d)];
}), { handlers: [scheduler, realTime, q] });
console.log(r.format(), r.error);
await q.close(); await w.close(); await redis.stop();
