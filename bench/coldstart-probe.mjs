// One cold start, timed inside a fresh Node or Deno process: importing tapegrad (which loads
// and instantiates tapegrad.wasm), init(), and the first op's result. Prints one JSON line.
const start = performance.now();
const tg = await import("tapegrad");
await tg.init();
const first = tg.tensor([1, 2, 3]).sigmoid().sum().item();
const end = performance.now();
// performance.now() counts from the process's time origin: `end` is also the time since it started
console.log(JSON.stringify({ importToResult: end - start, processToResult: end, first }));
