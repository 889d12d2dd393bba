// main.ts: production, against a stand-in database
import { answer, realTime, runAsync, scheduler } from "../../src/index.js";
import { Log, loadUsers, type Pool, type User, withUserRepo } from "./user-repo.js";

// a stand-in database: 20 ms a query, and its first query fails
const table: Record<number, string> = { 1: "Ada", 2: "Alan", 4: "Grace" };
const rowOf = (id: number): User | undefined =>
  table[id] === undefined ? undefined : { id, name: table[id] };
let queries = 0;
const openPool = async (): Promise<Pool> => {
  console.log("pool opened");
  return {
    query: (id, signal) =>
      new Promise((resolve, reject) => {
        const n = ++queries;
        const t = setTimeout(() => (n === 1 ? reject(new Error("ECONNRESET")) : resolve(rowOf(id))), 20);
        signal.addEventListener("abort", () => clearTimeout(t));
      }),
    close: () => console.log("pool closed"),
  };
};

// Effect.runPromise: runAsync never rejects for the program's errors; it answers a RunResult
const result = await runAsync(withUserRepo(openPool, loadUsers([1, 2, 3, 4, 5])), {
  handlers: [answer(Log, (e) => console.log(e.line)), scheduler, realTime],
});
console.log(result.ok ? result.value.map((u) => u.name).join(", ") : result.format());
