import { Worker } from "node:worker_threads";
new Worker(new URL("./inner2.mjs", import.meta.url));
new Worker(new URL("./inner3.mjs", import.meta.url));
