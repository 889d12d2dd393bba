import("../test/fixtures/workers/jobs.ts").then(m => console.log("ok", Object.keys(m).length), e => console.log("fail", e.message));
