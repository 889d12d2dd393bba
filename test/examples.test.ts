/** The examples a user would copy run, and print what the README says they print. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

const root = new URL("..", import.meta.url).pathname;

function runExample(file: string): string {
  return execFileSync(process.execPath, ["--import", "tsx", file], { cwd: root, encoding: "utf8" });
}

test("examples/quickstart.ts prints the demo", () => {
  const out = runExample("examples/quickstart.ts");
  assert.equal(
    out,
    [
      "== doeff quickstart ==",
      "log:",
      "  rolled a d6: 6",
      "  rolled a d6: 5",
      "  ada now has 11",
      "  rolled a d6: 3",
      "  rolled a d6: 4",
      "  alan now has 7",
      '  no score for "nobody" (handled)',
      "store: { ada: 11, alan: 7, rounds: 1 }",
      'Ok: {"ada":11,"alan":7}',
      "",
      "a failing run:",
      "doeff traceback (outermost first):",
      '  effect Get("missing"): state ✗',
      'MissingStateKeyError: state has no key "missing"; put() it first or seed it with run(p, { store: { missing: ... } })',
      "",
    ].join("\n"),
  );
});

test("examples/when-things-go-wrong.ts prints the report shown in the README", () => {
  const out = runExample("examples/when-things-go-wrong.ts");
  const expected = [
    "doeff traceback (outermost first):",
    "  startup at examples/when-things-go-wrong.ts:9",
    "  connect at examples/when-things-go-wrong.ts:4",
    '  effect Ask("db.url"): reader ✗, state ·',
    'MissingEnvKeyError: environment has no key "db.url"; pass it with run(p, { env: { "db.url": ... } }) or local({ "db.url": ... }, program)',
    "",
  ].join("\n");
  assert.equal(out, expected);
  const readme = execFileSync("cat", ["README.md"], { cwd: root, encoding: "utf8" });
  assert.ok(readme.includes(expected.trimEnd()), "README shows the same output");
});

test("README quickstart compiles (strict, no casts) and prints what its comment says", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Quickstart"));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block, "README has a quickstart code block");
  assert.doesNotMatch(block, /\bany\b| as [A-Z]/, "no any or casts in user code");
  const dir = mkdtempSync(join(root, "test", ".readme-"));
  try {
    const file = join(dir, "quickstart.ts");
    writeFileSync(file, block.replace(/from "doeff"/g, 'from "../../src/index.js"'));
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({ extends: "../../tsconfig.json", include: ["quickstart.ts"] }),
    );
    execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", dir], { cwd: root });
    const out = execFileSync(process.execPath, ["--import", "tsx", file], { cwd: root, encoding: "utf8" });
    assert.equal(out, "12 { last: 4 } [ 'rolled 4' ]\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("README's scaling-out example compiles (strict, no casts)", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Scaling out"));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block, "README has a scaling-out code block");
  const code = block.replace(/\/\/[^\n]*/g, ""); // (the comments may say "any")
  assert.doesNotMatch(code, /\bany\b| as [A-Z]/, "no any or casts in user code");
  const dir = mkdtempSync(join(root, "test", ".readme-"));
  try {
    const file = join(dir, "scale.ts");
    writeFileSync(
      file,
      `${block
        .replace(/from "doeff\/queue"/g, 'from "../../src/queue/index.js"')
        .replace(/from "doeff\/workers"/g, 'from "../../src/workers/index.js"')
        .replace(/from "doeff"/g, 'from "../../src/index.js"')}\nexport const done = result.ok;\n`,
    );
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({ extends: "../../tsconfig.json", include: ["scale.ts"] }),
    );
    execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", dir], { cwd: root });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("examples/job-runner.ts: jobs with deadlines, retries and a pool, to the end and interrupted, leave nothing open", () => {
  assert.deepEqual(runExample("examples/job-runner.ts").trimEnd().split("\n"), [
    "== to the end ==",
    "  5 ms  job 1 attempt 1 on connection 1",
    "  5 ms  job 2 attempt 1 on connection 2",
    " 40 ms  job 3 attempt 1 on connection 3",
    " 45 ms  job 2 still running",
    " 60 ms  job 4 attempt 1 on connection 4",
    " 65 ms  job 5 attempt 1 on connection 5",
    "100 ms  job 4 still running",
    "110 ms  job 3 attempt 2 on connection 6",
    "135 ms  job 6 attempt 1 on connection 7",
    "160 ms  job 4 attempt 2 on connection 8",
    "175 ms  job 6 still running",
    "200 ms  job 4 still running",
    "240 ms  job 4 still running",
    "255 ms  job 4 failed: scoped(job) timed out after 100 ms",
    "255 ms  done; 0 connection(s) open",
    'Ok: [100,200,300,"failed",500,600]',
    'counters: {"attempts":8,"succeeded":5,"failed":1}; warnings: 0',
    "== interrupted ==",
    "  5 ms  job 1 attempt 1 on connection 1",
    "  5 ms  job 2 attempt 1 on connection 2",
    " 40 ms  job 3 attempt 1 on connection 3",
    " 45 ms  job 2 still running",
    " 60 ms  job 4 attempt 1 on connection 4",
    " 65 ms  job 5 attempt 1 on connection 5",
    "100 ms  done; 0 connection(s) open",
    "doeff: the run was aborted by its signal (run option `signal`); its finally blocks ran",
    'counters: {"attempts":6,"succeeded":0,"failed":0}; warnings: 0',
  ]);
});
