import { delay, fn, forEach, now, program, run, scheduler, simulatedTime } from "../../src/index.js";

let inFlight = 0;
let peak = 0;
const resize = fn(function* resize(image: string) {
  inFlight++;
  peak = Math.max(peak, inFlight);
  yield* delay(image.length * 10); // stands in for the work
  inFlight--;
  return `${image}: done`;
});

const images = ["a.png", "bb.png", "ccc.png", "dddd.png", "e.png", "ff.png", "ggg.png"];

const main = program(function* () {
  // at most 3 at once; results in input order; the first failure cancels the rest
  const results = yield* forEach(images, (image) => resize(image), { concurrency: 3 });
  return { results, ms: yield* now() };
});

const { results, ms } = run(main, { handlers: [scheduler, simulatedTime()] }).value;
console.log(results.join(", "));
console.log(`at most ${peak} at once, ${ms} ms in all`);
