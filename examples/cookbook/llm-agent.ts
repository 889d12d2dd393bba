import {
  answer,
  awaitPromise,
  delay,
  Effect,
  fn,
  forEach,
  forEachAsync,
  get,
  getAbortSignal,
  handle,
  now,
  put,
  type RateLimiter,
  rateLimiter,
  retry,
  safe,
  TimeoutError,
  timeout,
  transferWith,
  realTime,
  runAsync,
  scheduler,
  state,
  transfer,
} from "../../src/index.js";
import { fileURLToPath } from "node:url";

// ── The agent's I/O, as effects: production answers them with the provider and real tools ──────
export type Chunk =
  | { type: "text"; text: string; tokens: number }
  | { type: "tool"; call: ToolCall; tokens: number };
export interface ToolCall {
  id: string;
  name: string;
  arg: string;
}
export type Message = { role: "user" | "assistant" | "tool"; content: string };

/** Opens the model's stream of chunks for this conversation. */
export class OpenStream extends Effect<AsyncIterable<Chunk>> {
  declare readonly _tag: "OpenStream";
  constructor(
    readonly messages: readonly Message[],
    readonly signal: AbortSignal,
  ) {
    super();
  }
}
/** Runs one tool. */
export class CallTool extends Effect<string> {
  declare readonly _tag: "CallTool";
  constructor(readonly call: ToolCall) {
    super();
  }
}
/** What the client sees (a server-sent event). */
export class Emit extends Effect<void> {
  declare readonly _tag: "Emit";
  constructor(readonly event: string) {
    super();
  }
}

export class ProviderError extends Error {
  override name = "ProviderError";
  constructor(
    readonly status: number,
    readonly retryAfterMs?: number,
  ) {
    super(`the model provider answered ${status}`);
  }
}
export class TokenBudgetExceeded extends Error {
  override name = "TokenBudgetExceeded";
}

// ── The agent ────────────────────────────────────────────────────────────────────────────────────
export interface AgentOptions {
  budget: number; // tokens per turn
  toolMs: number; // each tool call's deadline
  limit: RateLimiter; // shared by every conversation
}

type Reply = { text: string; calls: ToolCall[] };
const onChunk = fn(function* onChunk(chunk: Chunk, reply: Reply, budget: number) {
  const used = (yield* get<number>("tokens")) + chunk.tokens;
  if (used > budget) throw new TokenBudgetExceeded(`the turn used more than ${budget} tokens`);
  yield* put("tokens", used);
  if (chunk.type === "tool") reply.calls.push(chunk.call);
  else {
    reply.text += chunk.text;
    yield* new Emit(`token ${JSON.stringify(chunk.text)}`);
  }
});

/** One model call: its stream read to the end; text goes to the client, tool calls are collected. */
const callModel = fn(function* callModel(messages: readonly Message[], o: AgentOptions) {
  yield* o.limit.take();
  // the task's signal: the provider's request is aborted when the turn is (forEachAsync's closing
  // of the stream would wait for the chunk it is waiting for)
  const stream = yield* new OpenStream(messages, yield* getAbortSignal());
  const reply: Reply = { text: "", calls: [] };
  yield* forEachAsync(stream, (chunk) => onChunk(chunk, reply, o.budget));
  return reply;
});

const runTool = fn(function* runTool(call: ToolCall, o: AgentOptions) {
  yield* new Emit(`tool ${call.name}(${call.arg}) started`);
  const r = yield* safe(timeout(new CallTool(call), o.toolMs));
  const result = r.ok ? r.value : r.error instanceof TimeoutError ? "error: timed out" : `error: ${r.error}`;
  yield* new Emit(`tool ${call.name}(${call.arg}) → ${result}`);
  return { role: "tool", content: `${call.id}: ${result}` } satisfies Message;
});

/** One turn: model, tools, model, … until the model answers without tool calls. */
export const agentTurn = fn(function* agentTurn(history: Message[], o: AgentOptions) {
  yield* put("tokens", 0);
  for (;;) {
    const reply = yield* retry(callModel(history, o), {
      times: 3,
      // a 429 says when to come back; a 500 backs off 100, 200, 400 ms
      delay: (attempt, e) => (e as ProviderError).retryAfterMs ?? 100 * 2 ** (attempt - 1),
      while: (e) => e instanceof ProviderError && (e.status === 429 || e.status >= 500),
    });
    history.push({ role: "assistant", content: reply.text });
    if (reply.calls.length === 0) {
      yield* new Emit(`done, ${yield* get<number>("tokens")} tokens`);
      return reply.text;
    }
    // at most 2 tools at once, each with its deadline; their results go back to the model
    history.push(...(yield* forEach(reply.calls, (call) => runTool(call, o), { concurrency: 2 })));
  }
});

// ── Production: a fake provider streaming with real delays, fake tools, a client that goes away ──
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

let modelCalls = 0;
/** A model that is rate limited on the first call, then asks for the weather, then answers. */
async function* fakeModel(messages: readonly Message[], signal: AbortSignal): AsyncGenerator<Chunk> {
  const call = ++modelCalls;
  try {
    await sleep(30, signal); // time to first token
    if (call === 1) throw new ProviderError(429, 200);
    const asked = messages.filter((m) => m.role === "tool").length;
    const words = asked === 0 ? ["Let", " me", " check."] : ["Sunny", " in", " Paris."];
    for (const text of words) {
      yield { type: "text", text, tokens: 1 };
      await sleep(10, signal);
    }
    if (asked === 0)
      for (const [i, arg] of ["Paris", "Tokyo", "Lima"].entries())
        yield { type: "tool", call: { id: `c${i}`, name: "weather", arg }, tokens: 5 };
  } finally {
    console.log(`stream ${call} closed`);
  }
}

const weather = async (city: string, signal: AbortSignal) => {
  try {
    await sleep(city === "Lima" ? 5000 : 100, signal);
    return city === "Tokyo" ? "rain" : "sun";
  } finally {
    if (signal.aborted) console.log(`weather(${city}) cancelled`);
  }
};

export const production = [
  answer(OpenStream, (e) => fakeModel(e.messages, e.signal)),
  handle(CallTool, (e, k) =>
    transferWith(
      k,
      awaitPromise((signal) => weather(e.call.arg, signal)),
    ),
  ),
];

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const limit = rateLimiter({ limit: 2, interval: 1000 }); // 2 model calls a second, for both
  const options = { budget: 100, toolMs: 1000, limit };
  const conversation = (who: string, signal: AbortSignal) => {
    const client = handle(Emit, (e, k) => (console.log(`${who}: ${e.event}`), transfer(k, undefined)));
    const question: Message = { role: "user", content: "Weather in Paris, Tokyo, Lima?" };
    return runAsync(agentTurn([question], options), {
      handlers: [scheduler, realTime, state, ...production, client],
      signal,
    });
  };
  const bobLeaves = new AbortController();
  setTimeout(() => bobLeaves.abort(new Error("the client went away")), 600);
  const [ada, bob] = await Promise.all([
    conversation("ada", new AbortController().signal),
    conversation("bob", bobLeaves.signal),
  ]);
  console.log(ada.ok ? `ada: ${ada.value}` : ada.format());
  console.log(bob.ok ? `bob: ${bob.value}` : `bob: ${String(bob.error)}`);
}
