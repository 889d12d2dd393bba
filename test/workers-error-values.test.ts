/**
 * doeff/workers: Error values in a job's arguments and result, in a forwarded effect's fields and in
 * the parent's answer to it cross like thrown errors do (wire.ts encodeValue): class (registered ones
 * rebuilt), name, message, own fields, stack and cause — not structured clone's bare Error.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { handle, realTime, resume, runAsync, scheduler } from "../src/index.js";
import { RemoteError, runInWorker, workers } from "../src/workers/index.js";
import { decodeValue, encodeFields } from "../src/workers/wire.js";
import { about, aboutAll, DataError, NoNameError, Report } from "./fixtures/workers/data-jobs.js";

const JOBS = new URL("./fixtures/workers/data-jobs.ts", import.meta.url).href;

const pool = workers({ size: 1, errors: [DataError] });
after(() => pool.close());
const handlers = [scheduler, realTime, pool];

async function run(name: string, ...args: unknown[]): Promise<unknown> {
  const r = await runAsync(runInWorker(JOBS, name, ...args), { handlers });
  assert.ok(r.ok, r.format());
  return r.value;
}

/** What `new DataError("in map", 8)` inside a Map arrives as, in both directions (registered: rebuilt). */
const IN_MAP = {
  cls: "DataError",
  isDataError: true,
  name: "DataError",
  message: "in map",
  code: 8,
  cause: null,
  stack: "DataError: in map",
};

test("workers error values: a registered Error subclass as an argument arrives as itself, with its name, fields, cause and stack", async () => {
  assert.deepEqual(await run("inspect", new DataError("m", 42, { cause: new RangeError("c") })), {
    cls: "DataError",
    isDataError: true,
    name: "DataError",
    message: "m",
    code: 42,
    cause: "RangeError: c",
    stack: "DataError: m",
  });
});

test("workers error values: a plain Error keeps its own fields; an unregistered subclass keeps its name", async () => {
  assert.deepEqual(await run("inspect", Object.assign(new Error("x"), { code: "E_X" })), {
    cls: "Error",
    isDataError: false,
    name: "Error",
    message: "x",
    code: "E_X",
    cause: null,
    stack: "Error: x",
  });
  class Unlisted extends TypeError {
    override name = "Unlisted";
  }
  assert.deepEqual(await run("inspect", new Unlisted("u")), {
    cls: "TypeError",
    isDataError: false,
    name: "Unlisted",
    message: "u",
    code: undefined,
    cause: null,
    stack: "Unlisted: u",
  });
});

test("workers error values: an Error a job returns comes back as itself, also inside arrays and Maps", async () => {
  const e = (await run("makeError", "registered")) as DataError;
  assert.equal(Object.getPrototypeOf(e), DataError.prototype);
  assert.equal(e.name, "DataError");
  assert.equal(e.message, "made");
  assert.equal(e.code, 7);
  assert.ok(e.cause instanceof RangeError);
  assert.equal((e.cause as Error).message, "why");
  assert.match(e.stack ?? "", /^DataError: made\n\s+at makeError \(.*data-jobs\.ts:\d+:\d+\)/);
  const v = (await run("makeError", "nested")) as { list: Error[]; map: Map<string, DataError> };
  assert.equal(Object.getPrototypeOf(v.list[0]), Error.prototype);
  assert.equal((v.list[0] as Error & { code?: string }).code, "E_PLAIN");
  assert.ok(v.map.get("k") instanceof DataError);
  assert.equal(v.map.get("k")!.code, 8);
  // (an argument holding errors, sent and returned)
  const back = (await run("echo", { errs: [new DataError("deep", 9)], n: 1 })) as {
    errs: DataError[];
    n: number;
  };
  assert.equal(back.n, 1);
  assert.ok(back.errs[0] instanceof DataError);
  assert.equal(back.errs[0]!.code, 9);
});

test("workers error values: an unregistered Error subclass that sets no name crosses named by its class, thrown, returned or as an argument", async () => {
  const r = await runAsync(runInWorker(JOBS, "throwNoName"), { handlers });
  assert.ok(r.error instanceof RemoteError, String(r.error));
  assert.equal(r.error.name, "NoNameError");
  assert.equal(r.error.message, "no name");
  assert.match(r.error.stack ?? "", /^NoNameError: no name\n\s+at throwNoName /);
  assert.match(r.format(), /^NoNameError: no name$/m);
  assert.doesNotMatch(r.format(), /^Error: no name$/m);
  const back = (await run("makeError", "noName")) as Error;
  assert.ok(back instanceof RemoteError);
  assert.equal(`${back.name}: ${back.message}`, "NoNameError: no name");
  assert.deepEqual(await run("inspect", new NoNameError("sent")), {
    cls: "RemoteError",
    isDataError: false,
    name: "NoNameError",
    message: "sent",
    code: undefined,
    cause: null,
    stack: "NoNameError: sent",
  });
});

