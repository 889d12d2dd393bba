/**
 * A library published on doeff, as docs/library-authors.md writes it (`@acme/doeff-http`: generic
 * effect classes, a handler factory, a mock, reusable programs, a handler layer), built with
 * `tsc --declaration` against the packed package and used by an application — for
 * test/types-matrix.test.ts, which has the package installed in its consumer project.
 *
 * What it checks: the library compiles with `isolatedDeclarations` (the annotations the guide
 * recommends are enough, and every type they name is exported); its declaration files, the annotated
 * and the inferred ones, name doeff's types only as `"doeff"` / `"doeff/testing"` (no TS2742, no
 * path into doeff's dist/); an application type-checks against them under each compiler and
 * configuration (the answer types of generic effects, the missing-handler check across the package
 * boundary), also with `strict: false`; and it runs, with one copy of doeff and, with the library
 * bringing its own copy, fails with messages naming the two copies.
 */
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The library's source: every export annotated, as `isolatedDeclarations` requires. */
export const LIBRARY = `import { answer, all, awaitPromise, Effect, fn, get, handle, program, put, resume, state, tell, writer } from "doeff";
import type { AwaitPromise, Get, Handler, Program, Put, SchedulerRow, Tell } from "doeff";

export interface HttpResponse<T> {
  readonly status: number;
  readonly body: T;
}

/** GET url: the caller says what the body is (\`yield* new HttpGet<User>(url)\`). */
export class HttpGet<T = unknown> extends Effect<HttpResponse<T>> {
  declare readonly _tag: "HttpGet";
  readonly url: string;
  constructor(url: string) {
    super();
    this.url = url;
  }
}

export class HttpPost<T = unknown> extends Effect<HttpResponse<T>> {
  declare readonly _tag: "HttpPost";
  readonly url: string;
  readonly body: unknown;
  constructor(url: string, body: unknown) {
    super();
    this.url = url;
    this.body = body;
  }
}

export class HttpError extends Error {
  readonly status: number;
  constructor(url: string, status: number) {
    super(\`\${url}: HTTP \${status}\`);
    this.name = "HttpError";
    this.status = status;
  }
}

export type FetchImpl = (
  url: string,
  init?: { method: string; body: string },
) => Promise<{ readonly status: number; json(): Promise<unknown> }>;

export const httpHandler = (
  fetchImpl: FetchImpl,
): Handler<HttpGet | HttpPost, AwaitPromise<HttpResponse<unknown>>> =>
  handle([HttpGet, HttpPost], function* (e, k) {
    const init = e instanceof HttpPost ? { method: "POST", body: JSON.stringify(e.body) } : undefined;
    const response = yield* awaitPromise(async () => {
      const res = await fetchImpl(e.url, init);
      return { status: res.status, body: await res.json() };
    });
    return yield* resume(k, response);
  });

export const mockHttp = (routes: Readonly<Record<string, unknown>>): Handler<HttpGet> =>
  answer(HttpGet, (e) =>
    e.url in routes ? { status: 200, body: routes[e.url] } : { status: 404, body: null },
  );

export const fetchJson = <T>(url: string): Program<T, HttpGet<T>> =>
  program(function* () {
    const r = yield* new HttpGet<T>(url);
    if (r.status !== 200) throw new HttpError(url, r.status);
    return r.body;
  });

export const countedGet: (url: string) => Program<unknown, Get<number> | Put | Tell | HttpGet> = fn(
  function* countedGet(url: string) {
    yield* put("requests", (yield* get<number>("requests")) + 1);
    yield* tell(\`GET \${url}\`);
    return yield* fetchJson<unknown>(url);
  },
);

export function* postJson<T>(url: string, body: unknown): Generator<HttpPost<T>, T, unknown> {
  return (yield* new HttpPost<T>(url, body)).body;
}

export const fetchBoth = <A, B>(a: string, b: string): Program<[A, B], SchedulerRow | HttpGet<A> | HttpGet<B>> =>
  all([fetchJson<A>(a), fetchJson<B>(b)]);

export const testLayer = (
  routes: Readonly<Record<string, unknown>>,
): readonly [typeof state, typeof writer, Handler<HttpGet>] => [state, writer, mockHttp(routes)];
`;

