// PyTorch's exception classes, and the message texts that several modules raise.

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

const formatShape = (shape: readonly number[]) => `[${shape.join(", ")}]`;

/** Messages that several modules raise. */
export const messages = {
  backwardTwice: () =>
    "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). " +
    "Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True " +
    "if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.",
  requiresGradNonLeaf: (value: boolean) =>
    value
      ? "you can only change requires_grad flags of leaf variables."
      : "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph " +
        "that doesn't require differentiation use var_no_grad = var.detach().",
  requiresGradFactoryDtype: () => "Only Tensors of floating point and complex dtype can require gradients",
  partialOverlap: () =>
    "unsupported operation: some elements of the input tensor and the written-to tensor refer to a single memory " +
    "location. Please clone() the tensor before performing the operation.",
  outOfMemory: (bytes: number) => `DefaultCPUAllocator: not enough memory: you tried to allocate ${bytes} bytes.`,
  disposed: () => "Tensor has been disposed: its memory was released by dispose() or tidy(); it can no longer be used.",
  shapeInvalid: (shape: readonly number[], numel: number) => `shape '${formatShape(shape)}' is invalid for input of size ${numel}`,
  dimRange: (dim: number, ndim: number) => {
    const n = Math.max(ndim, 1);
    return `Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`;
  },
  outputShape: (out: readonly number[], broadcast: readonly number[]) =>
    `output with shape ${formatShape(out)} doesn't match the broadcast shape ${formatShape(broadcast)}`,
};

export { formatShape };
