/**
 * doeff in a minified bundle: the bundler renames classes, so names read from `constructor.name`
 * would come out as `Rn` or `Kn`. Error names, "no handler takes Ask" and the traceback's
 * `effect Ask("k")` must read as in the sources: every effect and error class doeff exports
 * carries its own static `displayName`, which `className` prefers.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as doeff from "../src/index.js";
import { bundle, importBuilt, inTempDir } from "./bundle.js";

const entry = `
import * as doeff from "./src/index.ts";
import { ask, get, program, run, runAsync, scheduler, realTime, state, timeout, delay } from "./src/index.ts";
export { doeff };
export function missingKey() {
  return run(program(function* () { return yield* get("x"); }), { handlers: [state] });
}
export function unhandled() {
  return run(program(function* () { return yield* ask("k"); }));
}
export function timedOut() {
  return runAsync(timeout(program(function* () { yield* delay(50); return 1; }), 1), { handlers: [scheduler, realTime] });
}
`;

test("minified bundle: error names, effect names in messages and tracebacks read as in the sources", async () => {
  const r = await bundle(entry, { minify: true });
  await inTempDir("doeff-min-", async (dir) => {
    const m = await importBuilt(r, dir);
    const ns = m.doeff as Record<string, unknown>;
    // the bundler did rename the classes (else this test could not fail)
    assert.notEqual((ns.MissingStateKeyError as { name: string }).name, "MissingStateKeyError");

    const a = m.missingKey();
    assert.equal(a.ok, false);
    assert.equal(a.error.name, "MissingStateKeyError");
    assert.ok(a.error instanceof (ns.MissingStateKeyError as typeof Error));
    assert.ok(String(a.error).startsWith('MissingStateKeyError: state has no key "x"'), String(a.error));

    const b = m.unhandled();
    assert.equal(b.error.name, "UnhandledEffectError");
    assert.ok(
      b.error.message.startsWith("no handler takes Ask; no handlers are installed here"),
      b.error.message,
    );
    assert.ok(b.format().includes('  effect Ask("k"): no handlers installed\n'), b.format());

    const c = await m.timedOut();
    assert.equal(c.error.name, "TimeoutError");

    // every class that has a displayName spells its export name
    for (const [key, v] of Object.entries(ns)) {
      if (typeof v === "function" && Object.hasOwn(v, "displayName"))
        assert.equal((v as unknown as { displayName: unknown }).displayName, key);
    }
  });
});

test("minified bundle: every effect and error class doeff exports has its own displayName, equal to its name", () => {
  const checked: string[] = [];
  for (const [key, v] of Object.entries(doeff)) {
    if (
      typeof v !== "function" ||
      !(v.prototype instanceof doeff.Effect || v.prototype instanceof Error || v === doeff.DoeffError)
    )
      continue;
    if (v === doeff.Effect) continue;
    assert.ok(Object.hasOwn(v, "displayName"), `${key} has no static displayName`);
    assert.equal((v as unknown as { displayName: unknown }).displayName, key);
    assert.equal(v.name, key);
    checked.push(key);
  }
  assert.ok(checked.includes("Get") && checked.includes("AwaitPromise") && checked.includes("TimeoutError"));
  assert.ok(checked.length >= 35, `${checked.length} classes checked`);
});
