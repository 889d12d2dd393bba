import { Piscina } from "piscina";
for (const f of ["rawsync.mjs", "rawasync.mjs", "rawsync.mjs", "rawasync.mjs"]) {
  const p = new Piscina({ filename: new URL(f, import.meta.url).href, minThreads: 1, maxThreads: 1 });
  for (let i = 0; i < 200; i++) await p.run({ x: i });
  let best = Infinity;
  for (let k = 0; k < 3; k++) { const t0 = performance.now(); for (let i = 0; i < 1000; i++) await p.run({ x: i }); best = Math.min(best, (performance.now() - t0)); }
  console.log(f, (best).toFixed(1), "µs/job");
  await p.destroy();
}
