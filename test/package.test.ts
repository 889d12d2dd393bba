/**
 * Packaging, checked on the packed tarball as a user installs it: `npm run build` emits dist/ with
 * types; publint and arethetypeswrong find nothing; a scratch project that installs the tarball can
 * `import` it, `require` it (Node 20.19+ require(esm)), bundle it with esbuild (esm, cjs, iife) and
 * type-check against it from ESM and CJS TypeScript; no source or declaration map (they would point
 * at src/, not shipped) and no `@internal` member ships; `doeff/testing` resolves.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { packed } from "./scratch-package.js";

const root = new URL("..", import.meta.url).pathname;
const bin = (name: string): string => join(root, "node_modules", ".bin", name);

let dir = "";
let tgz = "";
/** the folder `npm run build` ran in and `npm pack` packed */
let built = "";

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: dir, encoding: "utf8" });
}

before(() => {
  // `npm run build` and `npm pack` of the current sources (test/scratch-package.ts: a copy of them,
  // built once per change and shared with the other test files that install the tarball)
  ({ tgz, pkg: built } = packed());
  dir = mkdtempSync(join(tmpdir(), "doeff-pack-"));
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "scratch", private: true, type: "module" }),
  );
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--offline", tgz], { cwd: dir, stdio: "pipe" });
});

after(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

const PROGRAM = `run(program(function* () { yield* put("n", 41); return (yield* get("n")) + 1; }), { handlers: [state] })`;
const EXPECTED = JSON.stringify([42, { n: 41 }]);

test("package: build emits dist with types for both entries", () => {
  for (const f of ["dist/index.js", "dist/index.d.ts", "dist/testing/index.js", "dist/testing/index.d.ts"])
    assert.ok(existsSync(join(built, f)), f);
});

test("package: the tarball holds dist, docs, README, CHANGELOG and LICENSE, and no src or declaration maps", () => {
  const files = execFileSync("tar", ["tzf", tgz], { encoding: "utf8" }).trim().split("\n");
  for (const f of ["package/LICENSE", "package/CHANGELOG.md", "package/README.md", "package/package.json"])
    assert.ok(files.includes(f), f);
  assert.ok(
    files.some((f) => f.startsWith("package/docs/")),
    "docs/ ships",
  );
  assert.deepEqual(
    files.filter((f) => f.startsWith("package/src/") || f.endsWith(".d.ts.map")),
    [],
  );
  const license = readFileSync(join(root, "LICENSE"), "utf8");
  assert.match(license, /^MIT License/);
  assert.match(license, /doeff contributors/);
});

test("package: no source maps ship (dist/ is readable ES2022 with comments), and no .d.ts has @internal", () => {
  // Maps would point at src/, which is not shipped; stack traces name dist/*.js, which is.
  const pkg = join(dir, "node_modules", "doeff", "dist");
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)],
    );
  const all = walk(pkg);
  assert.deepEqual(
    all.filter((f) => f.endsWith(".map")),
    [],
  );
  const js = all.filter((f) => f.endsWith(".js"));
  assert.ok(js.length > 10);
  for (const f of js) assert.doesNotMatch(readFileSync(f, "utf8"), /sourceMappingURL/, f);
  assert.match(readFileSync(join(pkg, "run", "run.js"), "utf8"), /\/\*\*/, "doc comments kept");
  for (const d of all.filter((f) => f.endsWith(".d.ts")))
    assert.doesNotMatch(readFileSync(d, "utf8"), /@internal/, d);
  // A handler's `k`: its constructor (the VM's, taking segments) is internal, so the declaration a
  // user reads names no Segment, a type the package does not export (the class is a type export).
  const continuation = readFileSync(join(pkg, "vm", "continuation.d.ts"), "utf8");
  assert.match(continuation, /export declare class Continuation</);
  assert.doesNotMatch(continuation, /Segment|constructor\(/);
});

test("package: publint finds nothing", () => {
  const out = execFileSync(bin("publint"), ["run", tgz, "--strict"], { cwd: root, encoding: "utf8" });
  assert.match(out, /All good!/);
});

test("package: arethetypeswrong finds nothing (node16 ESM/CJS and bundler resolution)", () => {
  // node10 (no `exports`) cannot reach a subpath; CJS-to-ESM is require(esm), supported from
  // Node 20.19 / 22.12 and TypeScript 5.8 (`module: node20`/`nodenext`), checked for real below.
  execFileSync(bin("attw"), [tgz, "--profile", "node16", "--ignore-rules", "cjs-resolves-to-esm"], {
    cwd: root,
    stdio: "pipe",
  });
});

