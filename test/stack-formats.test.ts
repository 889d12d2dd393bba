/**
 * Call sites from each engine's `Error.stack` format: V8's (Node, Chromium: a message line, then
 * `    at name (url:line:col)`) and SpiderMonkey's and JavaScriptCore's (Firefox, Safari: frames only,
 * `name@url:line:col`). Fed real captured strings (test/fixtures/stacks.ts says where each came
 * from), the parser picks the same user frame in each: past the library's capture frames, counted
 * as frames (a Firefox stack has no message line to skip), and for a thrown error its first frame.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { framesOf, siteOf } from "../src/trace/format.js";
import { bundle, importBuilt, inTempDir } from "./bundle.js";
import { CHROMIUM, FIREFOX, FIREFOX_MIN, FIREFOX_SHAPES, JSC } from "./fixtures/stacks.js";

type SiteOf = (site: Error | null, firstOnly?: boolean, caller?: boolean) => string | null;

/**
 * siteOf as in a browser's bundle: there the library has no directory of its own, so the frames the
 * capture adds are skipped by count (CAPTURE_DEPTH), which is what the engines' formats must agree on.
 * (With spawn and callSite, whose modules add the counts of their captures as they load.)
 */
async function bundledSiteOf(): Promise<SiteOf> {
  const r = await bundle(
    `export { siteOf } from "./src/trace/format.ts";
     export { spawn } from "./src/effects/scheduler.ts";
     export { callSite } from "./src/concurrency/site.ts";`,
    { platform: "neutral" },
  );
  return inTempDir(
    "doeff-stacks-",
    async (dir) => (await importBuilt<{ siteOf: SiteOf }>(r, dir, "format.mjs")).siteOf,
  );
}

/** an Error made by `message`'s capture, with the captured stack */
function captured(message: string, stack: string): Error {
  const e = new Error(message);
  e.stack = stack;
  return e;
}

const KINDS = [
  ["yieldEffect", "doeff yield site"],
  ["yieldProgram", "doeff yield site"],
  ["yieldRecursion", "doeff yield site"],
  ["callSite", "doeff call site"],
  ["spawnSite", "doeff spawn site"],
] as const;

test("site of a bundle's capture, from Firefox's, minified Firefox's and Chromium's real stacks", async () => {
  const siteOf = await bundledSiteOf();
  const sites = (stacks: Record<(typeof KINDS)[number][0] | "thrown", string>) => ({
    ...Object.fromEntries(KINDS.map(([k, message]) => [k, siteOf(captured(message, stacks[k]))])),
    // where an error was thrown (format.ts's `thrown at`): its own first frame
    thrown: siteOf(captured("no dice", stacks.thrown), true),
  });
  const ff = "http://127.0.0.1:45853/app.js";
  assert.deepEqual(sites(FIREFOX), {
    yieldEffect: `${ff}:6318:12`,
    yieldProgram: `${ff}:6320:12`,
    yieldRecursion: `${ff}:6330:22`,
    callSite: `${ff}:6338:23`, // (SpiderMonkey's column is the call's `(`, V8's the callee)
    spawnSite: `${ff}:6340:20`,
    thrown: `${ff}:6353:11`,
  });
  const min = "http://127.0.0.1:44811/app.js";
  assert.deepEqual(sites(FIREFOX_MIN), {
    yieldEffect: `${min}:10:37629`,
    yieldProgram: `${min}:10:37660`,
    yieldRecursion: `${min}:10:37785`,
    callSite: `${min}:10:37870`,
    spawnSite: `${min}:10:37929`,
    thrown: `${min}:10:38065`,
  });
  const cr = "http://127.0.0.1:43549/app.js";
  assert.deepEqual(sites(CHROMIUM), {
    yieldEffect: `${cr}:6318:12`,
    yieldProgram: `${cr}:6320:12`,
    yieldRecursion: `${cr}:6330:22`,
    callSite: `${cr}:6338:15`,
    spawnSite: `${cr}:6340:15`,
    thrown: `${cr}:6353:11`,
  });
});

test("site of a bundle's capture, from JavaScriptCore's documented format (native frames, bare anonymous frames)", async () => {
  const siteOf = await bundledSiteOf();
  const url = "http://127.0.0.1:45853/app.js";
  assert.deepEqual(
    [
      siteOf(captured("doeff yield site", JSC.yieldEffect)),
      siteOf(captured("doeff call site", JSC.callSite)),
      siteOf(captured("no dice", JSC.thrown), true),
      // a path holding `@` (node_modules/@scope/…, src/@pages/…) is not read as a name
      siteOf(captured("doeff yield site", JSC.scopedPath)),
    ],
    [`${url}:6318:12`, `${url}:6338:23`, `${url}:6353:11`, "http://localhost:5173/src/@pages/home.js:12:5"],
  );
});

