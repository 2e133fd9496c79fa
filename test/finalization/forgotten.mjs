// Run by finalization.test.ts as `node --expose-gc forgotten.mjs`: makes handles that are never
// disposed (alongside others disposed in and out of order), drops them, collects garbage, and
// prints how many bytes of linear memory they held before and after.
import { memory, ones } from "tapegrad";

const live = () => memory().liveBytes;
const base = live();

(function forget() {
  for (let i = 0; i < 3000; i++) {
    const used = ones(16);
    ones(16).mul(used); // the ones and the product are forgotten
    used.dispose();
  }
  const xs = Array.from({ length: 50 }, () => ones(8));
  for (let i = 0; i < xs.length; i += 2) xs[i].dispose(); // the odd ones are forgotten
})();
const forgotten = live() - base;

// FinalizationRegistry callbacks run in tasks after a collection
for (let i = 0; i < 50 && live() > base; i++) {
  globalThis.gc();
  await new Promise((resolve) => setTimeout(resolve, 1));
}
console.log(JSON.stringify({ forgotten, after: live() - base }));
