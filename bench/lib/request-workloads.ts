/**
 * A run's fixed cost: an HTTP service runs each request as its own `runAsync` (examples/
 * http-service.ts), so what a short run costs to start, to set its deadline and to end is paid per
 * request. One op = one run of a route of five effects — a `tell` answered by a handler that reads
 * two `ask`s, an `ask`, a lookup effect, under `recover(timeout(…, 1000))` — with the service's
 * handlers and a fresh env per request; against Effect's `runPromise` of the same route (services
 * for the env and the lookup, a logger service, `Effect.timeout`, `catchTag`).
 */
import { Context, Effect as Fx } from "effect";
import * as doeff from "../../src/index.js";
import type { Workload } from "./harness.js";
import { SCHEDULER_NA, schedulerApi } from "./scheduler-workloads.js";

class FindUser extends doeff.Effect<{ id: string; name: string } | undefined> {
  declare readonly _tag: "FindUser";
  readonly id: string;
  constructor(id: string) {
    super();
    this.id = id;
  }
}
class NotFound extends Error {}
const users = new Map([["u1", { id: "u1", name: "Ada" }]]);

class RequestId extends Context.Service<RequestId, string>()("bench/RequestId") {}
class User extends Context.Service<User, string>()("bench/User") {}
class Users extends Context.Service<Users, { find(id: string): { id: string; name: string } | undefined }>()(
  "bench/Users",
) {}
class Log extends Context.Service<Log, { line(message: object): Fx.Effect<void, never, RequestId | User> }>()(
  "bench/Log",
) {}
class NotFoundFx {
  readonly _tag = "NotFound";
}

/** One runAsync per request: what the service's per-request CPU is made of, past the route's work. */
function shortRunAsync(): Workload {
  const w: Workload = {
    name: "short_run_async",
    op: "1 runAsync of a 5-effect route",
    ops: { full: 50_000, quick: 5_000 },
    note: "a request's run: handlers [scheduler, realTime, reader, a Tell handler, a lookup], a fresh env, a kept 1 s deadline",
    impls: {},
  };
  const api = schedulerApi();
  if (api === null) {
    w.unavailable = SCHEDULER_NA;
    return w;
  }
  // (the log lines told, each with its request's id and user: checked, so no side drops them)
  let lines = 0;
  const user = doeff.fn(function* user(id: string) {
    const found = yield* new FindUser(id);
    if (found === undefined) throw new NotFound(`no user ${id}`);
    return found;
  });
  const route = doeff.fn(function* route(id: string) {
    yield* doeff.tell({ msg: "request", id });
    const who = yield* doeff.ask<string>("user");
    return yield* doeff.recover(doeff.timeout(user(id), 1000), [NotFound, doeff.TimeoutError], (e) => ({
      id: "",
      name: `${who}: ${e.message}`,
    }));
  });
  const jsonLines = doeff.handle(doeff.Tell, function* jsonLines(_e, k) {
    const requestId = yield* doeff.ask<string>("requestId");
    const who = yield* doeff.ask<string>("user");
    lines += requestId.length + who.length > 0 ? 1 : 0;
    return yield* doeff.transfer(k, undefined);
  });
  const handlers = [
    api.scheduler,
    doeff.realTime,
    doeff.reader,
    jsonLines,
    doeff.answer(FindUser, (e) => users.get(e.id)),
  ] as const;
  const findIn = { find: (id: string) => users.get(id) };
  const log = {
    line: (_message: object) =>
      Fx.gen(function* () {
        const requestId = yield* RequestId;
        const who = yield* User;
        lines += requestId.length + who.length > 0 ? 1 : 0;
      }),
  };
  const routeFx = (id: string) =>
    Fx.gen(function* () {
      yield* (yield* Log).line({ msg: "request", id });
      const who = yield* User;
      const users = yield* Users;
      return yield* Fx.gen(function* () {
        const found = users.find(id);
        if (found === undefined) return yield* Fx.fail(new NotFoundFx());
        return found;
      }).pipe(
        Fx.timeout("1 second"),
        Fx.catch(() => Fx.succeed({ id: "", name: `${who}: not found` })),
      );
    });
  w.impls = {
    doeff: {
      note: "runAsync(route(id), { handlers, env: { requestId, user } }) per request",
      prepare: (n) => async () => {
        let found = 0;
        lines = 0;
        for (let i = 0; i < n; i++) {
          const r = await doeff.runAsync(route("u1"), {
            handlers,
            env: { requestId: `req-${i}`, user: "ada" },
          });
          if (r.ok && r.value.id === "u1") found++;
        }
        return found + lines;
      },
      check: (r, n) => r === 2 * n,
    },
    effect: {
      note: "Effect.runPromise(route(id) with the request's services provided) per request",
      prepare: (n) => async () => {
        let found = 0;
        lines = 0;
        for (let i = 0; i < n; i++) {
          const v = await Fx.runPromise(
            routeFx("u1").pipe(
              Fx.provideService(Log, log),
              Fx.provideService(Users, findIn),
              Fx.provideService(RequestId, `req-${i}`),
              Fx.provideService(User, "ada"),
            ),
          );
          if (v.id === "u1") found++;
        }
        return found + lines;
      },
      check: (r, n) => r === 2 * n,
    },
  };
  return w;
}

export function requestWorkloads(): Workload[] {
  return [shortRunAsync()];
}
