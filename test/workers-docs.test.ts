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
