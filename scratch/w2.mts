import { Worker } from "node:worker_threads";
const w = new Worker(new URL("./inner.mjs", import.meta.url));
const w2 = new Worker(new URL("./inner.mjs", import.meta.url), { execArgv: ["--import", "tsx"] });