/** The same kind of exports, left to inference: their declarations must name doeff's public types. */
export const INFERRED = `import * as doeff from "doeff";
import { mock, record, virtualClock } from "doeff/testing";
import { fetchJson, HttpGet, HttpPost } from "./index.js";

const counted = doeff.fn(function* counted(url: string) {
  yield* doeff.put("requests", (yield* doeff.get<number>("requests")) + 1);
  return yield* fetchJson<number>(url);
});
export const inferred = {
  fetchText: (url: string) => doeff.program(function* () { return String(yield* fetchJson<unknown>(url)); }),
  counted,
  both: doeff.all([fetchJson<number>("/a"), fetchJson<string>("/b")]),
  object: doeff.all({ a: fetchJson<number>("/a"), b: doeff.pure(1) }),
  raced: doeff.raceAll({ a: fetchJson<number>("/a"), b: fetchJson<number>("/b") }),
  timed: doeff.timeout(fetchJson<number>("/a"), 100),
  retried: doeff.retry(fetchJson<number>("/a"), { times: 2 }),
  safe: doeff.safe(fetchJson<number>("/a")),
  handled: doeff.withHandler(doeff.handle(HttpGet, function* () { return null; }), fetchJson<number>("/a")),
  answering: doeff.answer(HttpGet, (e) => ({ status: 200, body: e.url as unknown })),
  handling: doeff.handle([HttpGet, HttpPost], (_e, k) => doeff.resume(k, { status: 204, body: null })),
  layer: [doeff.state, doeff.writer, doeff.scheduler, doeff.simulatedTime()] as const,
  mocked: mock(HttpGet, { status: 200, body: 1 }),
  watched: doeff.observe(() => {}),
  each: doeff.forEach(["/a", "/b"], (url) => fetchJson<number>(url), { concurrency: 2 }),
  recovered: doeff.recover(fetchJson<number>("/a"), doeff.TimeoutError, () => doeff.pure(0)),
  listened: doeff.listen(fetchJson<number>("/a")),
  local: doeff.local({ base: "/api" }, fetchJson<number>("/a")),
  intercepted: doeff.intercept(fetchJson<number>("/a"), () => undefined),
  task: doeff.spawn(fetchJson<number>("/a")),
  semaphore: doeff.createSemaphore(2),
  channel: doeff.createChannel<number>(),
  recorder: record([HttpGet]),
  clock: virtualClock(),
};

// generic helpers over the toolkit, left to inference: their rows name the caller's row \`E\` as it
// is (it was \`Exclude<Exclude<Exclude<E, undefined>, undefined>, undefined>\`, one per combinator)
const limiter = doeff.concurrencyLimiter({ limit: 4 });
export const loadBounded = <T, E>(load: doeff.Program<T, E>) =>
  doeff.retry(doeff.timeout(load, 100), { times: 2, delay: 10 });
export const loadEach = <T, E>(urls: readonly string[], load: (url: string) => doeff.Program<T, E>) =>
  doeff.forEach(urls, (url) => doeff.concurrencyLimited(limiter, loadBounded(load(url))));
`;

/** The application: each \`// @ts-expect-error\` must fail (a clean compile checks them). */
export const APP = `import { handle, program, resume, run, type RunResult, runAsync, scheduler, simulatedTime, state, writer } from "doeff";
import {
  countedGet, fetchBoth, fetchJson, HttpGet, type HttpResponse, mockHttp, postJson, testLayer,
} from "@acme/doeff-http";
import { inferred, loadBounded, loadEach } from "@acme/doeff-http/inferred";

type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}
interface User { readonly name: string }

const main = program(function* () {
  const user = yield* fetchJson<User>("/user");
  expectType<Equal<typeof user, User>>();
  const raw = yield* new HttpGet<number>("/n");
  expectType<Equal<typeof raw, HttpResponse<number>>>();
  yield* countedGet("/user");
  return user.name;
});
const r = run(main, { handlers: [state, writer, mockHttp({ "/user": { name: "Ada" } })], store: { requests: 0 } });
expectType<Equal<typeof r, RunResult<string>>>();
run(main, { handlers: testLayer({}), store: { requests: 0 } });
// @ts-expect-error -- MissingHandlerError<HttpGet<…>>: the check crosses the package boundary
run(main, { handlers: [state, writer] });
const own = handle(HttpGet, (e, k) => resume(k, { status: 200, body: e.url }));
run(fetchJson<string>("/x"), { handlers: [own] });
// @ts-expect-error -- the answer of an HttpGet is an HttpResponse, not its body
handle(HttpGet, (e, k) => resume(k, e.url));
const posted = program(function* () { return yield* postJson<{ id: number }>("/users", { name: "Ada" }); });
// @ts-expect-error -- MissingHandlerError<HttpPost<…>>: mockHttp takes HttpGet only
run(posted, { handlers: [mockHttp({})] });
void runAsync(fetchBoth<number, string>("/a", "/b"), { handlers: [scheduler, simulatedTime(), mockHttp({})] });
void runAsync(inferred.both, { handlers: [...inferred.layer, inferred.mocked] });
run(inferred.counted("/a"), { handlers: [state, inferred.answering], store: { requests: 0 } });
const bounded = loadBounded(fetchJson<User>("/user"));
void runAsync(bounded, { handlers: [scheduler, simulatedTime(), mockHttp({})] });
// @ts-expect-error -- MissingHandlerError<TimedRow | …>: the generic helper's row is checked
run(bounded, { handlers: [mockHttp({})] });
const each = loadEach(["/a", "/b"], (url) => fetchJson<number>(url));
void runAsync(each, { handlers: [scheduler, simulatedTime(), mockHttp({})] }).then((r) => {
  expectType<Equal<typeof r, RunResult<number[]>>>();
});
// @ts-expect-error -- MissingHandlerError<HttpGet<number>>: the caller's row goes through the helpers
void runAsync(each, { handlers: [scheduler, simulatedTime()] });
`;

