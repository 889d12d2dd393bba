/**
 * doeff/workers: Error values in a job's arguments and result cross like thrown errors do (wire.ts
 * encodeValue): class (registered ones rebuilt), name, message, own fields, stack and cause — not
 * structured clone's bare Error.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { realTime, runAsync, scheduler } from "../src/index.js";
import { RemoteError, runInWorker, workers } from "../src/workers/index.js";
import { DataError, NoNameError } from "./fixtures/workers/data-jobs.js";

const JOBS = new URL("./fixtures/workers/data-jobs.ts", import.meta.url).href;

const pool = workers({ size: 1, errors: [DataError] });
after(() => pool.close());
const handlers = [scheduler, realTime, pool];

async function run(name: string, ...args: unknown[]): Promise<unknown> {
  const r = await runAsync(runInWorker(JOBS, name, ...args), { handlers });
  assert.ok(r.ok, r.format());
  return r.value;
}

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
