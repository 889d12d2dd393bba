/**
 * Type tests for a generic effect class (`class Fetch<T> extends Effect<T>`, one class for every
 * answer type, the caller choosing it at the perform site): `answer`, `mock` and `handle` infer the
 * class, type the effect as `Fetch<unknown>`, and take every `Fetch<T>` a program performs. Before,
 * `answer(Fetch, (f) => f.url)` and `mock(Fetch, (f) => …)` typed `f` as `AnyEffect` (or `any`) and
 * were refused with AsyncAnswerError, although the function is synchronous.
 */
import { answer, Effect, fn, type Handler, handle, run, transfer } from "../../src/index.js";
import { mock } from "../../src/testing/index.js";

interface User {
  readonly id: number;
  readonly name: string;
}
class Fetch<T> extends Effect<T> {
  declare readonly _tag: "Fetch";
  constructor(readonly url: string) {
    super();
  }
}

type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

const users: Record<string, User> = { "/users/1": { id: 1, name: "Ada" } };

const viaAnswer = answer(Fetch, (f) => users[f.url]);
expectType<Equal<typeof viaAnswer, Handler<Fetch<unknown>, never>>>();
const annotated = answer(Fetch, (f: Fetch<unknown>) => f.url);
const viaMock = mock(Fetch, (f) => users[f.url]);
expectType<Equal<(typeof viaMock.calls)[number], Fetch<unknown>>>();
const fixed = mock(Fetch, 1);
const viaHandle = handle(Fetch, (f, k) => {
  // as answer's and mock's: a Fetch of an unknown answer (it was Fetch<any> before handle took lists)
  expectType<Equal<typeof f, Fetch<unknown>>>();
  return transfer(k, users[f.url]);
});
expectType<Equal<typeof viaHandle, Handler<Fetch<unknown>, never>>>();

// @ts-expect-error -- `f` is a Fetch: it has no `path`
answer(Fetch, (f) => f.path);
// @ts-expect-error -- still synchronous only
answer(Fetch, async (f) => f.url);
// @ts-expect-error -- still synchronous only
mock(Fetch, async (f) => f.url);

const getUser = fn(function* getUser(id: number) {
  const user = yield* new Fetch<User>(`/users/${id}`);
  expectType<Equal<typeof user, User>>();
  return user.name;
});
export const r1: string | undefined = run(getUser(1), { handlers: [viaAnswer] }).value;
export const r2 = run(getUser(1), { handlers: [viaMock] });
export const r3 = run(getUser(1), { handlers: [viaHandle] });
export const r4 = run(getUser(1), { handlers: [annotated] });
export const r5 = run(getUser(1), { handlers: [fixed] });
// @ts-expect-error -- MissingHandlerError<Fetch<User>>
run(getUser(1), { handlers: [] });

// an effect answered `unknown` or `any`: the function form still types its parameter (before, the
// answer type absorbed it and `e` was implicitly `any`, so `e.nope` type-checked for `any`)
class Anything extends Effect<any> {
  declare readonly _tag: "Anything";
  constructor(readonly key: string) {
    super();
  }
}
class Opaque extends Effect<unknown> {
  declare readonly _tag: "Opaque";
  constructor(readonly key: string) {
    super();
  }
}
mock(Anything, (e) => e.key.length);
mock(Opaque, (e) => e.key.length);
mock(Anything, 1);
mock(Opaque, null);
// @ts-expect-error -- `e` is an Anything: it has no `nope`
mock(Anything, (e) => e.nope);
// @ts-expect-error -- `e` is an Opaque: it has no `nope`
mock(Opaque, (e) => e.nope);
