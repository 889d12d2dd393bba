/**
 * The effect-handlers-bench programs (bench/lib/ehb.ts): the doeff versions and the JS baselines
 * give the suite's published answers (its Makefile's test inputs, and larger inputs where they run
 * in well under a second).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as b from "../bench/lib/ehb.js";

const SMALL: Array<[string, (n: number) => number, (n: number) => number, number, number]> = [
  ["countdown", b.countdown, b.countdownJs, 5, 0],
  ["fibonacci_recursive", b.fibonacci, b.fibonacciJs, 5, 5],
  ["generator", b.generator, b.generatorJs, 5, 57],
  ["handler_sieve", b.handlerSieve, b.handlerSieveJs, 10, 17],
  ["iterator", b.iterator, b.iteratorJs, 5, 15],
  ["nqueens", b.nqueens, b.nqueensJs, 5, 10],
  ["parsing_dollars", b.parsingDollars, b.parsingDollarsJs, 10, 55],
  ["product_early", b.productEarly, b.productEarlyJs, 5, 0],
  ["resume_nontail", b.resumeNontail, b.resumeNontailJs, 5, 37],
  ["tree_explore", b.treeExplore, b.treeExploreJs, 5, 946],
  ["triples", (n) => b.triples(n), (n) => b.triplesJs(n), 10, 779312],
];

for (const [name, doeff, js, n, expected] of SMALL) {
  test(`ehb ${name}(${n}) = ${expected} (doeff and the JS baseline)`, () => {
    assert.equal(doeff(n), expected);
    assert.equal(js(n), expected);
  });
}

test("ehb: published large answers (JS baselines) and doeff = baseline at bench sizes", () => {
  assert.equal(b.handlerSieveJs(60000), 171848738);
  assert.equal(b.treeExploreJs(16), 1005);
  assert.equal(b.nqueensJs(12), 14200);
  assert.equal(b.triplesJs(300), 460212934);
  assert.equal(b.resumeNontailJs(10000), 860);
  assert.equal(b.parsingDollarsJs(20000), 200010000);
  assert.equal(b.resumeNontail(1000), b.resumeNontailJs(1000));
  assert.equal(b.nqueens(6), 4);
  assert.equal(b.triples(20), b.triplesJs(20));
  assert.equal(b.treeExplore(6), b.treeExploreJs(6));
  assert.equal(b.handlerSieve(1000), 76127);
  assert.equal(b.generator(14), b.generatorJs(14));
});
