const { register } = await import("tsx/esm/api");
register();
import("../test/fixtures/workers/jobs.ts").then(m => console.log("ok reg", Object.keys(m).length), e => console.log("fail reg", e.message));
