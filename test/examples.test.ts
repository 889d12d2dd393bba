/** The examples a user would copy run, and print what the README says they print. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { after, test } from "node:test";

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

/** The README's ```ts block after `heading`. */
function readmeBlock(heading: string): string | undefined {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  return /```ts\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf(heading)))?.[1];
}

/**
 * A block compiled beside another must be a module (it imports) that declares nothing global, so
 * that it cannot change what the other file means: each is then checked as if alone.
 */
function ownScope(block: string): string | undefined {
  if (!/^import /m.test(block)) return "it imports nothing (a script: its names would be global)";
  if (/\bdeclare\s+(global|module)\b/.test(block)) return "it declares something global";
  return undefined;
}

/**
 * The README's quickstart and scaling-out blocks, as quickstart.ts and scale.ts of one folder under
 * the repository's tsconfig, type-checked by ONE `tsc` run: each run checks all of src/ again, so
 * two cost twice the time for the same answer. Each test reads the errors of the run but those of
 * the other block's file (so an error in one is that one's, and does not hide the other's).
 */
const TSC_FILES = { quickstart: "quickstart.ts", scale: "scale.ts" } as const;
let readmeCompile: { readonly dir: string; readonly out: string } | undefined;
after(() => {
  if (readmeCompile) rmSync(readmeCompile.dir, { recursive: true, force: true });
});
function compiledReadme(): { readonly dir: string; readonly out: string } {
  if (readmeCompile) return readmeCompile;
  const dir = mkdtempSync(join(root, "test", ".readme-"));
  const files: string[] = [];
  const quickstart = readmeBlock("## Quickstart");
  if (quickstart !== undefined && ownScope(quickstart) === undefined) {
    writeFileSync(
      join(dir, TSC_FILES.quickstart),
      quickstart.replace(/from "doeff"/g, 'from "../../src/index.js"'),
    );
    files.push(TSC_FILES.quickstart);
  }
  const scale = readmeBlock("## Scaling out");
  if (scale !== undefined && ownScope(scale) === undefined) {
    writeFileSync(
      join(dir, TSC_FILES.scale),
      `${scale
        .replace(/from "doeff\/queue"/g, 'from "../../src/queue/index.js"')
        .replace(/from "doeff\/workers"/g, 'from "../../src/workers/index.js"')
        .replace(/from "doeff"/g, 'from "../../src/index.js"')}\nexport const done = result.ok;\n`,
    );
    files.push(TSC_FILES.scale);
  }
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({ extends: "../../tsconfig.json", include: files }),
  );
  let out = "";
  try {
    execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", dir], {
      cwd: root,
      encoding: "utf8",
      stdio: "pipe",
    });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    out = `${err.stdout ?? ""}${err.stderr ?? ""}` || String(e);
  }
  readmeCompile = { dir, out };
  return readmeCompile;
}

/** The errors of the shared run (one per line and its indented continuation), but `other`'s. */
function errorsBut(other: keyof typeof TSC_FILES): string {
  const { dir, out } = compiledReadme();
  const skip = `${relative(root, join(dir, TSC_FILES[other]))}(`;
  const errors: string[] = [];
  for (const line of out.split("\n")) {
    if (line.startsWith(" ") && errors.length > 0) errors[errors.length - 1] += `\n${line}`;
    else if (line.trim() !== "") errors.push(line);
  }
  return errors.filter((e) => !e.startsWith(skip)).join("\n");
}

test("README quickstart compiles (strict, no casts) and prints what its comment says", () => {
  const block = readmeBlock("## Quickstart");
  assert.ok(block, "README has a quickstart code block");
  assert.doesNotMatch(block, /\bany\b| as [A-Z]/, "no any or casts in user code");
  assert.equal(ownScope(block), undefined, "the quickstart is compiled beside the scaling-out block");
  const errors = errorsBut("scale");
  assert.equal(errors, "", `the quickstart does not compile:\n${errors}`);
  const file = join(compiledReadme().dir, TSC_FILES.quickstart);
  const out = execFileSync(process.execPath, ["--import", "tsx", file], { cwd: root, encoding: "utf8" });
  assert.equal(out, "12 { last: 4 } [ 'rolled 4' ]\n");
});

test("README's scaling-out example compiles (strict, no casts)", () => {
  const block = readmeBlock("## Scaling out");
  assert.ok(block, "README has a scaling-out code block");
  const code = block.replace(/\/\/[^\n]*/g, ""); // (the comments may say "any")
  assert.doesNotMatch(code, /\bany\b| as [A-Z]/, "no any or casts in user code");
  assert.equal(ownScope(block), undefined, "the scaling-out block is compiled beside the quickstart");
  const errors = errorsBut("quickstart");
  assert.equal(errors, "", `the scaling-out block does not compile:\n${errors}`);
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
