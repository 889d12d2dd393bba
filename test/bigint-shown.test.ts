/**
 * A bigint in a message or a report is written as JavaScript writes it, `5n`: `delay expects a number
 * of milliseconds, got 5` named a number for a bigint (a database driver's BIGINT column given as a
 * delay), and a traceback said `thrown: 10` for a thrown 10n, where an ok run's report says `Ok: 10n`.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  answer,
  createSemaphore,
  delay,
  Effect,
  program,
  retry,
  run,
  timeout,
  tracebackOf,
} from "../src/index.js";

const any = (v: unknown) => v as never;

test("a bigint where a number goes: the TypeError shows it as a bigint, 5n", () => {
  const p = program(function* () {});
  assert.throws(() => delay(any(5n)), {
    name: "TypeError",
    message: "delay expects a number of milliseconds, got 5n",
  });
  assert.throws(() => timeout(p, any(5n)), {
    name: "TypeError",
    message: "timeout expects a number of milliseconds, got 5n",
  });
  assert.throws(() => retry(p, { times: any(2n) }), {
    name: "TypeError",
    message: "retry option times must be a number (retries after the first attempt), got 2n",
  });
  assert.throws(() => createSemaphore(any(2n)), {
    name: "TypeError",
    message: "createSemaphore expects a number of permits (an integer ≥ 1), got 2n",
  });
});

test("a thrown bigint, and a bigint field of the failing effect, in format() and tracebackOf", () => {
  class Pay extends Effect<undefined> {
    declare readonly _tag: "Pay";
    readonly cents: bigint;
    constructor(cents: bigint) {
      super();
      this.cents = cents;
    }
  }
  const thrown = run(
    program(function* main() {
      throw 10n;
    }),
  );
  assert.deepEqual(thrown.format().split("\n"), [
    "doeff traceback (outermost first):",
    "  main",
    "thrown: 10n",
  ]);
  const t = tracebackOf(thrown);
  assert.deepEqual(t.outcome === "failed" && t.error, { text: "thrown: 10n" });
  const declined = run(
    program(function* main() {
      yield* new Pay(700n);
    }),
    {
      handlers: [
        answer(Pay, () => {
          throw new Error("declined");
        }),
      ],
    },
  );
  assert.equal(declined.format().split("\n")[2], "  effect Pay(700n): answer(Pay) ✗");
  const d = tracebackOf(declined);
  assert.equal(d.outcome === "failed" && d.effect?.text, "Pay(700n)");
});
