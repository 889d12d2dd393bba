/**
 * Review of two merged changes (review-r): the warning for tasks main returned before they started
 * (scheduler-unstarted.ts), and user-effect's traceback changes (an observe out of a report when an
 * outer handler's transferWith program throws; the message for a yielded Error).
 */
import assert from "node:assert/strict";
import { runInNewContext } from "node:vm";
import { test } from "node:test";
import { program, run } from "../src/index.js";

const yielding = (v: unknown) =>
  program(function* () {
    yield v as never;
  });
const yieldedMessage = (v: unknown) => (run(yielding(v)).error as TypeError).message;

test("a yielded error's message: grammatical for every class, its base class when minified, no recover hint across realms", () => {
  const hint = (name: string) =>
    `yielded an error (${name}); to fail, throw it: \`throw error\` (caught by try/catch, safe or recover(program, ${name}, f))`;
  // was "yielded a Error error", "yielded a AggregateError error"
  assert.equal(yieldedMessage(new Error("x")), hint("Error"));
  assert.equal(yieldedMessage(new AggregateError([], "x")), hint("AggregateError"));
  assert.equal(yieldedMessage(new DOMException("x", "AbortError")), hint("DOMException"));
  class UserNotFound extends Error {}
  assert.equal(yieldedMessage(new UserNotFound("x")), hint("UserNotFound"));
  // a minifier's class name (`t`), which recover would not find in the user's source: the base's
  class t extends TypeError {}
  assert.equal(yieldedMessage(new t("x")), hint("TypeError"));
  class Ot extends Error {
    static displayName = "Ot"; // named on purpose: stands
  }
  assert.equal(yieldedMessage(new Ot("x")), hint("Ot"));
  // an Error of another realm (node:vm, Jest's environment) is one too: was "yielded Error object,
  // which is not an Effect, Program or primitive"; recover's instanceof would not match it
  const foreign = "; to fail, throw it: `throw error` (caught by try/catch or safe)";
  assert.equal(
    yieldedMessage(runInNewContext("new RangeError('x')")),
    `yielded an error (RangeError)${foreign}`,
  );
  assert.equal(
    yieldedMessage(runInNewContext("class QueryFailed extends Error {}; new QueryFailed('x')")),
    `yielded an error (QueryFailed)${foreign}`,
  );
  // an object that only looks like one is not
  assert.match(yieldedMessage({ name: "Error", message: "x" }), /^yielded object, which is not an Effect/);
});
