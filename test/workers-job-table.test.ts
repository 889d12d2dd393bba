/** doeff/workers' table of the parent's jobs in flight: a ring by id, a Map for ids whose slot is taken. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { JobTable } from "../src/workers/job-table.js";

test("workers: the job table finds every job in flight, also those whose ring slot an older job holds", () => {
  const t = new JobTable<{ id: number }>();
  const jobs = Array.from({ length: 3000 }, (_, i) => ({ id: i + 1 }));
  for (const j of jobs) t.add(j);
  for (const j of jobs) assert.equal(t.get(j.id), j);
  assert.equal(t.get(5000), undefined);
  // the older jobs end first: a slot freed by one is not the place of another that shares it
  for (const j of jobs.slice(0, 1500)) t.delete(j);
  for (const j of jobs.slice(0, 1500)) assert.equal(t.get(j.id), undefined);
  for (const j of jobs.slice(1500)) assert.equal(t.get(j.id), j);
  const later = { id: 3001 };
  t.add(later);
  assert.equal(t.get(3001), later);
  for (const j of [...jobs.slice(1500), later]) t.delete(j);
  for (const j of [...jobs, later]) assert.equal(t.get(j.id), undefined);
});
