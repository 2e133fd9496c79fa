// TEMPORARY: the random-number API agreed with the RNG branch (feat/rng), declared so that nn
// type-checks before that branch is merged. Delete this file when `git merge main` brings the
// real Generator and Tensor.uniform_/normal_/bernoulli_.
import "../tensor/tensor.js";

export interface Generator {
  manualSeed(seed: number | bigint): Generator;
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    uniform_(from?: number, to?: number, options?: { generator?: Generator }): Tensor;
    normal_(mean?: number, std?: number, options?: { generator?: Generator }): Tensor;
    bernoulli_(p?: number, options?: { generator?: Generator }): Tensor;
  }
}
