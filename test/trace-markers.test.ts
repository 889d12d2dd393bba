/**
 * SEMANTICS §8.8: the failing effect's line lists the handlers it visited, a handler that delegated
 * it marked `⇆` (conformance audit: the line showed only the delegated perform's visits, from the
 * delegating handler outward, and no `⇆` ever appeared).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  Ask,
  answer,
  ask,
  delegate,
  Effect,
  fn,
  handle,
  pass,
  reader,
  resume,
  run,
  state,
  transfer,
  transferWith,
} from "../src/index.js";
import { record } from "../src/testing/index.js";

class Ping extends Effect<number> {
  declare readonly _tag: "Ping";
}
class Pong extends Effect<number> {
  declare readonly _tag: "Pong";
}
class Other extends Effect<number> {
  declare readonly _tag: "Other";
}

const main = fn(function* main() {
  return yield* new Ping();
});
const delegator = handle(Ping, function* delegator(_e, k) {
  return yield* resume(k, yield* delegate<number>());
});
const passer = handle(Ping, function* passer() {
  return yield* pass();
});

/** The report's lines, without the `thrown at` line (a file:line of this file). */
const report = (r: { format(): string }) =>
  r
    .format()
    .split("\n")
    .filter((l) => !l.startsWith("  thrown at "));

test("§8.8 a handler that delegated the failing effect is marked ⇆ before the handler that threw", () => {
  const thrower = handle(Ping, function* thrower() {
    throw new Error("outer threw");
  });
  assert.deepEqual(report(run(main(), { handlers: [thrower, delegator] })), [
    "doeff traceback (outermost first):",
    "  main",
    "  handler delegator for Ping()",
    "  handler thrower for Ping() ✗",
    "  effect Ping(): delegator ⇆, thrower ✗",
    "Error: outer threw",
  ]);
});

test("§8.8 a delegated effect no handler outside takes: the handlers inside the delegator (↗), the delegator (⇆), those outside (↗)", () => {
  const other = handle(Other, function* other(_e, k) {
    return yield* resume(k, 0);
  });
  const lines = report(run(main(), { handlers: [other, delegator, passer] }));
  assert.deepEqual(lines.slice(0, 4), [
    "doeff traceback (outermost first):",
    "  main",
    "  handler delegator for Ping() ✗",
    "  effect Ping(): passer ↗, delegator ⇆, other ↗",
  ]);
  assert.match(
    lines[4]!,
    /^UnhandledEffectError: no handler takes Ping \(delegated by handler function delegator; none outside it takes it\)/,
  );
});

test("§8.8 a substitute effect given to delegate is a perform of its own: its line has no ⇆", () => {
  const substitute = handle(Ping, function* substitute(_e, k) {
    return yield* resume(k, yield* delegate(new Pong()));
  });
  const pongThrower = handle(Pong, function* pongThrower() {
    throw new Error("pong threw");
  });
  assert.deepEqual(report(run(main(), { handlers: [pongThrower, substitute] })), [
    "doeff traceback (outermost first):",
    "  main",
    "  handler substitute for Ping()",
    "  handler pongThrower for Pong() ✗",
    "  effect Pong(): pongThrower ✗",
    "Error: pong threw",
  ]);
});

test("§8.8 record() (a quiet handler delegating every effect) stays out of the line; the handlers inside it are still listed", () => {
  const asker = fn(function* asker() {
    return yield* ask("missing");
  });
  const askPasser = handle(Ask, function* askPasser() {
    return yield* pass();
  });
  const without = report(run(asker(), { handlers: [state, reader, askPasser] }));
  const withRecord = report(run(asker(), { handlers: [state, reader, record(), askPasser] }));
  assert.equal(without[2], '  effect Ask("missing"): askPasser ↗, reader ✗, state ·');
  assert.deepEqual(withRecord, without);
});

// A decorator handler (a cache, a validator) delegates, gets the answer, then throws: the handler
// that answered was reached. The line said `·` (not reached) for it.
const checker = handle(Ping, function* checker() {
  const v = yield* delegate<number>();
  throw new Error(`bad answer ${v}`);
});

test("§8.8 a handler that throws after its delegated effect was answered: the answering handler is ⇢ when it transferred", () => {
  const transferer = handle(Ping, function* transferer(_e, k) {
    return yield* transfer(k, 7);
  });
  const other = handle(Other, function* other(_e, k) {
    return yield* resume(k, 0);
  });
  assert.deepEqual(report(run(main(), { handlers: [other, transferer, checker] })), [
    "doeff traceback (outermost first):",
    "  main",
    "  handler checker for Ping() ✗",
    "  effect Ping(): checker ✗, transferer ⇢, other ·",
    "Error: bad answer 7",
  ]);
  // answered by a fast path (answer(): a transfer by definition) — the same mark
  assert.deepEqual(
    report(run(main(), { handlers: [answer(Ping, () => 8), checker] }))[3],
    "  effect Ping(): checker ✗, answer(Ping) ⇢",
  );
});

