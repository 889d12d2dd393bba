/**
 * test/scratch-package.ts's lock: a test file building the tarball holds it; another waits, unless
 * the builder's process is gone (a run stopped mid-build), whose lock it then takes over.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { abandoned } from "./scratch-package.js";

const work = mkdtempSync(join(tmpdir(), "doeff-pack-lock-"));
after(() => rmSync(work, { recursive: true, force: true }));

test("scratch package: a lock is abandoned only when its builder's process has exited", () => {
  const lock = (name: string, pid?: number): string => {
    const dir = join(work, `${name}.lock`);
    mkdirSync(dir);
    if (pid !== undefined) writeFileSync(join(dir, "pid"), String(pid));
    return dir;
  };
  // a process that has exited: its pid is free (not reused this soon)
  const gone = spawnSync(process.execPath, ["-e", "0"]).pid!;
  assert.equal(abandoned(lock("gone", gone)), true);
  assert.equal(abandoned(lock("alive", process.pid)), false);
  assert.equal(abandoned(lock("starting")), false, "its pid is not written yet");
  assert.equal(abandoned(join(work, "released.lock")), false, "released: look for the entry again");
});