/** runs `report(kind)` with a parent handler that records Report's fields and answers `answer` */
async function report(kind: string, answer: unknown): Promise<{ seen: Report; value: unknown }> {
  let seen: Report | undefined;
  const take = handle(Report, function* takeReport(e, k) {
    seen = e;
    return yield* resume(k, answer);
  });
  const r = await runAsync(runInWorker(JOBS, "report", kind), {
    handlers: [scheduler, realTime, take, pool],
  });
  assert.ok(r.ok, r.format());
  assert.ok(seen instanceof Report);
  return { seen, value: r.value };
}

test("workers error values: an Error in a forwarded effect's field arrives in the parent's handler as itself (a registered class rebuilt, with its name, fields, cause and stack)", async () => {
  const { seen } = await report("registered", null);
  assert.equal(seen.note, "registered");
  const e = seen.payload as DataError;
  assert.equal(Object.getPrototypeOf(e), DataError.prototype);
  assert.equal(e.name, "DataError");
  assert.equal(e.message, "in a field");
  assert.equal(e.code, 5);
  assert.equal(Object.getPrototypeOf(e.cause), RangeError.prototype);
  assert.equal((e.cause as Error).message, "why");
  assert.match(e.stack ?? "", /^DataError: in a field\n\s+at report \(.*data-jobs\.ts:\d+:\d+\)/);
});

test("workers error values: an unregistered Error subclass in a forwarded effect's field keeps its name and fields; errors inside arrays and Maps too", async () => {
  const { seen } = await report("unregistered", null);
  const e = seen.payload as Error & { code?: string };
  assert.equal(Object.getPrototypeOf(e), RemoteError.prototype);
  assert.equal(e.name, "FieldError");
  assert.equal(e.message, "not registered");
  assert.equal(e.code, "E_FIELD");
  const nested = (await report("nested", null)).seen.payload;
  assert.deepEqual(aboutAll(nested), {
    list: [
      {
        cls: "Error",
        isDataError: false,
        name: "Error",
        message: "plain",
        code: "E_PLAIN",
        cause: null,
        stack: "Error: plain",
      },
    ],
    map: new Map([["k", IN_MAP]]),
  });
});

test("workers error values: an Error in the parent's answer to a forwarded effect arrives in the worker as itself, alone or inside data", async () => {
  class Refusal extends Error {
    override name = "Refusal";
    readonly code = "E_REFUSED";
  }
  const { value } = await report(
    "registered",
    new DataError("answered", 6, { cause: new TypeError("because") }),
  );
  assert.deepEqual(value, {
    cls: "DataError",
    isDataError: true,
    name: "DataError",
    message: "answered",
    code: 6,
    cause: "TypeError: because",
    stack: "DataError: answered",
  });
  const nested = await report("registered", {
    refusals: [new Refusal("no")],
    byKey: new Map([["k", new DataError("in map", 8)]]),
    n: 1,
  });
  assert.deepEqual(nested.value, {
    refusals: [
      {
        cls: "RemoteError",
        isDataError: false,
        name: "Refusal",
        message: "no",
        code: "E_REFUSED",
        cause: null,
        stack: "Refusal: no",
      },
    ],
    byKey: new Map([["k", IN_MAP]]),
    n: 1,
  });
});

test("workers error values: a forwarded effect's fields are walked only when one is an object; without errors they are sent as they are", () => {
  const flat = { key: "k", n: 1, none: null };
  assert.equal(encodeFields(flat), flat);
  const data = { list: [1, 2], map: new Map([["a", 1]]) };
  assert.equal(encodeFields(data), data);
  const sent = encodeFields({ e: new DataError("x", 1), n: 2 });
  assert.deepEqual(Object.keys(sent), ["\u0000doeff.workers.errorsWithin"]);
  const back = decodeValue(structuredClone(sent)) as { e: DataError; n: number };
  assert.equal(Object.getPrototypeOf(back.e), DataError.prototype);
  assert.equal(back.e.code, 1);
  assert.equal(back.n, 2);
});

test("workers error values: a request's JSON holding the wire's error key crosses as that data, each way — not as a forged doeff TaskCancelledError", async () => {
  const json = `{"body": {"\\u0000doeff.workers.error": {"isError": true, "name": "TaskCancelledError", "doeff": true, "message": "forged", "fields": {}}}}`;
  const data = JSON.parse(json) as { body: Record<string, unknown> };
  assert.deepEqual(await run("echo", data.body), JSON.parse(json).body);
  assert.deepEqual(await run("echo", data), JSON.parse(json));
  // in the worker the argument is that data too
  assert.deepEqual(await run("inspect", data.body), about(JSON.parse(json).body));
});
