/**
 * Testing a service by swapping handlers (docs/testing.md). The service below only *performs*
 * effects; production code installs handlers that talk to a database and a mail server, and these
 * tests install doeff/testing's mocks instead: no monkey-patching, no dependency injection framework,
 * no real timers. Run with: node --import tsx --test examples/testing.ts
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Delay, delay, Effect, fn, safe, Tell, tell, writer } from "../src/index.js";
import { EffectExpectationError, expectEffects, mock, record, virtualClock } from "../src/testing/index.js";

// --- the service ---------------------------------------------------------------------------------

interface User {
  email: string;
  name: string;
}
class FindUser extends Effect<User | undefined> {
  declare readonly _tag: "FindUser";
  constructor(readonly email: string) {
    super();
  }
}
class SaveUser extends Effect<number> {
  declare readonly _tag: "SaveUser";
  constructor(readonly user: User) {
    super();
  }
}
class SendEmail extends Effect<undefined> {
  declare readonly _tag: "SendEmail";
  constructor(
    readonly to: string,
    readonly subject: string,
  ) {
    super();
  }
}

/** Sends a mail, retrying twice with a growing back-off (1 s, then 2 s). */
const sendWithRetry = fn(function* sendWithRetry(to: string, subject: string) {
  for (let attempt = 1; ; attempt++) {
    const sent = yield* safe(new SendEmail(to, subject));
    if (sent.ok) return attempt;
    if (attempt === 3) throw sent.error;
    yield* delay(1000 * attempt);
  }
});

const signup = fn(function* signup(email: string, name: string) {
  if ((yield* new FindUser(email)) !== undefined) throw new Error(`${email} is already registered`);
  const id = yield* new SaveUser({ email, name });
  yield* sendWithRetry(email, `Welcome, ${name}`);
  yield* tell(`signed up ${email} as #${id}`);
  return id;
});

// --- the tests -----------------------------------------------------------------------------------

// Every effect signup may perform needs a handler, even one the path under test never reaches
// (expectEffects checks that at compile time, as run does): without a clock, a retry's back-off
// is answered at once.
const noWait = mock(Delay, undefined);

test("signup saves the user, sends one welcome mail and logs it", () => {
  const r = expectEffects(
    signup("ada@example.com", "Ada"),
    [
      new FindUser("ada@example.com"),
      new SaveUser({ email: "ada@example.com", name: "Ada" }),
      new SendEmail("ada@example.com", "Welcome, Ada"),
      Tell, // any Tell
    ],
    { handlers: [writer, mock(FindUser, undefined), mock(SaveUser, 7), mock(SendEmail, undefined), noWait] },
  );
  assert.equal(r.value, 7);
  assert.deepEqual(r.log, ["signed up ada@example.com as #7"]);
});

test("signup refuses a registered address and saves nothing", () => {
  const save = mock(SaveUser, 1);
  const found = mock(FindUser, (e) => ({ email: e.email, name: "Someone" }));
  const r = expectEffects(signup("ada@example.com", "Ada"), [FindUser], {
    handlers: [writer, found, save, mock(SendEmail, undefined), noWait],
  });
  assert.equal(r.ok, false);
  assert.equal((r.error as Error).message, "ada@example.com is already registered");
  assert.equal(save.calls.length, 0);
});

test("a flaky mail server is retried after 1 s and 2 s of virtual time", () => {
  let attempts = 0;
  const flaky = mock(SendEmail, () => {
    attempts++;
    if (attempts < 3) throw new Error("mail server down");
    return undefined;
  });
  const mails = record(SendEmail);
  const clock = virtualClock();
  const r = clock.run(signup("ada@example.com", "Ada"), {
    handlers: [writer, mock(FindUser, undefined), mock(SaveUser, 7), flaky, mails],
  });
  assert.equal(r.value, 7);
  assert.equal(clock.now, 3000); // instant in real time
  assert.deepEqual(
    clock.delays.map((d) => [d.from, d.until]),
    [
      [0, 1000],
      [1000, 3000],
    ],
  );
  assert.deepEqual(
    mails.entries.map((e) => e.status),
    ["threw", "threw", "answered"],
  );
});

test("a wrong expectation names the first difference", () => {
  assert.throws(
    () =>
      expectEffects(signup("ada@example.com", "Ada"), [FindUser, SendEmail], {
        handlers: [writer, mock(FindUser, undefined), mock(SaveUser, 7), mock(SendEmail, undefined), noWait],
      }),
    (e: unknown) =>
      e instanceof EffectExpectationError &&
      e.message.startsWith(
        'effect #2: expected any SendEmail, got SaveUser({ email: "ada@example.com", name: "Ada" })',
      ),
  );
});
