/** I. Writer and listen (SEMANTICS §7.5). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Err, listen, run, safe, tell, writer } from "../src/index.js";
import { P } from "./helpers.js";

test("I1 tell appends in order", () => {
  const r = run(
    P(function* () {
      yield* tell("Starting");
      yield* tell("Processing");
      yield* tell("Done");
      return "completed";
    }),
    { handlers: [writer] },
  );
  assert.equal(r.value, "completed");
  assert.deepEqual(r.log, ["Starting", "Processing", "Done"]);
});

test("I2 tell of an array is one entry (not flattened); tell answers undefined", () => {
  const entry = [1, 2];
  const r = run(
    P(function* () {
      return yield* tell(entry);
    }),
    { handlers: [writer] },
  );
  assert.equal(r.ok, true);
  assert.equal(r.value, undefined);
  assert.deepEqual(r.log, [[1, 2]]);
  assert.equal(r.log.length, 1);
  assert.equal(r.log[0], entry); // appended unchanged
});

test("I3 listen captures the entries its program appends; the log keeps them", () => {
  const r = run(
    P(function* () {
      yield* tell("a");
      const x = yield* listen(
        P(function* () {
          yield* tell("b");
          yield* tell("c");
          return 1;
        }),
      );
      yield* tell("d");
      return x;
    }),
    { handlers: [writer] },
  );
  assert.deepEqual(r.value, { value: 1, log: ["b", "c"] });
  assert.deepEqual(r.log, ["a", "b", "c", "d"]);
});

test("I4 nested listens each see their own slice; the outer sees all", () => {
  const r = run(
    listen(
      P(function* () {
        yield* tell("x");
        const inner = yield* listen(
          P(function* () {
            yield* tell("y");
            return 0;
          }),
        );
        yield* tell("z");
        return inner.log;
      }),
    ),
    { handlers: [writer] },
  );
  assert.deepEqual(r.value, { value: ["y"], log: ["x", "y", "z"] });
  assert.deepEqual(r.log, ["x", "y", "z"]);
});

test("I5 listen whose program throws: error propagates, entries stay in the log", () => {
  const r = run(
    safe(
      listen(
        P(function* () {
          yield* tell("p");
          throw new Error("e");
        }),
      ),
    ),
    { handlers: [writer] },
  );
  assert.equal(r.ok, true);
  const res = r.value;
  assert.equal(res.isErr(), true);
  assert.ok(res.error instanceof Error);
  assert.equal((res.error as Error).message, "e");
  assert.deepEqual(r.log, ["p"]);
});

test("I6 listen(safe(...)) captures the log of the failed program", () => {
  const r = run(
    listen(
      safe(
        P(function* () {
          yield* tell("p");
          throw new Error("e");
        }),
      ),
    ),
    { handlers: [writer] },
  );
  assert.equal(r.ok, true);
  const { value, log } = r.value;
  assert.ok(value instanceof Err);
  assert.equal(value.ok, false);
  assert.equal(value.isErr(), true);
  assert.equal((value.error as Error).message, "e");
  assert.deepEqual(log, ["p"]);
  assert.deepEqual(r.log, ["p"]);
});
