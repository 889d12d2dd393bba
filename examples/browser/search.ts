/// <reference lib="dom" />
/**
 * Search-as-you-type in the browser, with plain DOM: each keystroke goes into the run through an
 * `eventChannel`, `forEachLatest` waits for a quiet spell (debounce) and cancels the search still
 * in flight (its `fetch` aborted, its `finally` run) — the latest query wins. The component's
 * lifetime is one `runAsync` with an AbortSignal: `unmount()` aborts it, which removes the
 * listener, clears the debounce timer and aborts the request. React: call `mountSearch` in a
 * `useEffect` and return its `unmount` (docs/guide.md, "In a browser app").
 *
 * Bundle it (esbuild examples/browser/search.ts --bundle --format=esm --sourcemap --keep-names) and
 * call `mountSearch(document.getElementById("app"), searchApi("/api/search"))`;
 * test/browser-app.test.ts runs it in headless Chromium against a stubbed `fetch`.
 */
import {
  awaitPromise,
  eventChannel,
  fn,
  forEachLatest,
  type RunResult,
  realTime,
  runAsync,
  scheduler,
} from "../../src/index.js";

export interface Hit {
  readonly title: string;
}
/** The request: `signal` aborts it when a newer query (or the unmount) makes it moot. */
export type SearchApi = (query: string, signal: AbortSignal) => Promise<Hit[]>;

/** The real endpoint: `GET url?q=…` answering a JSON array of hits. */
export const searchApi =
  (url: string): SearchApi =>
  async (query, signal) => {
    const res = await fetch(`${url}?q=${encodeURIComponent(query)}`, { signal });
    if (!res.ok) throw new Error(`search for "${query}" failed: HTTP ${res.status}`);
    return (await res.json()) as Hit[];
  };

/** What the programs draw on: the component's DOM. */
interface View {
  readonly input: HTMLInputElement;
  readonly status: HTMLElement;
  readonly list: HTMLUListElement;
}

/** One search. A failed request is shown, not thrown: the box keeps working for the next query. */
const search = fn(function* search(query: string, api: SearchApi, view: View) {
  if (query.trim() === "") {
    view.list.replaceChildren();
    view.status.textContent = "";
    return;
  }
  view.status.textContent = `searching for "${query}"…`;
  try {
    let hits: Hit[];
    try {
      hits = yield* awaitPromise((signal) => api(query, signal));
    } catch (e) {
      // (a cancellation never lands here: a cancelled task only runs its finally blocks)
      view.status.textContent = e instanceof Error ? e.message : String(e);
      return;
    }
    // a bug from here on (a malformed answer) fails the component: its report goes to the console
    view.list.replaceChildren(
      ...hits.map((h) => {
        const li = document.createElement("li");
        li.textContent = h.title;
        return li;
      }),
    );
    view.status.textContent = `${hits.length} results for "${query}"`;
  } finally {
    view.input.setAttribute("aria-busy", "false");
  }
});

/** The component's program: keystrokes in, the latest query's results out. Ends only when aborted. */
export const searchBox = fn(function* searchBox(view: View, api: SearchApi, debounceMs: number) {
  const queries = yield* eventChannel<string>(
    (emit) => {
      const onInput = () => void emit(view.input.value);
      view.input.addEventListener("input", onInput);
      return () => view.input.removeEventListener("input", onInput);
    },
    { capacity: 1, overflow: "sliding" }, // only the latest keystroke matters
  );
  yield* forEachLatest(
    queries,
    (query) => {
      view.input.setAttribute("aria-busy", "true");
      return search(query, api, view);
    },
    { debounce: debounceMs },
  );
});

export interface Mounted {
  /** Abort the run: listener removed, timer cleared, request aborted, every finally run. */
  unmount(): void;
  /** The run's result: after `unmount()`, `Err` with the abort's reason (`error.name === "AbortError"`). */
  readonly done: Promise<RunResult<void>>;
}

/** Build the search box in `root` and start its program. */
export function mountSearch(root: HTMLElement, api: SearchApi, debounceMs = 200): Mounted {
  const input = document.createElement("input");
  input.type = "search";
  input.placeholder = "Search";
  const status = document.createElement("p");
  status.setAttribute("role", "status");
  const list = document.createElement("ul");
  root.replaceChildren(input, status, list);
  const controller = new AbortController();
  const done = runAsync(searchBox({ input, status, list }, api, debounceMs), {
    handlers: [scheduler, realTime],
    signal: controller.signal,
    trace: { sites: true }, // the report's lines name the bundle's URL:line:column
  }).then((r) => {
    // a failure of the component itself (a bug), not the unmount's abort: into devtools' console
    if (!r.ok && !controller.signal.aborted) console.error(r.format());
    return r;
  });
  return { unmount: () => controller.abort(), done };
}