test("framesOf: Firefox's frames of other shapes (a getter, eval, new Function, async) and V8's", () => {
  const app = "http://doeff.test/app.js";
  const pptr = [
    ["pptr:internal", "20", "39"],
    ["pptr:internal", "2", "30"],
    ["pptr:internal", "26", "3"],
  ];
  assert.deepEqual(framesOf(FIREFOX_SHAPES.getter), [
    [app, "3", "108"],
    [app, "3", "141"],
    [app, "3", "183"],
    ...pptr,
  ]);
  assert.deepEqual(framesOf(FIREFOX_SHAPES.eval), [
    ["about:blank line 20 > injectedScript line 3 > eval", "1", "1"],
    [app, "3", "191"],
    ...pptr,
  ]);
  assert.deepEqual(framesOf(FIREFOX_SHAPES.function), [
    ["about:blank line 20 > injectedScript line 3 > Function", "3", "8"],
    [app, "3", "268"],
    ...pptr,
  ]);
  assert.deepEqual(framesOf(FIREFOX_SHAPES.async), [
    [app, "4", "132"],
    [app, "4", "155"],
    [app, "4", "180"],
    ...pptr,
  ]);
  // V8: the message line is no frame, nor a native frame (`userYield.next (<anonymous>)`)
  const cr = "http://127.0.0.1:43549/app.js";
  assert.deepEqual(framesOf(CHROMIUM.yieldRecursion).slice(0, 4), [
    [cr, "188", "22"],
    [cr, "276", "33"],
    [cr, "6330", "22"],
    [cr, "2635", "61"],
  ]);
  // a V8 message that reads like a frame (`name@url:line:col`) is still the message
  assert.deepEqual(framesOf("Error: bad f@http://x.test/a.js:1:2\n    at g (http://x.test/b.js:3:4)"), [
    ["http://x.test/b.js", "3", "4"],
  ]);
});

test("framesOf: V8 frames whose path holds spaces or parentheses (tsx's and Bun's paths), async, eval and native frames", () => {
  const stack = [
    "Error: x",
    "    at leaf (/home/me/My Project (2)/src/app.ts:3:17)",
    "    at <anonymous> (/home/me/My Project (2)/src/app.ts:9:1)",
    "    at async main (file:///home/me/My%20Project/app.mjs:4:5)",
    "    at async file:///home/me/My%20Project/app.mjs:12:1",
    "    at /home/me/My Project/top.js:1:2",
    "    at eval (eval at f (file:///home/me/a.mjs:1:2), <anonymous>:1:1)",
    "    at Generator.next (<anonymous>)",
    "    at async Promise.all (index 0)",
    "    at main (C:\\Users\\me\\My App\\src\\main.ts:3:5)",
    // doeff names some handlers after their classes: `handle(Roll, Ask)`, `mock(Roll)`
    "    at handle(Roll, Ask) (file:///home/me/app.mjs:7:9)",
  ].join("\n");
  assert.deepEqual(framesOf(stack), [
    ["/home/me/My Project (2)/src/app.ts", "3", "17"],
    ["/home/me/My Project (2)/src/app.ts", "9", "1"],
    ["file:///home/me/My%20Project/app.mjs", "4", "5"],
    ["file:///home/me/My%20Project/app.mjs", "12", "1"],
    ["/home/me/My Project/top.js", "1", "2"],
    ["<anonymous>", "1", "1"],
    ["C:\\Users\\me\\My App\\src\\main.ts", "3", "5"],
    ["file:///home/me/app.mjs", "7", "9"],
  ]);
});

/** `siteOf(error, true)` (where an error was thrown) with the cwd `cwd`. */
function thrownAt(stack: string, cwd: string): string | null {
  const real = process.cwd;
  process.cwd = () => cwd;
  try {
    return siteOf(captured("no dice", `Error: no dice\n${stack}`), true);
  } finally {
    process.cwd = real;
  }
}

