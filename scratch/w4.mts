import { Worker } from "node:worker_threads";
const api = import.meta.resolve("tsx/esm/api");
const boot = `data:text/javascript,${encodeURIComponent(`import{register}from${JSON.stringify(api)};register();`)}`;
new Worker(new URL("./inner.mjs", import.meta.url), { execArgv: [...process.execArgv, "--import", boot] });
