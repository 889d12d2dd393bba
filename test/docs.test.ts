/**
 * User docs: the error tables list every error class the package's four entry points export, and the
 * compile-time section every compile-error type; the worked example in
 * docs/testing.md is the code that examples/testing.ts runs; nothing points outside the repository;
 * every value export and option type of each entry point is named somewhere in the docs (a user
 * should find it without the API reference: `DEFER`, `ReportProgress` and `RetryOptions` were not).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as doeff from "../src/index.js";

const root = new URL("..", import.meta.url).pathname;
const read = (f: string): string => readFileSync(join(root, f), "utf8");

const ENTRIES = ["index", "testing/index", "workers/index", "queue/index", "node/index"] as const;

/** The error classes an entry point exports (values whose prototype is an Error's). */
async function errorClassesOf(entry: string): Promise<string[]> {
  const mod = (await import(`../src/${entry}.js`)) as Record<string, unknown>;
  return Object.entries(mod)
    .filter(([, v]) => typeof v === "function" && (v === Error || v.prototype instanceof Error))
    .map(([k]) => k)
    .sort();
}

/**
 * `*Error` types that are not compile errors: a traceback's error as data (TraceError) and the
 * instances `recover` catches (RecoveredError). Each must still be exported (checked below), so a
 * name does not stay here after it is gone.
 */
const NOT_COMPILE_ERRORS = ["RecoveredError", "TraceError"];

test("docs/errors.md has a row (class, cause, fix, where) for every error class of doeff, doeff/testing, doeff/workers, doeff/queue and doeff/node", async () => {
  const lines = read("docs/errors.md").split("\n");
  assert.ok(Object.keys(doeff).includes("VMInternalError"));
  const missing: string[] = [];
  for (const entry of ENTRIES) {
    const classes = await errorClassesOf(entry);
    assert.ok(classes.length > 0, `${entry} exports no error class`);
    for (const name of classes) {
      const row = lines.find((l) => l.startsWith(`| \`${name}\``));
      if (!row) missing.push(`${entry}: ${name}`);
      else assert.equal(row.split(" | ").length, 4, `${name}: four columns (class, cause, fix, thrown at)`);
    }
  }
  assert.deepEqual(missing, [], "error classes without a row in docs/errors.md");
});

test("docs/errors.md's compile-time section names every *Error type of doeff, doeff/testing, doeff/workers, doeff/queue and doeff/node", async () => {
  const page = read("docs/errors.md");
  const from = page.indexOf("\n## Compile-time errors\n");
  assert.ok(from >= 0, "docs/errors.md has a section ## Compile-time errors");
  const section = page.slice(from + 1, page.indexOf("\n## ", from + 1));
  const missing: string[] = [];
  const exported = new Set<string>();
  for (const entry of ENTRIES) {
    const classes = new Set(await errorClassesOf(entry));
    // the types, by name in the entry's export lists (types are not there at run time)
    const names = new Set([...read(`src/${entry}.ts`).matchAll(/\b(\w+Error)\b/g)].map((m) => m[1]!));
    for (const name of names) {
      exported.add(name);
      if (classes.has(name) || NOT_COMPILE_ERRORS.includes(name)) continue;
      // named as itself: `MissingHandlerError<Roll>` or `EmptyClassListError`
      if (!new RegExp(`\`${name}[<\`]`).test(section)) missing.push(`${entry}: ${name}`);
    }
  }
  assert.ok(exported.has("MissingHandlerError") && exported.has("JobArgNotJsonError"));
  for (const name of NOT_COMPILE_ERRORS) assert.ok(exported.has(name), `${name} is no longer exported`);
  assert.deepEqual(
    missing,
    [],
    "compile-time error types not named in docs/errors.md's compile-time section",
  );
});

/** Code without comments, whitespace and trailing commas, for comparing formatted and unformatted text. */
const squash = (s: string): string =>
  s
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/\/\/[^\n]*/g, "")
    .replace(/\s+/g, "")
    .replace(/,([)\]}])/g, "$1");

test("docs/testing.md shows the code that examples/testing.ts runs", () => {
  const doc = read("docs/testing.md");
  const example = squash(read("examples/testing.ts"));
  const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const shown = blocks.filter((b) => /^(test\(|class |const )/m.test(b) && !b.startsWith("import"));
  assert.ok(shown.length >= 4);
  for (const b of shown) assert.ok(example.includes(squash(b)), `not in examples/testing.ts:\n${b}`);
});

test("README, CHANGELOG and docs/ never point outside the repository (../shared, absolute paths)", () => {
  const files = [
    "README.md",
    "CHANGELOG.md",
    ...readdirSync(join(root, "docs"))
      .filter((f) => f.endsWith(".md"))
      .map((f) => `docs/${f}`),
  ];
  for (const f of files) {
    const text = read(f);
    assert.doesNotMatch(text, /\.\.\/shared\b|\]\(\/(?!\/)/, f);
  }
});

test("README and docs/ name every value export of doeff and its subpaths, and every *Options type", async () => {
  const docs = [
    "README.md",
    ...readdirSync(join(root, "docs"))
      .filter((f) => f.endsWith(".md"))
      .map((f) => `docs/${f}`),
  ]
    .map(read)
    .join("\n");
  const named = (name: string): boolean => new RegExp(`\\b${name}\\b`).test(docs);
  const missing: string[] = [];
  for (const entry of ["index", "testing/index", "workers/index", "queue/index", "node/index"]) {
    const values = Object.keys((await import(`../src/${entry}.js`)) as object);
    // the option types, by name in the entry's export lists (types are not there at run time)
    const options = [...read(`src/${entry}.ts`).matchAll(/\b(\w+Options)\b/g)].map((m) => m[1]!);
    assert.ok(values.length > 0 && (entry !== "index" || options.includes("RetryOptions")));
    for (const name of new Set([...values, ...options])) if (!named(name)) missing.push(`${entry}: ${name}`);
  }
  assert.deepEqual(missing, []);
});