test("siteOf: a file:// URL is decoded before the cwd is cut off (a space, an accent), and Windows paths and URLs are read as paths", () => {
  // Node's and Deno's ES modules: the URL encodes what the cwd spells
  assert.equal(
    thrownAt("    at leaf (file:///home/me/My%20Proj%C3%A9/src/app.mjs:3:17)", "/home/me/My Projé"),
    "src/app.mjs:3",
  );
  // tsx and Bun: paths as they are, spaces and all
  assert.equal(
    thrownAt("    at leaf (/home/me/My Project/src/app.ts:3:17)", "/home/me/My Project"),
    "src/app.ts:3",
  );
  // outside the cwd: the whole path, decoded
  assert.equal(thrownAt("    at leaf (file:///srv/a%20b/app.mjs:3:17)", "/home/me"), "/srv/a b/app.mjs:3");
  // Windows: an ES module's URL, a path with backslashes (CommonJS, tsx), each under the cwd
  const win = "C:\\Users\\me\\My App";
  assert.equal(
    thrownAt("    at main (file:///C:/Users/me/My%20App/src/main.mjs:3:5)", win),
    "src/main.mjs:3",
  );
  assert.equal(thrownAt("    at main (C:\\Users\\me\\My App\\src\\main.ts:3:5)", win), "src/main.ts:3");
  // ... and a package's frame there is no user's site (an error thrown inside a dependency)
  assert.equal(thrownAt("    at parse (C:\\Users\\me\\My App\\node_modules\\dep\\index.js:1:9)", win), null);
  // Windows network (UNC) paths keep their leading `//`, as a path and as an ES module's URL (whose
  // host is the server): each under the cwd, a dependency's frame no user's site, outside the whole path
  const unc = "\\\\server\\share\\My App";
  assert.equal(thrownAt("    at main (\\\\server\\share\\My App\\src\\main.ts:3:5)", unc), "src/main.ts:3");
  assert.equal(
    thrownAt("    at main (file://server/share/My%20App/src/main.mjs:3:5)", unc),
    "src/main.mjs:3",
  );
  assert.equal(
    thrownAt("    at parse (\\\\server\\share\\My App\\node_modules\\dep\\index.js:1:9)", unc),
    null,
  );
  assert.equal(
    thrownAt("    at parse (file://server/share/My%20App/node_modules/dep/index.mjs:1:9)", unc),
    null,
  );
  assert.equal(
    thrownAt("    at main (\\\\server\\share\\lib\\main.ts:3:5)", unc),
    "//server/share/lib/main.ts:3",
  );
  assert.equal(
    thrownAt("    at main (file://server/share/lib/main.mjs:3:5)", "/home/me"),
    "//server/share/lib/main.mjs:3",
  );
  // a browser's script URL keeps its encoding and its column
  assert.equal(
    thrownAt("    at main (http://localhost:5173/My%20App/app.js:3:5)", "/"),
    "http://localhost:5173/My%20App/app.js:3:5",
  );
});

test("framesOf: a V8 path holding `), ` (`Copy (2), old`) is whole; only an eval's location is cut at its last `), `", () => {
  const stack = [
    "Error: x",
    "    at f (/home/me/Copy (2), old/app.ts:3:5)",
    "    at /home/me/Copy (2), old/app.ts:4:6",
    "    at g (eval at f (/home/me/Copy (2), old/a.js:1:2), <anonymous>:7:8)",
    "    at eval (eval at g (eval at f (/x/a.js:1:2), <anonymous>:3:4), <anonymous>:5:6)",
    "    at eval at f (/x/a.js:1:2), <anonymous>:9:9",
    "    at new Foo (/x/b.js:1:2)",
    "    at Object.f [as g] (/x/c.js:1:2)",
  ].join("\n");
  assert.deepEqual(framesOf(stack), [
    ["/home/me/Copy (2), old/app.ts", "3", "5"],
    ["/home/me/Copy (2), old/app.ts", "4", "6"],
    ["<anonymous>", "7", "8"],
    ["<anonymous>", "5", "6"],
    ["<anonymous>", "9", "9"],
    ["/x/b.js", "1", "2"],
    ["/x/c.js", "1", "2"],
  ]);
  // …and such a path under the cwd is cut off it, as any other
  assert.equal(
    thrownAt("    at f (/home/me/Copy (2), old/src/app.ts:3:5)", "/home/me/Copy (2), old"),
    "src/app.ts:3",
  );
});

test("siteOf: a file:// URL with a malformed escape (decodeURIComponent's URIError) is read as it is written, never thrown", () => {
  assert.equal(
    thrownAt("    at leaf (file:///srv/My%20App/x%E0%A4%A.mjs:3:17)", "/home/me"),
    "/srv/My%20App/x%E0%A4%A.mjs:3",
  );
  assert.equal(thrownAt("    at leaf (file:///srv/%:3:17)", "/home/me"), "/srv/%:3");
});