test("package: ESM import of the tarball runs a program; doeff/testing and doeff/node resolve", () => {
  writeFileSync(
    join(dir, "main.mjs"),
    `import { run, program, get, put, state } from "doeff";
import * as testing from "doeff/testing";
import { runMain } from "doeff/node";
const r = ${PROGRAM};
console.log(JSON.stringify([r.value, r.store]));
console.log(typeof testing.record);
console.log((await runMain(() => r)).value === r.value);`,
  );
  assert.equal(node(["main.mjs"]), `${EXPECTED}\nfunction\ntrue\n`);
});

test("package: CJS require of the tarball runs a program (require(esm), Node 20.19+)", () => {
  writeFileSync(
    join(dir, "main.cjs"),
    `const { run, program, get, put, state } = require("doeff");
const { record } = require("doeff/testing");
const { runMain } = require("doeff/node");
const r = ${PROGRAM};
console.log(JSON.stringify([r.value, r.store]));
console.log(typeof record, typeof runMain);`,
  );
  // Node 20.19+ enables require(esm) by default but warns once that it is experimental.
  const out = execFileSync(process.execPath, ["--no-warnings", "main.cjs"], {
    cwd: dir,
    encoding: "utf8",
  });
  assert.equal(out, `${EXPECTED}\nfunction function\n`);
});

test("package: esbuild bundles of the tarball (esm, cjs, iife) load and run, and keep trace sites", async () => {
  const esbuild = await import("esbuild");
  writeFileSync(
    join(dir, "app.js"),
    `import { run, program, get, put, state, ask, reader } from "doeff";
const r = ${PROGRAM};
const failing = program(function* startup() {
  return yield* ask("db.url");
});
const f = run(failing, { handlers: [state, reader], trace: { sites: true } });
globalThis.__out = JSON.stringify([r.value, r.store]) + "\\n" + f.format();
if (typeof console !== "undefined") console.log(globalThis.__out);`,
  );
  // keepNames: without it esbuild renames colliding functions (`reader` → `reader2`), and the
  // traceback shows the renamed names; loading, running and sites do not depend on it.
  for (const [format, keepNames] of [
    ["esm", true],
    ["cjs", true],
    ["iife", true],
    ["iife", false],
  ] as const) {
    const outfile = join(dir, `bundle-${format}-${keepNames}.${format === "esm" ? "mjs" : "cjs"}`);
    await esbuild.build({
      keepNames,
      absWorkingDir: dir,
      entryPoints: ["app.js"],
      bundle: true,
      format,
      platform: "neutral",
      mainFields: ["module", "main"],
      outfile,
      logLevel: "silent",
    });
    const out = node([outfile]);
    const lines = out.split("\n");
    assert.equal(lines[0], EXPECTED, format);
    assert.equal(lines[1], "doeff traceback (outermost first):", format);
    // the frame's site is the user's yield inside the bundle, not a library line
    const text = readFileSync(outfile, "utf8").split("\n");
    const siteLine = /^ {2}startup at (.+):(\d+)$/.exec(lines[2] ?? "");
    assert.ok(siteLine, `${format}: ${lines[2]}`);
    assert.match(text[Number(siteLine[2]) - 1] ?? "", /yield\* ask\("db\.url"\)/, format);
    if (keepNames) assert.match(lines[3] ?? "", /^ {2}effect Ask\("db\.url"\): reader ✗, state ·$/, format);
    else assert.match(lines[3] ?? "", /^ {2}effect Ask\("db\.url"\): reader\d* ✗, state\d* ·$/, format);
  }
});

test("package: TypeScript consumers resolve the types through the exports map (ESM and CJS)", () => {
  writeFileSync(
    join(dir, "main.ts"),
    `import { run, program, get, put, state, type RunResult } from "doeff";
import { record } from "doeff/testing";
const r: RunResult<number> = run(program(function* () { yield* put("n", 1); return (yield* get<number>("n")) + 1; }), { handlers: [state] });
export const n: number = r.value;
export const rec = record();`,
  );
  writeFileSync(
    join(dir, "main.cts"),
    `import { run, program, pure } from "doeff";
import { record } from "doeff/testing";
export const n: number = run(program(function* () { return yield* pure(1); })).value;
export const rec = record();`,
  );
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: "NodeNext",
        moduleResolution: "NodeNext",
        target: "ES2022",
        noEmit: true,
        skipLibCheck: false,
        types: [],
      },
      files: ["main.ts", "main.cts"],
    }),
  );
  execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", dir], {
    cwd: dir,
    stdio: "pipe",
  });
});
