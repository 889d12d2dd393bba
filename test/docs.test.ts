/**
 * User docs: the error table lists every error class the package exports; the worked example in
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

test("docs/errors.md has a row (class, cause, fix, where) for every exported error class", () => {
  const table = read("docs/errors.md");
  const classes = Object.entries(doeff)
    .filter(([, v]) => typeof v === "function" && ((v as unknown) === Error || v.prototype instanceof Error))
    .map(([k]) => k)
    .sort();
  assert.ok(classes.includes("DoeffError") && classes.includes("VMInternalError"));
  for (const name of classes) {
    const row = table.split("\n").find((l) => l.startsWith(`| \`${name}\``));
    assert.ok(row, `docs/errors.md has no row for ${name}`);
    assert.equal(row.split(" | ").length, 4, `${name}: four columns (class, cause, fix, thrown at)`);
  }
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
  for (const entry of ["index", "testing/index", "workers/index", "queue/index"]) {
    const values = Object.keys((await import(`../src/${entry}.js`)) as object);
    // the option types, by name in the entry's export lists (types are not there at run time)
    const options = [...read(`src/${entry}.ts`).matchAll(/\b(\w+Options)\b/g)].map((m) => m[1]!);
    assert.ok(values.length > 0 && (entry !== "index" || options.includes("RetryOptions")));
    for (const name of new Set([...values, ...options])) if (!named(name)) missing.push(`${entry}: ${name}`);
  }
  assert.deepEqual(missing, []);
});
