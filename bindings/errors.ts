// PyTorch's exception classes and message texts, written once. Tests name the same functions.

/** PyTorch's RuntimeError (most tensor and autograd errors). */
export class RuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RuntimeError";
  }
}

/** PyTorch's IndexError (indices out of range). */
export class IndexError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "IndexError";
  }
}

/** PyTorch's ValueError. */
export class ValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ValueError";
  }
}

/** Python's KeyError (bad names given to nn.Module registration, missing scheduler state). */
export class KeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KeyError";
  }
}

/** Python's NotImplementedError (a Module without a forward). */
export class NotImplementedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotImplementedError";
  }
}

/** PyTorch raises Python's TypeError for wrong argument types; JS has the same class. */
export function typeError(message: string): TypeError {
  return new TypeError(message);
}

const formatShape = (shape: readonly number[]) => `[${shape.join(", ")}]`;

export const messages = {
  leafInplace: () => "a leaf Variable that requires grad is being used in an in-place operation.",
  viewOfLeafInplace: () => "a view of a leaf Variable that requires grad is being used in an in-place operation.",
  noGradFn: (i: number) => `element ${i} of tensors does not require grad and does not have a grad_fn`,
  implicitNonScalar: () => "grad can be implicitly created only for scalar outputs",
  implicitNonFloat: (dtype: string) => `grad can be implicitly created only for real scalar outputs but got ${dtype}`,
  backwardTwice: () =>
    "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). " +
    "Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True " +
    "if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.",
  detachView: () =>
    "Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel (DDP) for training, and " +
    "gradient_as_bucket_view is set as True, gradients are views of DDP buckets, and hence detach_() cannot be called on " +
    "these gradients. To fix this error, please refer to the Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.",
  requiresGradNonLeaf: (value: boolean) =>
    value
      ? "you can only change requires_grad flags of leaf variables."
      : "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph " +
        "that doesn't require differentiation use var_no_grad = var.detach().",
  requiresGradAttrDtype: () => "only Tensors of floating point and complex dtype can require gradients",
  requiresGradMethodDtype: () => "only Tensors of floating point dtype can require gradients",
  requiresGradFactoryDtype: () => "Only Tensors of floating point and complex dtype can require gradients",
  savedModified: (typeName: string, shape: readonly number[], producer: string | null, current: number, expected: number) =>
    `one of the variables needed for gradient computation has been modified by an inplace operation: [${typeName} ` +
    `${formatShape(shape)}]${producer ? `, which is output 0 of ${producer},` : ""} is at version ${current}; ` +
    `expected version ${expected} instead. Hint: enable anomaly detection to find the operation that failed to ` +
    `compute its gradient, with torch.autograd.set_detect_anomaly(True).`,
  savedDetachedInplace: () =>
    "Trying to use a saved tensor that has been detached in-place, i.e. with .detach_().This is not supported, " +
    "please use out-of-place `.detach()` instead",
  unusedInput: () =>
    "One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.",
  inputNoGrad: () => "One of the differentiated Tensors does not require grad",
  internalOverlap: () =>
    "unsupported operation: more than one element of the written-to tensor refers to a single memory location. " +
    "Please clone() the tensor before performing the operation.",
  partialOverlap: () =>
    "unsupported operation: some elements of the input tensor and the written-to tensor refer to a single memory " +
    "location. Please clone() the tensor before performing the operation.",
  outOfMemory: (bytes: number) => `DefaultCPUAllocator: not enough memory: you tried to allocate ${bytes} bytes.`,
  disposed: () => "Tensor has been disposed: its memory was released by dispose() or tidy(); it can no longer be used.",
  notInitialized: () =>
    "tapegrad is not initialized: await init() before using tensors (in browsers and workers the WebAssembly core loads asynchronously).",
  itemNumel: (numel: number) => `a Tensor with ${numel} elements cannot be converted to Scalar`,
  retainGradNoGrad: () => "can't retain_grad on Tensor that has requires_grad=False",
  shapeInvalid: (shape: readonly number[], numel: number) => `shape '${formatShape(shape)}' is invalid for input of size ${numel}`,
  viewStride: () =>
    "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.",
  broadcast: (a: readonly number[], b: readonly number[], dim: number) =>
    `The size of tensor a (${a[dim]}) must match the size of tensor b (${b[dim]}) at non-singleton dimension ${dim}`,
  dimRange: (dim: number, ndim: number) => {
    const n = Math.max(ndim, 1);
    return `Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`;
  },
  cannotCast: (from: string, to: string) => `result type ${from} can't be cast to the desired output type ${to}`,
  outputShape: (out: readonly number[], broadcast: readonly number[]) =>
    `output with shape ${formatShape(out)} doesn't match the broadcast shape ${formatShape(broadcast)}`,
};

export { formatShape };
