import { on, once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { ask, delay, fn, forEachAsync, gather, local, program, reader, realTime } from "../../src/index.js";
import { runAsync, safe, scheduler, spawn, type Task, TimeoutError, timeout } from "../../src/index.js";

const handle = fn(function* handle(req: IncomingMessage) {
  const ms = Number(new URL(req.url ?? "/", "http://localhost").searchParams.get("ms"));
  yield* delay(ms); // stands in for the work: a query, a call to another service
  return `request ${yield* ask<number>("requestId")} took ${ms} ms`;
});

const unsent = new Set<ServerResponse>(); // every response not sent yet
function reply(res: ServerResponse, status: number, body: string): void {
  if (unsent.delete(res)) res.writeHead(status, status === 503 ? { connection: "close" } : {}).end(body);
}

let ids = 0;
const serve = fn(function* serve(req: IncomingMessage, res: ServerResponse) {
  const r = yield* safe(local({ requestId: ++ids }, timeout(handle(req), 500)));
  if (r.ok) reply(res, 200, r.value);
  else reply(res, r.error instanceof TimeoutError ? 504 : 500, String(r.error));
});

const server = createServer();
const draining = new AbortController(); // first Ctrl-C: stop accepting, finish what is in flight
const abort = new AbortController(); // second Ctrl-C: stop now
process.on("SIGINT", () => (draining.signal.aborted ? abort : draining).abort());
// always listening: the loop's listener is gone at the first Ctrl-C, before close() takes effect,
// and a kept-alive connection sends more; a request that comes while draining gets 503 at once
server.on("request", (_req, res: ServerResponse) => {
  unsent.add(res);
  if (draining.signal.aborted) reply(res, 503, "shutting down");
});

const main = program(function* () {
  const inflight = new Set<Task<void>>();
  const requests = on(server, "request", { signal: draining.signal }) as AsyncIterable<
    [IncomingMessage, ServerResponse]
  >;
  // a task per request, until the first Ctrl-C ends the loop (with an AbortError)
  yield* safe(
    forEachAsync(requests, ([req, res]) =>
      program(function* () {
        const task: Task<void> = yield* spawn(
          program(function* () {
            yield* serve(req, res);
            inflight.delete(task);
          }),
        );
        inflight.add(task);
      }),
    ),
  );
  server.close(); // no new connections
  yield* safe(timeout(gather([...inflight]), 2000)); // what still runs then is cancelled
});

server.listen(Number(process.env.PORT ?? 8080), "127.0.0.1");
await once(server, "listening");
console.log(`listening on port ${(server.address() as { port: number }).port}`);
const result = await runAsync(main, { handlers: [scheduler, realTime, reader], signal: abort.signal });
draining.abort(); // (after a second Ctrl-C, requests get 503 from now on)
if (server.listening) server.close(); // (not twice: it drops a kept-alive connection's last reply)
// a task cancelled before it started (the run aborted, or the drain timed out) ran no code: reply here
for (const res of unsent) reply(res, 503, "shutting down");
console.log(result.isOk() ? "drained" : `stopped: ${String(result.error)}`);
