/**
 * docs/coming-from-effect.md: its port of an Effect service is examples/from-effect/ — the service,
 * its production run and its test — and its failure report is failure-report.ts. The page shows each
 * file exactly; main.ts and failure-report.ts run and print what the page says; the port's own tests
 * (imported below) run here.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import "../examples/from-effect/user-repo.test.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const page = readFileSync(`${root}docs/coming-from-effect.md`, "utf8");

for (const file of ["user-repo.ts", "main.ts", "user-repo.test.ts", "failure-report.ts"]) {
  test(`docs/coming-from-effect.md shows examples/from-effect/${file} exactly`, () => {
    const src = readFileSync(`${root}examples/from-effect/${file}`, "utf8")
      .replaceAll('"../../src/index.js"', '"doeff"')
      .replaceAll('"../../src/testing/index.js"', '"doeff/testing"');
    assert.ok(page.includes(`\`\`\`ts\n${src}\`\`\`\n`), `the page has a block that is ${file}, as it is`);
  });
}

test("examples/from-effect/main.ts runs against its stand-in database and prints what the page says", () => {
  const out = execFileSync(process.execPath, ["--import", "tsx", "examples/from-effect/main.ts"], {
    cwd: root,
    encoding: "utf8",
  });
  const lines = ["pool opened", "pool closed", "Ada, Alan, Grace"];
  assert.deepEqual(out.trimEnd().split("\n"), lines);
  assert.ok(page.includes(`\n\`\`\`\n${lines.join("\n")}\n\`\`\`\n`));
});

test("examples/from-effect/failure-report.ts prints the spans and the traceback the page shows", () => {
  const out = execFileSync(process.execPath, ["--import", "tsx", "examples/from-effect/failure-report.ts"], {
    cwd: root,
    encoding: "utf8",
  });
  const site = (line: number) => `examples/from-effect/failure-report.ts:${line}`;
  const lines = [
    "select 1: answered",
    "select 2: answered",
    "select 3: threw",
    "select 3: threw",
    "doeff traceback (outermost first):",
    `  main at ${site(43)}`,
    `  forEach at ${site(43)}`,
    `  ── in task 3 (spawned at ${site(43)}) ──`,
    `  retry at ${site(43)}`,
    `  fetchOne at ${site(40)}`,
    '  handler handle(Query) for Query("select 3") ⇢',
    `  runQuery at ${site(33)}`,
    `  thrown at ${site(34)}`,
    "DbError: query failed: select 3",
    "  caused by Error: ECONNRESET",
  ];
  assert.deepEqual(out.trimEnd().split("\n"), lines);
  assert.ok(page.includes(`\n\`\`\`\n${lines.join("\n")}\n\`\`\`\n`), "the page shows that output");
});
