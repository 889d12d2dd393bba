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

const root = join(import.meta.dirname, "..");
const src = (f: string) => JSON.stringify(pathToFileURL(join(root, "src", f)).href);

const probe = `
const fast = new Function("c", "return %HasFastProperties(c)");
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
