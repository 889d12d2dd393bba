/**
 * src/effects/keep-fast.ts: the classes the scheduler makes or tests per effect keep fast properties
 * (V8) when a build step redefined their `name` — esbuild's keepNames, which tsx always sets. Without
 * keepFast such a class is a dictionary-mode object: `new` of it ~50× and `instanceof` ~4× slower
 * (raceAll and timeout 2.5–4× as long under tsx). Checked in a child process run with
 * --allow-natives-syntax (%HasFastProperties) under tsx, as the benchmark runs src/.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import * as esbuild from "esbuild";

const root = join(import.meta.dirname, "..");
const src = (f: string) => JSON.stringify(pathToFileURL(join(root, "src", f)).href);

const probe = `
const fast = new Function("c", "return %HasFastProperties(c)");
// (the handlers make their classes fast, so the probe loads them, as a program does)
await import(${src("index.ts")});
const sched = await import(${src("effects/scheduler.ts")});
const time = await import(${src("effects/time.ts")});
const task = await import(${src("handlers/scheduler-task.ts")});
const { Effect } = await import(${src("effects/effect.ts")});
// the premise: under this loader a derived class's name is redefined, and that makes it slow
class Probe extends Effect {}
const classes = {
  ...Object.fromEntries(
    ["Spawn", "Wait", "Gather", "Race", "Cancel", "IsDone", "CreatePromise", "CompletePromise", "FailPromise",
     "CreateExternalPromise", "AwaitPromise", "GetAbortSignal", "GetTaskInfo", "Cede", "RegisterIdleSource",
     "SchedulerEffect", "Task", "TaskRecord", "Future"].map((k) => [k, sched[k]]),
  ),
  RefTask: sched.newTask({ id: 1 }).constructor,
  Now: time.Now,
  Delay: time.Delay,
  TaskDone: task.TaskDone,
  TaskRec: task.TaskRec,
};
console.log(JSON.stringify({
  premise: !fast(Probe),
  slow: Object.entries(classes).filter(([, c]) => !fast(c)).map(([k]) => k),
}));
`;

test("keepFast: under tsx (esbuild keepNames) every effect class the scheduler makes or tests per effect, and its task records, keep fast properties", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "doeff-keep-fast-"));
  try {
    const file = join(dir, "probe.mts");
    writeFileSync(file, probe);
    const r = spawnSync(process.execPath, ["--allow-natives-syntax", "--import", "tsx", file], {
      cwd: root,
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { premise: boolean; slow: string[] };
    if (!out.premise) {
      t.skip("this loader no longer redefines a class's name into dictionary mode: nothing to keep fast");
      return;
    }
    assert.deepEqual(out.slow, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The effect classes (by their displayName) in a minified bundle of `entry`, tree-shaken. */
async function classesKept(entry: string): Promise<string[]> {
  const r = await esbuild.build({
    stdin: { contents: entry, resolveDir: root, loader: "ts", sourcefile: "entry.ts" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  const code = r.outputFiles[0]!.text;
  return ["Now", "Delay", "Spawn", "Gather", "Race", "GetTaskInfo", "RegisterIdleSource", "Cede"].filter(
    (n) => code.includes(`"${n}"`),
  );
}

test("keepFast does not defeat tree-shaking: a bundle keeps only the effect classes it uses, until it imports their handler", async () => {
  // (a top-level keepFast(Now, Delay) in effects/time.ts kept Delay in a bundle of `now` alone, and
  // keepFast(Spawn, Wait, …) in effects/scheduler.ts every scheduler effect in one of `spawn` alone)
  assert.deepEqual(await classesKept(`export { now } from "./src/index.ts";`), ["Now"]);
  assert.deepEqual(await classesKept(`export { delay } from "./src/index.ts";`), ["Delay"]);
  assert.deepEqual(await classesKept(`export { spawn, wait, run } from "./src/index.ts";`), ["Spawn"]);
  // the handlers take every class of theirs anyway: the calls sit there
  assert.deepEqual(await classesKept(`export { scheduler, simulatedTime } from "./src/index.ts";`), [
    "Now",
    "Delay",
    "Spawn",
    "Gather",
    "Race",
    "GetTaskInfo",
    "RegisterIdleSource",
    "Cede",
  ]);
});
