/**
 * One long-lived doeff run per worker thread: a server task takes jobs from an inbox and runs each as
 * a task of its own (with an isolated store), so a job does not pay for a fresh run and scheduler.
 * A cancel request cancels the job's task (its finally blocks run); the job's outcome is reported
 * through its `settle` callback exactly once: value, error, or cancelled.
 */
import {
  cancel,
  createExternalPromise,
  fn,
  type Program,
  realTime,
  runAsync,
  scheduler,
  spawn,
  type Task,
  wait,
} from "../index.js";

export type Outcome =
  | { readonly kind: "value"; readonly value: unknown }
  | { readonly kind: "error"; readonly error: unknown }
  | { readonly kind: "cancelled" };

type Item =
  | {
      readonly kind: "job";
      readonly id: number;
      readonly program: Program<unknown>;
      readonly settle: (o: Outcome) => void;
    }
  | { readonly kind: "cancel"; readonly id: number };

class Server {
  readonly inbox: Item[] = [];
  readonly tasks = new Map<number, Task<unknown>>();
  readonly settles = new Map<number, (o: Outcome) => void>();
  wake: (() => void) | null = null;

  push(item: Item): void {
    this.inbox.push(item);
    const w = this.wake;
    if (w !== null) {
      this.wake = null;
      w();
    }
  }
}

const runOne = fn(function* runOne(
  srv: Server,
  id: number,
  program: Program<unknown>,
  settle: (o: Outcome) => void,
) {
  let settled = false;
  try {
    const value = yield* program;
    settled = true;
    settle({ kind: "value", value });
  } catch (error) {
    settled = true;
    settle({ kind: "error", error });
  } finally {
    srv.tasks.delete(id);
    srv.settles.delete(id);
    if (!settled) settle({ kind: "cancelled" });
  }
});

const serve = fn(function* serve(srv: Server) {
  for (;;) {
    const item = srv.inbox.shift();
    if (item === undefined) {
      const next = yield* createExternalPromise<undefined>();
      srv.wake = () => next.complete(undefined);
      yield* wait(next.future);
      continue;
    }
    if (item.kind === "cancel") {
      const t = srv.tasks.get(item.id);
      if (t !== undefined) yield* cancel(t);
      continue;
    }
    const t = yield* spawn(runOne(srv, item.id, item.program, item.settle), { store: "isolated" });
    srv.tasks.set(item.id, t);
    srv.settles.set(item.id, item.settle);
  }
});

let server: Server | null = null;

function start(): Server {
  const srv = new Server();
  server = srv;
  void runAsync(serve(srv), { handlers: [scheduler, realTime] }).then((r) => {
    // the server never returns; if its run ends anyway, fail what it held and start afresh next time
    if (server === srv) server = null;
    const error = r.isErr() ? r.error : new Error("doeff worker thread: the job server stopped");
    for (const settle of srv.settles.values()) settle({ kind: "error", error });
    for (const item of srv.inbox) if (item.kind === "job") item.settle({ kind: "error", error });
  });
  return srv;
}

/** Run `program` as job `id` in this thread's server. */
export function submit(id: number, program: Program<unknown>, settle: (o: Outcome) => void): void {
  (server ?? start()).push({ kind: "job", id, program, settle });
}

/** Cancel job `id` (no-op when it is not running). */
export function cancelJob(id: number): void {
  server?.push({ kind: "cancel", id });
}
