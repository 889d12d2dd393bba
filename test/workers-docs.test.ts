/**
 * docs/workers.md: every TypeScript snippet is a whole file (its first line names it, `// jobs.ts`),
 * the snippets compile together (strict, no undefined names), and the programs run as shown.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

const root = new URL("..", import.meta.url).pathname;

test("docs/workers.md: every snippet is a self-contained file; together they compile and run as shown", () => {
  const doc = readFileSync(join(root, "docs/workers.md"), "utf8");
  const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  assert.ok(blocks.length >= 3);
  const files = new Map<string, string>();
  for (const b of blocks) {
    const name = /^\/\/ ([\w-]+\.ts)\b/.exec(b)?.[1];
    assert.ok(name, `a snippet of docs/workers.md does not start with the file it is (// jobs.ts):\n${b}`);
    assert.ok(!files.has(name), `two snippets are ${name}`);
    files.set(name, b);
  }
  const dir = mkdtempSync(join(root, "test", ".readme-workers-"));
  try {
    for (const [name, code] of files)
      writeFileSync(
        join(dir, name),
        code
          .replace(/from "doeff\/workers"/g, 'from "../../src/workers/index.js"')
          .replace(/from "doeff\/testing"/g, 'from "../../src/testing/index.js"')
          .replace(/from "doeff"/g, 'from "../../src/index.js"'),
      );
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({ extends: "../../tsconfig.json", include: [...files.keys()] }),
    );
    try {
      execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", dir], {
        cwd: root,
        encoding: "utf8",
      });
    } catch (e) {
      assert.fail(`docs/workers.md's snippets do not compile:\n${(e as { stdout?: string }).stdout ?? e}`);
    }
    const out = (file: string): string =>
      execFileSync(process.execPath, ["--import", "tsx", join(dir, file)], {
        cwd: root,
        encoding: "utf8",
        timeout: 120_000,
      });
    assert.equal(out("main.ts"), "78498 4\n");
    assert.equal(out("shapes-main.ts"), "5 true\n");
    // the code that runs jobs tested with RunInWorker mocked, on a virtual clock
    assert.equal(out("main-test.ts"), "[ 4, 6 ] 200\n");
    // a job that runs a job: on a second pool it runs; on the job's own pool of size 1 it is refused
    // with the DeadlockError the page quotes
    assert.equal(out("nested-main.ts"), "14\n");
    writeFileSync(
      join(dir, "nested-alone.ts"),
      files
        .get("nested-main.ts")!
        .replace("handlers: [scheduler, realTime, pool, nested]", "handlers: [scheduler, realTime, pool]")
        .replace(
          "console.log(r.value);",
          "console.log(r.error instanceof DeadlockError, (r.error as Error).message);",
        )
        .replace("import { handle,", "import { DeadlockError, handle,")
        .replace(/from "doeff\/workers"/g, 'from "../../src/workers/index.js"')
        .replace(/from "doeff"/g, 'from "../../src/index.js"'),
    );
    const shown = /second pool\):\n\n```\n([\s\S]*?)```/.exec(doc)?.[1];
    assert.ok(shown, "docs/workers.md quotes the DeadlockError of a job that runs a job");
    const label = (file: string) => `${join(dir, file).slice(root.length)}`;
    assert.equal(
      out("nested-alone.ts").replace(/\s+/g, " ").trim(),
      `true ${shown.replace(/\s+/g, " ").trim()}`.replaceAll(
        "nested-jobs.js#",
        `${label("nested-jobs.js")}#`,
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("docs/workers.md says what runInWorkerFor and workerFn check and do not; README says the same", () => {
  const doc = readFileSync(join(root, "docs/workers.md"), "utf8").replace(/\s+/g, " ");
  for (const s of [
    "### What the types check",
    "- **the export name**: only an export that is a function returning a Program, or a Program, can be named",
    "- **the effects the job forwards**: those of its program's effects whose class is in the module's `forward` list join the row of the program that makes the call",
    "- **cloneability of the arguments, as far as types show it**: an argument whose type structured clone would refuse or strip",
    "Types cannot say everything about cloning: an instance of a class with data fields only looks like a plain object to them, and the result is not checked at the call.",
    "the older shorthand, gives a typed function for one export but checks less: the arguments' and result's types only. It does not check: - **the export name against the module**",
    "- **the effects the job forwards**: the job's `forward` list is not part of the type, so a forwarded effect that no handler of the parent takes is an `UnhandledEffectError` at run time",
  ])
    assert.ok(doc.includes(s), `docs/workers.md lacks: ${s}`);
  const readme = readFileSync(join(root, "README.md"), "utf8").replace(/\s+/g, " ");
  assert.ok(
    readme.includes(
      "`runInWorkerFor<typeof jobs>(url)` does the same for a thread's module: export names, arguments and results are checked, and the effects a job forwards to the parent join the caller's row",
    ),
  );
  assert.ok(readme.includes("(docs/workers.md#what-the-types-check)"));
});

test("docs/workers.md describes jobs that run jobs (the DeadlockError's section) and symbol-keyed fields", () => {
  const doc = readFileSync(join(root, "docs/workers.md"), "utf8");
  // the refusal sends the reader to this section by its title (src/workers/nested.ts)
  const nested = readFileSync(join(root, "src/workers/nested.ts"), "utf8");
  assert.ok(nested.includes('(docs/workers.md, "Jobs that run jobs")'));
  assert.ok(doc.includes("\n## Jobs that run jobs\n"));
  const flat = doc.replace(/\s+/g, " ");
  for (const s of [
    "doeff counts those jobs and refuses the nested job that would need such a thread at once, with a `DeadlockError`",
    "while one thread runs an ordinary job (or is idle), the nested job waits its turn and runs",
    "Structured clone copies string keys only, so a field keyed by a symbol would vanish on the way; doeff refuses it too",
    'an effect\'s *own* field keyed by a registered symbol (`this[Symbol.for("app.id")] = …`) is forwarded with it, and the parent re-creates the key with `Symbol.for`',
  ])
    assert.ok(flat.includes(s), `docs/workers.md lacks: ${s}`);
});

test("docs/workers.md says which errors have no remoteTraceback: one thrown while the export builds its program too", () => {
  const flat = readFileSync(join(root, "docs/workers.md"), "utf8").replace(/\s+/g, " ");
  for (const s of [
    "An error that did not end a run of the job has none: - a `WorkerModuleError`: the module or export could not give a program; - a `WorkerCrashedError`: the thread ended before it answered;",
    "- an error the export function itself threw while it built the job's program, before any of that program ran (a check of its arguments, say). It comes back as it was thrown:",
    "- the `TypeError` of a result that cannot be sent back to the parent",
  ])
    assert.ok(flat.includes(s), `docs/workers.md lacks: ${s}`);
});
