/**
 * examples/cookbook/llm-agent.ts: the tool-calling agent tested as a user would, with doeff/testing
 * on a virtual clock — the model and the tools swapped for scripted handlers, exact event orders
 * and virtual times, no real waiting. (test/cookbook.test.ts runs the recipe itself, on real timers.)
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  all,
  delay,
  fn,
  handle,
  now,
  program,
  rateLimiter,
  spawn,
  state,
  transferWith,
  withHandler,
} from "../src/index.js";
import { virtualClock } from "../src/testing/index.js";
import {
  agentTurn,
  type Chunk,
  CallTool,
  Emit,
  type Message,
  OpenStream,
  ProviderError,
  TokenBudgetExceeded,
} from "../examples/cookbook/llm-agent.js";

type Script = ProviderError | Chunk[];
const text = (t: string): Chunk => ({ type: "text", text: t, tokens: 1 });
const tool = (id: string, arg: string): Chunk => ({
  type: "tool",
  call: { id, name: "weather", arg },
  tokens: 5,
});

/** Handlers for a test: a scripted model (one script per call), tools taking virtual time, the client. */
function fakes(scripts: Script[], toolMs: Record<string, number>) {
  const events: string[] = [];
  const log = fn(function* log(line: string) {
    events.push(`${yield* now()} ${line}`);
  });
  let calls = 0;
  const model = handle(OpenStream, (e, k) => {
    const script: Script | undefined = scripts[calls++];
    if (script === undefined) throw new Error(`model call ${calls} has no script`);
    const chunks = script;
    async function* stream(): AsyncGenerator<Chunk> {
      try {
        if (chunks instanceof ProviderError) throw chunks;
        yield* chunks;
      } finally {
        events.push(`stream ${calls} closed${e.signal.aborted ? " (aborted)" : ""}`);
      }
    }
    return transferWith(
      k,
      program(function* () {
        yield* log(`model call ${calls}`);
        return stream();
      }),
    );
  });
  const tools = handle(CallTool, (e, k) =>
    transferWith(
      k,
      program(function* () {
        try {
          yield* delay(toolMs[e.call.arg] ?? 0);
          return `${e.call.arg}: sun`;
        } finally {
          yield* log(`tool ${e.call.arg} ended`);
        }
      }),
    ),
  );
  const client = handle(Emit, (e, k) => transferWith(k, log(e.event)));
  return { events, handlers: [state, model, tools, client] as const };
}

const question = (): Message[] => [{ role: "user", content: "weather?" }];

test("llm agent: a 429 waits its Retry-After, tools run 2 at a time, a slow one times out", async () => {
  const { events, handlers } = fakes(
    [
      new ProviderError(429, 1500),
      [text("Let me check."), tool("c0", "Paris"), tool("c1", "Tokyo"), tool("c2", "Lima")],
      [text("Sunny.")],
    ],
    { Paris: 100, Tokyo: 300, Lima: 5000 },
  );
  const clock = virtualClock();
  const options = { budget: 100, toolMs: 1000, limit: rateLimiter({ limit: 10, interval: 1000 }) };
  const r = await clock.runAsync(agentTurn(question(), options), { handlers });
  assert.equal(r.ok ? r.value : r.error, "Sunny.");
  assert.deepEqual(events, [
    "0 model call 1",
    "stream 1 closed",
    "1500 model call 2", // the 429's Retry-After, not the 100 ms back-off
    '1500 token "Let me check."',
    "stream 2 closed",
    "1500 tool weather(Paris) started",
    "1500 tool weather(Tokyo) started",
    "1600 tool Paris ended",
    "1600 tool weather(Paris) → Paris: sun",
    "1600 tool weather(Lima) started", // a slot freed: at most 2 at once
    "1800 tool Tokyo ended",
    "1800 tool weather(Tokyo) → Tokyo: sun",
    "2600 tool Lima ended", // its deadline: cancelled, its finally ran
    "2600 tool weather(Lima) → error: timed out",
    "2600 model call 3",
    '2600 token "Sunny."',
    "stream 3 closed",
    "2600 done, 17 tokens",
  ]);
  assert.equal(clock.now, 2600);
});

test("llm agent: the client going away aborts the turn: tools cancelled, their finally blocks run, the stream closed", async () => {
  const { events, handlers } = fakes(
    [[text("Let me check."), tool("c0", "Paris"), tool("c1", "Tokyo"), tool("c2", "Lima")]],
    { Paris: 100, Tokyo: 300, Lima: 300 },
  );
  const clientGone = new AbortController();
  const main = program(function* () {
    yield* spawn(
      program(function* () {
        yield* delay(150); // the client disconnects while Tokyo and Lima run
        clientGone.abort(new Error("the client went away"));
      }),
    );
    return yield* agentTurn(question(), {
      budget: 100,
      toolMs: 1000,
      limit: rateLimiter({ limit: 10, interval: 1000 }),
    });
  });
  const r = await virtualClock().runAsync(main, { handlers, signal: clientGone.signal });
  assert.equal(r.ok ? r.value : r.error, clientGone.signal.reason);
  assert.deepEqual(events, [
    "0 model call 1",
    '0 token "Let me check."',
    "stream 1 closed",
    "0 tool weather(Paris) started",
    "0 tool weather(Tokyo) started",
    "100 tool Paris ended",
    "100 tool weather(Paris) → Paris: sun",
    "100 tool weather(Lima) started",
    "150 tool Tokyo ended",
    "150 tool Lima ended",
  ]);
});

test("llm agent: the per-turn token budget ends the turn; the stream is closed at once", async () => {
  const { events, handlers } = fakes([[text("a"), text("b"), text("c"), text("d")]], {});
  const r = await virtualClock().runAsync(
    agentTurn(question(), { budget: 2, toolMs: 1000, limit: rateLimiter({ limit: 10, interval: 1000 }) }),
    { handlers, store: { tokens: 99 } }, // (each turn starts its count at 0)
  );
  assert.ok(r.error instanceof TokenBudgetExceeded, String(r.error));
  assert.equal((r.error as Error).message, "the turn used more than 2 tokens");
  assert.deepEqual(events, ["0 model call 1", '0 token "a"', '0 token "b"', "stream 1 closed"]);
  assert.equal(r.store.tokens, 2);
});

test("llm agent: two conversations share the rate limit (2 model calls a second)", async () => {
  const script = (): Script[] => [[text("hi")]];
  const a = fakes([...script(), ...script()], {});
  const b = fakes(script(), {});
  const limit = rateLimiter({ limit: 2, interval: 1000 });
  const o = { budget: 100, toolMs: 1000, limit };
  const clock = virtualClock();
  // three turns at once in one run, as a server's requests are: the third waits for a slot
  const main = all([
    withHandler(a.handlers[1], agentTurn(question(), o)),
    withHandler(b.handlers[1], agentTurn(question(), o)),
    withHandler(a.handlers[1], agentTurn(question(), o)),
  ]);
  const r = await clock.runAsync(main, { handlers: [state, a.handlers[2], a.handlers[3]] });
  assert.deepEqual(r.ok ? r.value : r.error, ["hi", "hi", "hi"]);
  assert.deepEqual(
    a.events
      .concat(b.events)
      .filter((e) => e.includes("model call"))
      .sort(),
    ["0 model call 1", "0 model call 1", "1000 model call 2"],
  );
});
