// Tensor storage lives in linear memory, managed by the runtime's TLSF heap.
// This module adds what tapegrad needs on top: failure as a return value (not a trap),
// live counters, and a scratch area for the descriptors JS writes before each kernel call.

/** Largest block the TLSF heap can hand out on wasm32 (its BLOCK_MAXSIZE less headroom). */
const MAX_BLOCK: usize = (1 << 30) - 64;

let liveBytesCount: f64 = 0;
let liveBlocksCount: i32 = 0;

/** Allocates `size` bytes, 16-byte aligned. Returns 0 when the request cannot be satisfied. */
export function alloc(size: f64): usize {
  if (size <= 0) return 0;
  if (size > <f64>MAX_BLOCK) return 0;
  // heap.alloc traps (before touching any heap state) when memory.grow fails; JS turns that
  // trap into PyTorch's allocator error, so the heap stays intact either way.
  const ptr = heap.alloc(<usize>size);
  liveBytesCount += size;
  liveBlocksCount++;
  return ptr;
}

export function free(ptr: usize, size: f64): void {
  if (ptr == 0) return;
  heap.free(ptr);
  liveBytesCount -= size;
  liveBlocksCount--;
}

export function liveBytes(): f64 { return liveBytesCount; }
export function liveBlocks(): i32 { return liveBlocksCount; }

/** Bytes JS may use at `scratch()` for shape/stride descriptors and scalar operands. */
export const SCRATCH_BYTES: i32 = 8192;
const scratchArea = memory.data(SCRATCH_BYTES, 16);
export function scratch(): usize { return scratchArea; }

/** Counters for the row iterators (one per dimension). */
export const MAX_DIMS = 64;
export const counters = memory.data(MAX_DIMS * 4, 16);
