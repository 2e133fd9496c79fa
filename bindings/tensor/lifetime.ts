// Deterministic memory management. The JS garbage collector cannot see linear memory, so
// handles are disposed explicitly or by `tidy`; a FinalizationRegistry (where the runtime has
// one) only catches handles that were dropped without either.
import type { Tensor } from "./tensor.js";

interface Scope {
  tensors: Handle[];
}

const scopes: Scope[] = [];

/** The innermost tidy scope, if any (not `scopes[-1]`: a read at a negative index takes V8's slow path). */
const innermost = (): Scope | undefined => (scopes.length === 0 ? undefined : scopes[scopes.length - 1]);
let liveTensors = 0;

/** What the registry releases for a handle that was garbage-collected undisposed: its storage. */
type Held = { release(): void };

/**
 * The part of a Tensor this bookkeeping uses (typed apart from Tensor, whose type merges every
 * op's methods, so that checking this module does not need all of them).
 */
interface Handle {
  readonly _storage: Held;
  readonly _disposed: boolean;
  _registered: boolean;
  dispose(): void;
  isKept(): boolean;
}
const registry: FinalizationRegistry<Held> | null =
  typeof FinalizationRegistry === "function" ? new FinalizationRegistry<Held>((held) => held.release()) : null;

// Registering with the FinalizationRegistry is costly, and most handles live for a few ops:
// new handles wait in a batch that is registered at the end of the current task, minus those
// already disposed by then. A handle disposed while it is the newest of the batch (make, use,
// dispose: the common case) leaves it at once, so the batch does not keep dead handles alive
// into the old generation. Handles made inside tidy never need it: tidy disposes them.
let pending: Handle[] = [];
let flushQueued = false;

function registerPending(): void {
  const batch = pending;
  pending = [];
  flushQueued = false;
  for (const t of batch) {
    if (t._disposed) continue;
    registry?.register(t, t._storage, t);
    t._registered = true;
  }
}

/** @internal Called by every Tensor constructor. */
export function track(t: Handle): void {
  liveTensors++;
  const scope = innermost();
  if (scope !== undefined) scope.tensors.push(t);
  else if (registry !== null) {
    if (!flushQueued) {
      flushQueued = true;
      queueMicrotask(registerPending);
    }
    pending.push(t);
    // a long synchronous loop that keeps its handles never reaches the microtask: flush as it
    // goes (the microtask already queued then finds a shorter batch)
    if (pending.length >= 1024) {
      registerPending();
      flushQueued = true;
    }
  }
}

/** @internal Called once when a handle lets go of its resources. */
export function untrack(t: Handle): void {
  liveTensors--;
  if (t._registered) {
    registry?.unregister(t);
    t._registered = false;
    return;
  }
  // drop the disposed handles at the end of the batch (this one, and any disposed before it)
  while (pending.length > 0 && pending[pending.length - 1]._disposed) pending.pop();
}

/** @internal Hands a tensor to the innermost tidy scope (e.g. a gradient that a leaf let go of). */
export function adopt(t: Handle): void {
  const scope = innermost();
  if (scope !== undefined) scope.tensors.push(t);
}

export function liveTensorCount(): number {
  return liveTensors;
}

/** Collects the tensors reachable from a value returned by `tidy`. */
function collect(value: unknown, into: Set<Handle>, seen: Set<object>, isTensor: (v: unknown) => v is Tensor): void {
  if (value === null || typeof value !== "object") return;
  if (isTensor(value)) {
    into.add(value);
    return;
  }
  if (seen.has(value)) return;
  seen.add(value);
  if (value instanceof Map) for (const v of value.values()) collect(v, into, seen, isTensor);
  else if (value instanceof Set || Array.isArray(value)) for (const v of value) collect(v, into, seen, isTensor);
  else for (const key of Object.keys(value)) collect((value as Record<string, unknown>)[key], into, seen, isTensor);
}

/**
 * Runs `fn` and disposes every tensor handle created inside it, except those reachable from its
 * result, those passed to `keep()`, and gradients that a leaf created outside still holds.
 * Survivors move to the enclosing tidy, if any.
 */
export function tidyWith<T>(fn: () => T, isTensor: (v: unknown) => v is Tensor): T {
  const scope: Scope = { tensors: [] };
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const t of scope.tensors) if (!t.isKept()) t.dispose();
    throw e;
  }
  scopes.pop();
  const keep = new Set<Handle>();
  collect(result, keep, new Set(), isTensor);
  const parent = innermost();
  for (const t of scope.tensors) {
    if (keep.has(t) || t.isKept()) parent?.tensors.push(t);
    else t.dispose();
  }
  return result;
}
