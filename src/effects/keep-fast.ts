/**
 * @internal Keep a class fast after a build step redefined its `name`. esbuild's `keepNames` — which
 * tsx always sets, and which a bundle may — gives each class a `static { __name(this, "X") }`, and
 * V8 (Node 20) turns a class constructor whose `name` is redefined into a dictionary-mode object:
 * `new` of a derived class then costs ~50× (its `super()` chain not inlined, the optimizer aborting
 * on it again and again) and `instanceof` against it ~4×. The scheduler makes and tests these per
 * effect: under keepNames `raceAll` and `timeout` took 2.5–4× as long. Declaring a subclass has V8
 * set the class up as a prototype, with fast properties again; the subclass is dropped, nothing
 * else about the class changes (its name, prototype and statics are as they were). Checked in
 * test/keep-fast.test.ts.
 */
export function keepFast(...classes: (abstract new (...args: never[]) => unknown)[]): void {
  // (the subclass passed to a call: a minifier drops a class expression whose value is unused)
  for (const c of classes) Object.getPrototypeOf(class extends (c as new () => object) {});
}