test("§8.8 a handler that throws after its delegated effect was answered: ✓ when the answering handler resumed (it is still live); handlers passed on the way are ↗", () => {
  const resumer = handle(Ping, function* resumer(_e, k) {
    return yield* resume(k, 9);
  });
  const otherPasser = handle(Ping, function* otherPasser() {
    return yield* pass();
  });
  assert.deepEqual(report(run(main(), { handlers: [resumer, otherPasser, checker] })), [
    "doeff traceback (outermost first):",
    "  handler resumer for Ping() ✓",
    "  main",
    "  handler checker for Ping() ✗",
    "  effect Ping(): checker ✗, otherPasser ↗, resumer ✓",
    "Error: bad answer 9",
  ]);
});

// (review: the taker of another effect the handler delegated was marked as answering this one)
test("§8.8 a handler that delegated another effect (a lookup), then threw: the taker of that one is not marked for this one", () => {
  const other = handle(Other, function* other(_e, k) {
    return yield* resume(k, 3);
  });
  const transferer = handle(Ping, function* transferer(_e, k) {
    return yield* transfer(k, 7);
  });
  const limited = handle(Ping, function* limited() {
    const limit = yield* delegate(new Other());
    throw new Error(`over the limit ${limit}`);
  });
  assert.deepEqual(report(run(main(), { handlers: [transferer, other, limited] })), [
    "doeff traceback (outermost first):",
    "  handler other for Other() ✓",
    "  main",
    "  handler limited for Ping() ✗",
    "  effect Ping(): limited ✗, other ·, transferer ·",
    "Error: over the limit 3",
  ]);
  // its own effect delegated first, then another: the one that answered its own is still ⇢
  const both = handle(Ping, function* both() {
    const v = yield* delegate<number>();
    const limit = yield* delegate(new Other());
    throw new Error(`${v} over the limit ${limit}`);
  });
  assert.deepEqual(report(run(main(), { handlers: [transferer, other, both] })).slice(3, 5), [
    "  handler both for Ping() ✗",
    "  effect Ping(): both ✗, other ↗, transferer ⇢",
  ]);
});

test("§8.8 a named program a handler started with transferWith: the line `handler h for Effect ⇢` sits between the performer's frame and the program's", () => {
  const lookUp = fn(function* lookUp(n: number) {
    return n + (yield* new Other());
  });
  const viaProgram = handle(Ping, function* viaProgram(_e, k) {
    return yield* transferWith(k, lookUp(1));
  });
  const otherThrower = handle(Other, function* otherThrower() {
    throw new Error("other threw");
  });
  assert.deepEqual(report(run(main(), { handlers: [otherThrower, viaProgram] })), [
    "doeff traceback (outermost first):",
    "  main",
    "  handler viaProgram for Ping() ⇢",
    "  lookUp",
    "  handler otherThrower for Other() ✗",
    "  effect Other(): viaProgram ↗, otherThrower ✗",
    "Error: other threw",
  ]);
  // an effect given to transferWith (no frame): the line above the effect's
  const viaEffect = handle(Ping, function* viaEffect(_e, k) {
    return yield* transferWith(k, new Other());
  });
  assert.deepEqual(report(run(main(), { handlers: [otherThrower, viaEffect] })), [
    "doeff traceback (outermost first):",
    "  main",
    "  handler viaEffect for Ping() ⇢",
    "  handler otherThrower for Other() ✗",
    "  effect Other(): viaEffect ↗, otherThrower ✗",
    "Error: other threw",
  ]);
  // the same effect object performed again by a program elsewhere: no ⇢ line there
  const shared = new Other();
  const viaShared = handle(Ping, function* viaShared(_e, k) {
    return yield* transferWith(k, shared);
  });
  const again = fn(function* again() {
    yield* new Ping();
  });
  const later = fn(function* later() {
    return yield* shared;
  });
  const otherOnce = handle(Other, function* otherOnce(_e, k) {
    if (count++ === 0) return yield* transfer(k, 1);
    throw new Error("second Other");
  });
  let count = 0;
  const both = fn(function* both() {
    yield* again();
    return yield* later();
  });
  assert.deepEqual(report(run(both(), { handlers: [otherOnce, viaShared] })), [
    "doeff traceback (outermost first):",
    "  both",
    "  later",
    "  handler otherOnce for Other() ✗",
    "  effect Other(): viaShared ↗, otherOnce ✗",
    "Error: second Other",
  ]);
  // the program throwing itself
  const failing = fn(function* failing() {
    throw new Error("program threw");
  });
  const viaFailing = handle(Ping, function* viaFailing(_e, k) {
    return yield* transferWith(k, failing());
  });
  assert.deepEqual(report(run(main(), { handlers: [viaFailing] })).slice(1, 4), [
    "  main",
    "  handler viaFailing for Ping() ⇢",
    "  failing",
  ]);
});
