/**
 * The README's code blocks compile against the package's source, as a user's file importing "doeff"
 * would (one had stopped compiling when expectEffects began checking a program's effects, and no
 * test saw it). The quickstart (the first block) is compiled and run by test/examples.test.ts, which
 * also holds the scaling-out block to no casts; every block after the first that starts with an
 * import is type-checked here, under plain `strict`; the testing snippet, which uses the service of
 * examples/testing.ts, is checked appended to that file.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

const root = new URL("..", import.meta.url).pathname;
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

test("every README code block that imports doeff type-checks (the testing one with examples/testing.ts)", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const checked = blocks.slice(1).filter((b) => b.startsWith("import "));
  assert.ok(
    checked.length >= 3,
    `README has its concurrency, scale-out and testing blocks (${checked.length})`,
  );
  // (inside the repository, so that node_modules — @types/node, bullmq, piscina — resolves)
  const dir = mkdtempSync(join(root, "test", ".readme-"));
  try {
    const files: string[] = [];
    checked.forEach((block, i) => {
      let text = block;
      if (block.includes('from "doeff/testing"')) {
        // the snippet continues examples/testing.ts: its imports are that file's, its names in a block
        const example = readFileSync(join(root, "examples/testing.ts"), "utf8")
          .replace('"../src/index.js"', '"doeff"')
          .replace('"../src/testing/index.js"', '"doeff/testing"');
        const body = block
          .split("\n")
          .filter((l) => !l.startsWith("import "))
          .join("\n");
        text = `${example}\n{\n${body}\n}\n`;
      }
      const name = `block-${i + 2}.ts`;
      writeFileSync(join(dir, name), `${text}\nexport {};\n`);
      files.push(name);
    });
    const src = (f: string) => [join(root, "src", f)];
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          lib: ["ES2022"],
          module: "ESNext",
          moduleResolution: "Bundler",
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ["node"],
          paths: {
            doeff: src("index.ts"),
            "doeff/testing": src("testing/index.ts"),
            "doeff/queue": src("queue/index.ts"),
            "doeff/workers": src("workers/index.ts"),
            "doeff/node": src("node/index.ts"),
          },
        },
        files,
      }),
    );
    let out = "";
    try {
      execFileSync(
        process.execPath,
        [join(root, "node_modules/typescript/bin/tsc"), "-p", join(dir, "tsconfig.json")],
        {
          encoding: "utf8",
          stdio: "pipe",
        },
      );
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string };
      out = `${err.stdout ?? ""}${err.stderr ?? ""}`.replace(ANSI, "");
    }
    assert.equal(out, "", out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the README's Documentation table lists every page of docs/, each once, with a description", () => {
  // pages were added (library-authors.md, coming-from-*.md, cookbook.md) that a reader arriving
  // from npm could find only by listing the directory
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const table = readme.slice(readme.indexOf("## Documentation"), readme.indexOf("The API reference"));
  const listed = [...table.matchAll(/^\| \[docs\/([\w-]+\.md)\]\(docs\/\1\) \| (.+) \|$/gm)];
  const pages = readdirSync(join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .sort();
  assert.deepEqual(listed.map((m) => m[1]!).sort(), pages);
  for (const m of listed) assert.ok(m[2]!.trim().length > 10, `docs/${m[1]} has a description`);
});
