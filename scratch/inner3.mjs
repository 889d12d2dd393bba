const { tsImport } = await import("tsx/esm/api");
tsImport("../test/fixtures/workers/jobs.ts", import.meta.url).then(m => console.log("ok tsImport", Object.keys(m).length), e => console.log("fail tsimport", e.message));
