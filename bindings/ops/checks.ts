// Argument checks shared by ops, with PyTorch's messages.
import { RuntimeError, messages } from "../errors.js";
import { type DType, canCast, castError } from "../tensor/dtype.js";
import { type Shape, broadcastShapes, hasInternalOverlap, isNonOverlappingAndDense, numel, sameShape } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { DTYPES } from "../tensor/dtype.js";

/** PyTorch's assert_no_internal_overlap: in-place writes need distinct memory per element. */
export function checkNoInternalOverlap(t: Tensor): void {
  if (hasInternalOverlap(t._shape, t._strides)) {
    throw new RuntimeError(
      "unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation.",
    );
  }
}

/** PyTorch's assert_no_partial_overlap: an input may be the output itself, or disjoint from it. */
export function checkNoPartialOverlap(out: Tensor, input: Tensor): void {
  if (out === input || out._storage !== input._storage) return;
  const outLength = numel(out._shape), inLength = numel(input._shape);
  if (outLength === 0 || inLength === 0) return;
  if (!isNonOverlappingAndDense(out._shape, out._strides) || !isNonOverlappingAndDense(input._shape, input._strides)) return;
  // the aliases of a storage share its dtype: element offsets compare as addresses do
  const outStart = out._offset, inStart = input._offset;
  if (outStart === inStart && outLength === inLength) {
    if (!sameShape(out._strides, input._strides)) throw new RuntimeError(messages.partialOverlap());
    return;
  }
  if (outStart < inStart + inLength && inStart < outStart + outLength) throw new RuntimeError(messages.partialOverlap());
}

/** The checks TensorIterator makes before an in-place op writes `self`. */
export function checkInplaceTarget(self: Tensor, inputs: readonly Tensor[], computeDtype: DType, broadcastWith: readonly Shape[]): void {
  let shape: number[] = [...self._shape];
  for (const s of broadcastWith) shape = broadcastShapes(shape, s);
  if (!sameShape(shape, self._shape)) throw new RuntimeError(messages.outputShape(self._shape, shape));
  if (!canCast(computeDtype, self.dtype)) throw castError(computeDtype, self.dtype);
  checkNoInternalOverlap(self);
  for (const t of inputs) checkNoPartialOverlap(self, t);
}

/** Throws if any handle was disposed. */
export function alive(...tensors: readonly (Tensor | null | undefined)[]): void {
  for (const t of tensors) if (t !== null && t !== undefined && t._disposed) throw new RuntimeError(messages.disposed());
}

/** PyTorch's dispatch error for a dtype a kernel has no instantiation for. */
export function notImplementedFor(kernel: string, dtype: DType): RuntimeError {
  return new RuntimeError(`"${kernel}" not implemented for '${DTYPES[dtype].scalarName}'`);
}

/** caffe2's type names, which PyTorch prints for a tensor's `dtype()` in some messages ("long int"). */
const TYPE_META_NAMES: Record<DType, string> = {
  float32: "float", float64: "double", int32: "int", int64: "long int", bool: "bool", uint8: "unsigned char",
};
export const typeMetaName = (dtype: DType): string => TYPE_META_NAMES[dtype];
