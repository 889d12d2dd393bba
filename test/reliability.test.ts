/**
 * Reliability regressions (issue 15): hostile handler results, deep `local` nesting, long real-time
 * delays, non-plain env/store, and options that throw while being read.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as d from "../src/index.js";

class A extends d.Effect<unknown> {}
const onlyA = <F extends object>(f: F): F & { handles: (e: unknown) => boolean } =>
  Object.assign(f, { handles: (e: unknown) => e instanceof A });

class Boom extends Error {}
const boom = (what: string) => () => {
  throw new Boom(what);
};
const trapAll: ProxyHandler<any> = {
  get: boom("get"),
  has: boom("has"),
  getPrototypeOf: boom("getPrototypeOf"),
  ownKeys: boom("ownKeys"),
  getOwnPropertyDescriptor: boom("getOwnPropertyDescriptor"),
  apply: boom("apply"),
};

/** Hostile values: every one must be reported as a TypeError when it is not a valid result. */
const HOSTILE: readonly [string, () => unknown][] = [
  ["a Proxy whose every trap throws", () => new Proxy({}, trapAll)],
  ["a function Proxy whose every trap throws", () => new Proxy(() => 1, trapAll)],
  [
    "a revoked Proxy",
    () => {
      const r = Proxy.revocable({}, {});
      r.revoke();
      return r.proxy;
    },
  ],
  ["a Proxy whose get trap throws only", () => new Proxy({}, { get: boom("get only") })],
  ["an object whose `next` getter throws", () => Object.defineProperty({}, "next", { get: boom("next") })],
  [
    "an object whose Symbol.toStringTag getter throws",
    () => Object.defineProperty({}, Symbol.toStringTag, { get: boom("tag") }),
  ],
  ["42", () => 42],
];

/** A body performing A inside try/finally; `order` records the finally. */
function bodyA(order: string[]) {
  return d.program(function* body() {
    try {
      return yield* new A();
    } finally {
      order.push("finally");
    }
  });
}

function assertTypeErrorWithFinally(label: string, make: (order: string[]) => unknown): void {
  const order: string[] = [];
  const r = d.run(make(order) as never);
  assert.equal(r.ok, false, label);
  assert.ok(r.error instanceof TypeError, `${label}: ${String(r.error)}`);
  assert.ok(!(r.error instanceof d.VMInternalError), label);
  assert.deepEqual(order, ["finally"], label);
}

for (const [label, make] of HOSTILE) {
  test(`R3 a handler returning ${label} → TypeError, finally blocks run`, () => {
    assertTypeErrorWithFinally("plain handler", (o) => d.withHandler(onlyA(() => make()) as never, bodyA(o)));
    assertTypeErrorWithFinally("handle(A, f)", (o) =>
      d.withHandler(d.handle(A, (() => make()) as never), bodyA(o)),
    );
    assertTypeErrorWithFinally("intercept transform", (o) =>
      d.withHandler(
        onlyA((_e: unknown, k: any) => d.resume(k, 1)),
        d.intercept(bodyA(o), () => make() as never),
      ),
    );
    assertTypeErrorWithFinally("transferWith(k, v)", (o) =>
      d.withHandler(
        onlyA(function* (_e: unknown, k: any) {
          return yield* d.transferWith(k, make() as never);
        }),
        bodyA(o),
      ),
    );
  });

  test(`R3 a program function / flatMap / yield of ${label} → TypeError, finally blocks run`, () => {
    assertTypeErrorWithFinally("fn returning it", (o) =>
      d.program(function* () {
        try {
          return yield* (d.fn((() => make()) as never) as any)();
        } finally {
          o.push("finally");
        }
      }),
    );
    assertTypeErrorWithFinally("flatMap returning it", (o) =>
      d.program(function* () {
        try {
          return yield* d.pure(1).flatMap(() => make() as never);
        } finally {
          o.push("finally");
        }
      }),
    );
    assertTypeErrorWithFinally("yielding it", (o) =>
      d.program(function* () {
        try {
          return yield make() as never;
        } finally {
          o.push("finally");
        }
      }),
    );
  });
}