/** The application at run time (plain JavaScript): what it prints. */
export const APP_RUN = `import { program, run, runAsync, scheduler, simulatedTime, state, writer } from "doeff";
import { countedGet, fetchBoth, fetchJson, mockHttp, testLayer } from "@acme/doeff-http";
const main = program(function* () {
  const user = yield* fetchJson("/user");
  yield* countedGet("/user");
  return user.name;
});
const r = run(main, { handlers: testLayer({ "/user": { name: "Ada" } }), store: { requests: 0 } });
const both = await runAsync(fetchBoth("/a", "/b"), { handlers: [scheduler, simulatedTime(), mockHttp({ "/a": 1, "/b": "two" })] });
const missing = run(fetchJson("/nope"), { handlers: [mockHttp({})] });
console.log(JSON.stringify([r.value, r.store, r.log, both.value, String(missing.error)]));
`;

/** What APP_RUN prints. */
export const APP_RUN_OUTPUT = JSON.stringify([
  "Ada",
  { requests: 1 },
  ["GET /user"],
  [1, "two"],
  "HttpError: /nope: HTTP 404",
]);

/** The same application given a library that brings its own copy of doeff: what fails, and how. */
export const APP_TWO_COPIES = `import { get, program, run, state } from "doeff";
import { fetchJson, mockHttp, testLayer } from "@acme/doeff-http-bundled";
const out = [];
try { run(fetchJson("/a"), { handlers: [mockHttp({ "/a": 1 })] }); } catch (e) { out.push(String(e)); }
const read = program(function* () { return yield* get("n"); });
out.push(String(run(read, { handlers: [...testLayer({})], store: { n: 1 } }).error));
out.push(String(run(read, { handlers: [state], store: { n: 1 } }).value));
console.log(JSON.stringify(out));
`;

/**
 * Write the library (lib/), an application (app/) and a library bringing its own copy of doeff
 * (lib-bundled/, its dist/ copied there by `bundleCopy` once built) into `consumer`, which has doeff
 * installed in its node_modules. Each tsconfig is named for the compiler and options it is for.
 */
export function writeLibraryProject(consumer: string, base: Record<string, unknown>): void {
  const lib = join(consumer, "lib");
  mkdirSync(join(lib, "src"), { recursive: true });
  writeFileSync(
    join(lib, "package.json"),
    JSON.stringify({
      name: "@acme/doeff-http",
      version: "1.0.0",
      type: "module",
      exports: {
        ".": { types: "./dist/index.d.ts", default: "./dist/index.js" },
        "./inferred": { types: "./dist/inferred.d.ts", default: "./dist/inferred.js" },
      },
      peerDependencies: { doeff: "^0.1.0" },
    }),
  );
  writeFileSync(join(lib, "src/index.ts"), LIBRARY);
  writeFileSync(join(lib, "src/inferred.ts"), INFERRED);
  const build = { ...base, noEmit: false, declaration: true, rootDir: "src" };
  const lib5 = { ...build, module: "NodeNext", moduleResolution: "NodeNext" };
  const isolated = { ...lib5, isolatedDeclarations: true };
  const bundler = { ...build, module: "ESNext", moduleResolution: "Bundler", isolatedDeclarations: true };
  // the published build writes dist/ (what the app reads); the others their own folders.
  // `isolatedDeclarations` (TypeScript 5.5+) builds take the annotated file only.
  const all = ["src"];
  const annotated = ["src/index.ts"];
  for (const [name, options, include] of [
    ["published", { ...lib5, outDir: "dist" }, all],
    ["isolated", { ...isolated, outDir: "out-isolated" }, annotated],
    ["bundler-isolated", { ...bundler, outDir: "out-bundler-isolated" }, annotated],
    ["5.4", { ...lib5, outDir: "out-5.4" }, all],
    ["7", { ...lib5, outDir: "out-7" }, all],
    ["7-isolated", { ...isolated, outDir: "out-7-isolated" }, annotated],
  ] as const)
    writeFileSync(
      join(lib, `tsconfig.${name}.json`),
      JSON.stringify({ compilerOptions: options, include }, null, 2),
    );
  const app = join(consumer, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  writeFileSync(join(app, "app.ts"), APP);
  writeFileSync(join(app, "run.mjs"), APP_RUN);
  writeFileSync(join(app, "two-copies.mjs"), APP_TWO_COPIES);
  mkdirSync(join(consumer, "node_modules/@acme"), { recursive: true });
  symlinkSync(lib, join(consumer, "node_modules/@acme/doeff-http"));
}

/** The library as a bundler or a stale lockfile may ship it: with its own copy of doeff inside. */
export function bundleCopy(consumer: string): void {
  const dir = join(consumer, "lib-bundled");
  cpSync(join(consumer, "lib/dist"), join(dir, "dist"), { recursive: true });
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({
      name: "@acme/doeff-http-bundled",
      version: "1.0.0",
      type: "module",
      exports: { ".": { default: "./dist/index.js" } },
    }),
  );
  cpSync(join(consumer, "node_modules/doeff"), join(dir, "node_modules/doeff"), { recursive: true });
  symlinkSync(dir, join(consumer, "node_modules/@acme/doeff-http-bundled"));
}
