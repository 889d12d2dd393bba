/**
 * getHandlers's module loaded while a run is under way (a dynamic import: a lazily loaded chunk).
 * Re-links made before it loaded were not recorded: for an effect performed before one of them,
 * getHandlers cannot know the chain as it was, and says so (HandlerContextError) instead of listing
 * the handlers of today; for an effect performed after them, it answers exactly. Loaded before the
 * run (as a static import does), the same program gets the handlers as they were.
 * Each case is a fresh process (test/fixtures/lazy-introspect/run.ts): here the module is loaded.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const fixture = join(root, "test", "fixtures", "lazy-introspect", "run.ts");

function runFixture(eager: boolean): unknown {
  const out = execFileSync(process.execPath, ["--import", "tsx", fixture], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, EAGER: eager ? "1" : "0" },
  });
  return JSON.parse(out);
}

test("getHandlers loaded before the run: the handlers visible when the effect was performed, also after a re-link", () => {
  assert.deepEqual(runFixture(true), [
    "parked",
    [
      ["peeker", "parker", "outerR"], // performed under outerR, resumed since under resumerQ
      ["peeker", "parker", "resumerQ"], // performed after the resume
    ],
  ]);
});

test("getHandlers loaded during the run (dynamic import): a HandlerContextError saying why and what to do for an effect performed before an unrecorded re-link, not the handlers of today; exact for one performed after it", () => {
  assert.deepEqual(runFixture(false), [
    "parked",
    [
      "HandlerContextError: getHandlers(): its module was loaded during the run (a dynamic import), after this effect was performed and its chain re-linked, so the handlers at its perform site are not known; import getHandlers before the run starts",
      ["peeker", "parker", "resumerQ"],
    ],
  ]);
});
