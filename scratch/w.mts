import { Worker } from "node:worker_threads";
const w = new Worker(`import("${new URL("../test/fixtures/workers/jobs.ts", import.meta.url).href}").then(m => console.log("ok", Object.keys(m).length), e => console.log("fail", e.message))`, { eval: true });
w.on("exit", () => console.log("exit"));
