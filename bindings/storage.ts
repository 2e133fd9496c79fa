// A block of linear memory shared by every alias of a tensor (views, detach(), .data).
// Reference counted: each tensor handle and each saved-for-backward reference holds one;
// the block goes back to the allocator when the last one lets go.
import { RuntimeError, messages } from "./errors.js";
import { core } from "./runtime/core.js";

export class Storage {
  /** Byte address in linear memory; 0 for an empty storage. */
  readonly ptr: number;
  readonly byteLength: number;
  private refs = 1;

  constructor(byteLength: number) {
    this.byteLength = byteLength;
    this.ptr = byteLength > 0 ? allocate(byteLength) : 0;
  }

  retain(): this {
    this.refs++;
    return this;
  }

  release(): void {
    if (--this.refs === 0 && this.ptr !== 0) park(this.ptr, this.byteLength);
  }

  get alive(): boolean {
    return this.refs > 0;
  }

  /** Whether more than one handle or saved reference holds these bytes. */
  get shared(): boolean {
    return this.refs > 1;
  }

  /** PyTorch's `untyped_storage().data_ptr()`. */
  dataPtr(): number {
    return this.ptr;
  }

  /** PyTorch's `untyped_storage().nbytes()`. */
  nbytes(): number {
    return this.byteLength;
  }
}

// The last small block freed waits here for the next request of its exact size, so a loop that
// makes and disposes a small tensor per step allocates without two calls into the core (which
// cost more than a small op's work). At most one block waits; memory() and emptyCache() return
// it to the core first (returnParkedBlock), so the core's accounting stays exact.
const PARKED_MAX_BYTES = 4096;
let parkedPtr = 0;
let parkedBytes = 0;

function park(ptr: number, bytes: number): void {
  if (bytes > PARKED_MAX_BYTES) return core().free(ptr, bytes);
  returnParkedBlock();
  parkedPtr = ptr;
  parkedBytes = bytes;
}

/** Frees the block waiting for reuse, if any (before the allocator's numbers are read or its cache emptied). */
export function returnParkedBlock(): void {
  if (parkedPtr === 0) return;
  core().free(parkedPtr, parkedBytes);
  parkedPtr = 0;
}

/**
 * A block from the caching allocator; when it fails, once more after emptying the cache, then
 * PyTorch's allocator error.
 */
export function allocate(bytes: number): number {
  if (parkedPtr !== 0 && parkedBytes === bytes) {
    const parked = parkedPtr;
    parkedPtr = 0;
    return parked;
  }
  const ptr = tryAllocate(bytes);
  if (ptr !== 0) return ptr;
  returnParkedBlock();
  core().emptyCache();
  const retried = tryAllocate(bytes);
  if (retried === 0) throw new RuntimeError(messages.outOfMemory(bytes));
  return retried;
}

function tryAllocate(bytes: number): number {
  try {
    return core().alloc(bytes);
  } catch (e) {
    // memory.grow failed inside the heap; it traps before changing any heap state
    if (!(e instanceof WebAssembly.RuntimeError)) throw e;
    return 0;
  }
}
