// user-repo.ts: the service, its errors, its handlers (the layers) and the program
import {
  awaitPromise,
  cancel,
  delay,
  Effect,
  fn,
  forEach,
  handle,
  now,
  type Program,
  program,
  recover,
  retry,
  spawn,
  timeout,
  transferWith,
  withHandler,
} from "../../src/index.js";

export interface User {
  readonly id: number;
  readonly name: string;
}

// Typed errors are error classes, told apart with instanceof (doeff does not track them in types)
export class UserNotFound extends Error {
  readonly _tag = "UserNotFound";
  constructor(readonly id: number) {
    super(`no user ${id}`);
  }
}
export class Unavailable extends Error {
  readonly _tag = "Unavailable";
  constructor(
    readonly status: number,
    options?: ErrorOptions,
  ) {
    super(`the user store answered ${status}`, options);
  }
}

// The service UserRepo: an effect per operation; its "layers" are the handlers below
export class FindUser extends Effect<User> {
  declare readonly _tag: "FindUser";
  constructor(readonly id: number) {
    super();
  }
}
// Effect.log: a line that reaches the user even from a task that is cancelled later
export class Log extends Effect<void> {
  declare readonly _tag: "Log";
  constructor(readonly line: string) {
    super();
  }
}

// ── the program ──────────────────────────────────────────────────────────────────────────────
const fetchUser = fn(function* fetchUser(id: number) {
  return yield* recover(
    retry(timeout(new FindUser(id), 1000), {
      times: 3,
      delay: (attempt) => 100 * 2 ** (attempt - 1), // Schedule.exponential("100 millis"): 100, 200, 400 ms
      while: (e) => !(e instanceof UserNotFound), // Effect.retry({ while })
    }),
    UserNotFound,
    () => undefined, // Effect.catchTag("UserNotFound", …): every other error is rethrown
  );
});

const heartbeat = fn(function* heartbeat() {
  for (;;) {
    yield* delay(250);
    yield* new Log(`still loading at ${yield* now()} ms`);
  }
});

export const loadUsers = fn(function* loadUsers(ids: readonly number[]) {
  const beat = yield* spawn(heartbeat()); // as Effect.forkChild
  try {
    const users = yield* forEach(ids, fetchUser, { concurrency: 4 });
    return users.filter((u) => u !== undefined);
  } finally {
    yield* cancel(beat); // Fiber.interrupt; in a finally, so a failure stops it too
  }
});

// ── production: the "layer" is a handler over a connection pool, opened and closed around the program
export interface Pool {
  query(id: number, signal: AbortSignal): Promise<User | undefined>;
  close(): void;
}

const query = fn(function* query(pool: Pool, id: number) {
  let row: User | undefined;
  try {
    row = yield* awaitPromise((signal) => pool.query(id, signal)); // aborted if the timeout fires
  } catch (cause) {
    throw new Unavailable(503, { cause });
  }
  if (row === undefined) throw new UserNotFound(id);
  return row;
});

/** UserRepoLive: transferWith runs the query where FindUser was performed, so its errors are thrown there. */
export const userRepo = (pool: Pool) => handle(FindUser, (e, k) => transferWith(k, query(pool, e.id)));

/** Layer.effect + acquireRelease + Effect.provide: the pool lives as long as the program it serves. */
export const withUserRepo = <A, E>(openPool: () => Promise<Pool>, body: Program<A, E>) =>
  program(function* withUserRepo() {
    const pool = yield* awaitPromise(openPool);
    try {
      return yield* withHandler(userRepo(pool), body);
    } finally {
      pool.close();
    }
  });

// ── for tests (UserRepoTest): an in-memory table, a latency, and how many queries fail first ──────
export const userRepoFake = (table: Record<number, string>, opts: { latency: number; failFirst: number }) => {
  let queries = 0;
  const find = fn(function* find(id: number) {
    const n = ++queries;
    yield* delay(opts.latency);
    if (n <= opts.failFirst) throw new Unavailable(503);
    const name = table[id];
    if (name === undefined) throw new UserNotFound(id);
    return { id, name };
  });
  return handle(FindUser, (e, k) => transferWith(k, find(e.id)));
};
