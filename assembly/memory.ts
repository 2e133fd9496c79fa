// Tensor storage lives in linear memory, managed by the runtime's TLSF heap, with a cache in
// front of it (PyTorch's CUDA caching allocator, on linear memory): a freed block is kept in a
// list for its size class and handed out again to the next request of that class. A training
// step asks for the same sizes as the step before, so after the first steps every request is
// served from the cache: no heap work, and memory never grows again. `emptyCache` gives the
// blocks back to the heap (JS calls it, and retries, before reporting an allocation failure).
// This module also keeps the live counters and a scratch area for the descriptors JS writes
// before each kernel call.

/** Largest block the TLSF heap can hand out on wasm32 (its BLOCK_MAXSIZE less headroom). */
const MAX_BLOCK: usize = (1 << 30) - 64;

// Size classes: multiples of 16 bytes up to SMALL, then 8 classes per power of two (a block is
// at most 12.5 % larger than the request it serves). A cached block's first word links it to the
// next block of its class.
const SMALL: usize = 256;
const CLASSES = 16 + 22 * 8;
const cacheHeads = memory.data(CLASSES * 4, 16);

let liveBytesCount: f64 = 0;
let liveBlocksCount: i32 = 0;
let cachedBytesCount: f64 = 0;
let rawAllocationsCount: f64 = 0;

/** The size class of a request of `size` bytes (SMALL < size < 2³⁰ for the geometric ones). */
function sizeClass(size: usize): i32 {
  if (size <= SMALL) return <i32>((size + 15) >> 4) - 1;
  const p = 31 - <i32>clz<u32>(<u32>(size - 1)); // 2^p < size <= 2^(p+1)
  return 16 + (p - 8) * 8 + <i32>((size - 1 - (<usize>1 << p)) >> (p - 3));
}

/** The bytes every block of class `c` holds. */
function classBytes(c: i32): usize {
  if (c < 16) return <usize>(c + 1) << 4;
  const p = ((c - 16) >> 3) + 8, j = (c - 16) & 7;
  return (<usize>1 << p) + (<usize>(j + 1) << (p - 3));
}

/**
 * Allocates `size` bytes, 16-byte aligned: a cached block of its size class, else a new one from
 * the heap. Returns 0 when the request cannot be satisfied.
 */
export function alloc(size: f64): usize {
  if (size <= 0) return 0;
  if (size > <f64>MAX_BLOCK) return 0;
  const c = sizeClass(<usize>size);
  const bytes = classBytes(c);
  let ptr = load<usize>(cacheHeads + (<usize>c << 2));
  if (ptr != 0) {
    store<usize>(cacheHeads + (<usize>c << 2), load<usize>(ptr));
    cachedBytesCount -= <f64>bytes;
  } else {
    // heap.alloc traps (before touching any heap state) when memory.grow fails; JS empties the
    // cache and retries, then turns the trap into PyTorch's allocator error.
    ptr = heap.alloc(bytes <= MAX_BLOCK ? bytes : <usize>size);
    rawAllocationsCount++;
  }
  liveBytesCount += size;
  liveBlocksCount++;
  return ptr;
}

/** Takes back a block `alloc(size)` returned: into the cache of its size class. */
export function free(ptr: usize, size: f64): void {
  if (ptr == 0) return;
  liveBytesCount -= size;
  liveBlocksCount--;
  const c = sizeClass(<usize>size);
  const bytes = classBytes(c);
  if (bytes > MAX_BLOCK) {
    heap.free(ptr); // the largest requests were given their exact size: not a block of the class
    return;
  }
  store<usize>(ptr, load<usize>(cacheHeads + (<usize>c << 2)));
  store<usize>(cacheHeads + (<usize>c << 2), ptr);
  cachedBytesCount += <f64>bytes;
}

/** Gives every cached block back to the heap (torch.cuda.empty_cache). */
export function emptyCache(): void {
  for (let c = 0; c < CLASSES; c++) {
    let ptr = load<usize>(cacheHeads + (<usize>c << 2));
    while (ptr != 0) {
      const next = load<usize>(ptr);
      heap.free(ptr);
      ptr = next;
    }
    store<usize>(cacheHeads + (<usize>c << 2), 0);
  }
  cachedBytesCount = 0;
}

export function liveBytes(): f64 { return liveBytesCount; }
export function liveBlocks(): i32 { return liveBlocksCount; }
/** Bytes held by cached (freed, not yet reused) blocks. */
export function cachedBytes(): f64 { return cachedBytesCount; }
/** How many blocks have come from the heap rather than the cache, since the module started. */
export function rawAllocations(): f64 { return rawAllocationsCount; }

/** Bytes JS may use at `scratch()` for shape/stride descriptors and scalar operands. */
export const SCRATCH_BYTES: i32 = 8192;
const scratchArea = memory.data(SCRATCH_BYTES, 16);
export function scratch(): usize { return scratchArea; }

/** Counters for the row iterators (one per dimension). */
export const MAX_DIMS = 64;
export const counters = memory.data(MAX_DIMS * 4, 16);
