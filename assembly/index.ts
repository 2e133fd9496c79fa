// The tapegrad WebAssembly core: allocator and kernels. Everything here works on byte
// addresses, lengths and shape/stride descriptors; it knows nothing of tensors or autograd.
export { alloc, free, emptyCache, liveBytes, liveBlocks, cachedBytes, rawAllocations, scratch } from "./memory";
export { fill, copy } from "./kernels/copy";
export { Unary, unary, Classify, classify } from "./kernels/unary";
export { Binary, Compare, binary, compare } from "./kernels/binary";
export { where } from "./kernels/where";
export { Reduce, reduce } from "./kernels/reduce";
export { matmul } from "./kernels/matmul";
export { gather, scatter, ScatterMode, indexError, checkIndices, maskedSelect, nonzero } from "./kernels/gather";
export { scan } from "./kernels/scan";
export { sequence } from "./kernels/sequence";
export { Ternary, ternary } from "./kernels/ternary";
export { index, indexPut } from "./kernels/index";
export {
  GENERATOR_BYTES, generatorSeed, generatorSetState, Sample, sample, normalFill,
  bernoulliTensor, randperm, MultinomialError, multinomialCheck, multinomialWithReplacement, multinomialTopK,
} from "./kernels/random";
export { RowSoftmax, softmaxRows, softmaxBackwardRows } from "./kernels/softmax";
export { RELAXED_SIMD } from "./simd/lanes";
export { OptimFlag, adamStep, sgdStep } from "./kernels/optim";
