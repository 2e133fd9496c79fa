// Helpers for nn code composed from tensor ops: temporaries are disposed deterministically, and
// an op with a backward node of its own (NllLossBackward0, ...) runs its composite forward
// without recording the ops inside.
import { noGrad } from "../autograd/grad_mode.js";
import { type Derivative, record } from "../ops/record.js";
import { tidyWith } from "../tensor/lifetime.js";
import { type Tensor, isTensor } from "../tensor/tensor.js";

/** Runs `fn`; every tensor it creates is disposed unless it is part of the result. */
export function scoped<T>(fn: () => T): T {
  return tidyWith(fn, isTensor);
}

/**
 * `record` for a forward written with tensor ops: they run without grad, their temporaries
 * are disposed, and only the op's own node enters the graph.
 */
export function recordComposite<A, R extends Tensor | Tensor[]>(
  d: Derivative<A>, inputs: readonly (Tensor | null)[], attrs: A, forward: () => R, aux: Readonly<Record<string, Tensor>> = {},
): R {
  return record(d, inputs, attrs, () => scoped(() => noGrad(forward)), aux);
}
