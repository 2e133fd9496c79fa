// F.embedding: rows of `weight` picked by integer indices; the gradient of the padding row is
// zero (EmbeddingBackward0).
import { RuntimeError } from "../../errors.js";
import { DTYPES } from "../../tensor/dtype.js";
import type { Tensor } from "../../tensor/tensor.js";
import type { Derivative } from "../../ops/record.js";
import { unsafeView } from "../../ops/view.js";
import { recordComposite } from "../composite.js";
import { bind } from "../../ops/args.js";

interface EmbeddingAttrs {
  rows: number;
  paddingIdx: number | null;
}

const EMBEDDING: Derivative<EmbeddingAttrs> = {
  name: "EmbeddingBackward0", inputs: ["weight"],
  backward: ({ grad, saved, attrs }) => {
    const indices = saved("indices").reshape(-1);
    const cols = grad.shape[grad.ndim - 1];
    let rows = grad.reshape([-1, cols]);
    if (attrs.paddingIdx !== null) rows = rows.mul(indices.ne(attrs.paddingIdx).unsqueeze(1));
    return { weight: rows.newZeros([attrs.rows, cols]).indexAdd(0, indices, rows) };
  },
};

/** PyTorch's normalization of padding_idx (negative counts from the end). */
export function paddingIndex(paddingIdx: number | null, rows: number): number | null {
  if (paddingIdx === null) return null;
  if (paddingIdx >= rows || paddingIdx < -rows) throw new RuntimeError("Padding_idx must be within num_embeddings");
  return paddingIdx < 0 ? paddingIdx + rows : paddingIdx;
}

/** F.embedding(input, weight, paddingIdx = null) */
export function embedding(input: Tensor, weight: Tensor, ...args: [paddingIdx?: number | null] | [options: { paddingIdx?: number | null }]): Tensor {
  const options = bind<{ paddingIdx: number | null }>(["paddingIdx"], args, { paddingIdx: null });
  if (input.dtype !== "int64" && input.dtype !== "int32") {
    throw new RuntimeError(
      `Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got ${DTYPES[input.dtype].typeName} instead (while checking arguments for embedding)`,
    );
  }
  if (weight.ndim !== 2) throw new RuntimeError("'weight' must be 2-D");
  const rows = weight.shape[0];
  const paddingIdx = paddingIndex(options.paddingIdx ?? null, rows);
  return recordComposite(EMBEDDING, [weight], { rows, paddingIdx }, () =>
    unsafeView(weight.indexSelect(0, input.reshape(-1)), [...input.shape, weight.shape[1]]), { indices: input });
}
