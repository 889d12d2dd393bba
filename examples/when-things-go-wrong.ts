import { ask, fn, local, program, reader, run, state } from "../src/index.js";

const connect = fn(function* connect(service: string) {
  const url = yield* ask<string>(`${service}.url`);
  return `connected to ${url}`;
});

const startup = program(function* startup() {
  return yield* local({ region: "eu" }, connect("db"));
});

const result = run(startup, { handlers: [state, reader], env: {}, trace: { sites: true } });
console.log(result.format());
