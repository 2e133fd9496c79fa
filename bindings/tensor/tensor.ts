// A Tensor is (storage, shape, strides, storageOffset, dtype, version counter) plus PyTorch's
// autograd metadata. Views, detach() and .data are new Tensors over the same Storage.
// Methods of operations are installed from the op tables (bindings/ops); this file holds what
// every tensor is, whatever ops exist.
import { RuntimeError, messages } from "../errors.js";
import { Storage } from "../storage.js";
import { DTYPES, type DType, isFloating } from "./dtype.js";
import { type Shape, contiguousStrides, numel } from "./shape.js";
import { track, untrack, adopt } from "./lifetime.js";
import type { Node, GradHook } from "../autograd/node.js";
import type { TensorMethods } from "../ops/methods.js";
import {
  detachInplace, gradFn, isLeaf, requiresGrad, setRequiresGradAttr, setRequiresGradMethod,
} from "../autograd/variable.js";
import { retainGrad } from "../autograd/engine.js";
import { type BackwardOptions, backward } from "../autograd/api.js";
import { item, tolist, type Nested } from "./data.js";
import { formatTensor } from "./repr.js";

/** PyTorch's VariableVersion: shared by a base, its views and its detach() aliases. */
export class VersionCounter {
  value = 0;
  bump(): void {
    this.value++;
  }
}

/** How a view was created, which decides whether it may be modified in place later. */
export const enum CreationMeta {
  Default,
  NoGradMode,
  MultiOutputNode,
  InferenceMode,
  InCustomFunction,
}

/** Autograd's record of a differentiable view (PyTorch's DifferentiableViewMeta). */
export interface ViewInfo {
  /** the root base: never itself a view */
  readonly base: Tensor;
  creationMeta: CreationMeta;
  /** the version at which this view's gradFn was last set */
  attrVersion: number;
}

export interface TensorParts {
  storage: Storage;
  shape: Shape;
  strides: Shape;
  offset: number;
  dtype: DType;
  version?: VersionCounter;
}

export class Tensor {
  /** @internal */ _storage: Storage;
  /** @internal */ _shape: readonly number[];
  /** @internal */ _strides: readonly number[];
  /** @internal */ _offset: number;
  readonly dtype: DType;
  /** @internal DTYPES[dtype].bytes, which every launch reads (a keyed lookup by dtype name costs more) */
  readonly _itemBytes: number;
  /** @internal */ _version: VersionCounter;

  // Autograd metadata (PyTorch's AutogradMeta). `_gradFn` is the raw field; the `gradFn`
  // getter may regenerate it for views whose base was modified in place.
  /** @internal */ _requiresGrad = false;
  /** @internal */ _gradFn: Node | null = null;
  /** @internal */ _outputNr = 0;
  /** @internal */ _grad: Tensor | null = null;
  /** @internal the leaf's AccumulateGrad, made on first use (it holds this tensor only while some graph refers to it) */
  _accumulator: Node | null = null;
  /** @internal */ _retainsGrad = false;
  /** @internal */ _view: ViewInfo | null = null;
  /** @internal gradient hooks of a leaf, run before its gradient accumulates (made on the first) */
  _leafHooks: GradHook[] | null = null;

  // Lifetime: holders are this handle itself, views whose base this is, saved-for-backward
  // references and gradient accumulators. Resources go when the count reaches zero.
  /** @internal */ _disposed = false;
  private holders = 1;
  private kept = false;
  /** @internal the .grad of some leaf; survives tidy while the leaf holds it */
  _ownedByLeaf = false;
  /** @internal registered with the FinalizationRegistry (lifetime.ts) */
  _registered = false;

  /** @internal Use the factories (`tensor`, `zeros`, ...) to make tensors. */
  constructor(parts: TensorParts) {
    this._storage = parts.storage;
    this._shape = parts.shape;
    this._strides = parts.strides;
    this._offset = parts.offset;
    this.dtype = parts.dtype;
    this._itemBytes = DTYPES[parts.dtype].bytes;
    this._version = parts.version ?? new VersionCounter();
    track(this);
  }

  /** @internal A fresh contiguous tensor with new, uninitialized storage. */
  static _empty(shape: Shape, dtype: DType): Tensor {
    return Tensor._emptyWithLayout(shape.slice(), contiguousStrides(shape), dtype);
  }

  /**
   * @internal A fresh tensor with new, uninitialized storage of numel(shape) elements, laid out
   * by `strides` (contiguous ones); the arrays are kept as given, e.g. another tensor's.
   */
  static _emptyWithLayout(shape: Shape, strides: Shape, dtype: DType): Tensor {
    return new Tensor({ storage: new Storage(numel(shape) * DTYPES[dtype].bytes), shape, strides, offset: 0, dtype });
  }

  /** @internal A new handle on the same memory (and optionally the same version counter). */
  _alias(shape: Shape, strides: Shape, offset: number, version: VersionCounter | null): Tensor {
    this._storage.retain();
    return new Tensor({ storage: this._storage, shape, strides, offset, dtype: this.dtype, version: version ?? undefined });
  }

  // ---- data layout -----------------------------------------------------------------------

  get shape(): number[] {
    return [...this._shape];
  }

  /** PyTorch's `size(dim?)`. */
  size(dim?: number): number | number[] {
    if (dim === undefined) return this.shape;
    return this._shape[dim < 0 ? dim + this._shape.length : dim];
  }

  get ndim(): number {
    return this._shape.length;
  }

  dim(): number {
    return this._shape.length;
  }

  numel(): number {
    return numel(this._shape);
  }

  stride(dim?: number): number | number[] {
    if (dim === undefined) return [...this._strides];
    return this._strides[dim < 0 ? dim + this._strides.length : dim];
  }

  storageOffset(): number {
    return this._offset;
  }

  /** Byte address of element 0 in linear memory (0 for an empty tensor). */
  dataPtr(): number {
    return this._storage.ptr === 0 ? 0 : this._storage.ptr + this._offset * this._itemBytes;
  }

  /** The storage object, the same for every alias of these bytes. */
  untypedStorage(): Storage {
    return this._storage;
  }

  elementSize(): number {
    return this._itemBytes;
  }

  isFloatingPoint(): boolean {
    return isFloating(this.dtype);
  }

  /** PyTorch's `_version`: bumped once by every in-place operation. */
  get version(): number {
    return this._version.value;
  }

  /** Whether autograd tracks this tensor as a view of a base (PyTorch's `_is_view()`). */
  get isView(): boolean {
    return this._view !== null;
  }

  /** PyTorch's `_base`: the tensor this one is a view of, or null. */
  get base(): Tensor | null {
    return this._view === null ? null : this._view.base;
  }

  // ---- autograd ----------------------------------------------------------------------------

  /** Whether operations on this tensor are recorded for backward. Settable on leaves only. */
  get requiresGrad(): boolean {
    return requiresGrad(this);
  }

  set requiresGrad(value: boolean) {
    this._check();
    setRequiresGradAttr(this, value);
  }

  /** PyTorch's `requires_grad_()`; returns this tensor. */
  requiresGrad_(value = true): this {
    this._check();
    setRequiresGradMethod(this, value);
    return this;
  }

  /** The node that produced this tensor (PyTorch's `grad_fn`), or null for a leaf. */
  get gradFn(): Node | null {
    return gradFn(this);
  }

  get isLeaf(): boolean {
    return isLeaf(this);
  }

  /** The accumulated gradient (leaves, and non-leaves that called retainGrad()). */
  get grad(): Tensor | null {
    return this._grad;
  }

  set grad(value: Tensor | null) {
    this._check();
    if (value !== null) {
      if (value === this) throw new RuntimeError("can't assign Variable as its own grad");
      if (value.dtype !== this.dtype) {
        throw new RuntimeError(
          `attempting to assign a gradient with dtype '${DTYPES[value.dtype].scalarName}' to a tensor with dtype '${DTYPES[this.dtype].scalarName}'. Please ensure that the gradient and the tensor have the same dtype`,
        );
      }
      if (value._shape.length !== this._shape.length || value._shape.some((s, i) => s !== this._shape[i])) {
        throw new RuntimeError(
          `attempting to assign a gradient of size '[${value._shape.join(", ")}]' to a tensor of size '[${this._shape.join(", ")}]'. Please ensure that the gradient and the tensor are the same size`,
        );
      }
    }
    this._setGrad(value);
  }

  get retainsGrad(): boolean {
    return this._retainsGrad;
  }

  /** Keeps the gradient of this non-leaf in `.grad` after backward. */
  retainGrad(): void {
    this._check();
    retainGrad(this);
  }

  /** PyTorch's `detach_()`: this tensor leaves the graph and becomes a leaf. */
  detach_(): this {
    this._check();
    detachInplace(this);
    return this;
  }

  /** `.data`: the same memory without history, with a version counter of its own. */
  get data(): Tensor {
    this._check();
    return this._alias(this._shape, this._strides, this._offset, null);
  }

  /** `t.data = other`: this tensor now shows other's memory; history and version stay. */
  set data(value: Tensor) {
    this._check();
    value._check();
    value._storage.retain();
    this._storage.release();
    this._storage = value._storage;
    this._shape = [...value._shape];
    this._strides = [...value._strides];
    this._offset = value._offset;
    (this as { dtype: DType }).dtype = value.dtype;
  }

  /** Computes gradients of this tensor w.r.t. the graph leaves (PyTorch's `backward`). */
  backward(gradient: Tensor | null | BackwardOptions = null, options: BackwardOptions = {}): void {
    this._check();
    if (gradient !== null && !(gradient instanceof Tensor)) backward(this, null, gradient);
    else backward(this, gradient, options);
  }

  /**
   * Registers a hook called with the gradient of this tensor during backward; it may return a
   * replacement. Returns a handle whose remove() unregisters it.
   */
  registerHook(hook: GradHook): { remove(): void } {
    this._check();
    if (!this.requiresGrad) throw new RuntimeError("cannot register a hook on a tensor that doesn't require gradient");
    let list: GradHook[];
    if (this._gradFn === null) list = this._leafHooks ??= [];
    else {
      const hooks = ((gradFn(this) as Node).preHooks ??= new Map());
      list = hooks.get(this._outputNr) ?? [];
      hooks.set(this._outputNr, list);
    }
    list.push(hook);
    return {
      remove: () => {
        const i = list.indexOf(hook);
        if (i >= 0) list.splice(i, 1);
      },
    };
  }

  // ---- values ------------------------------------------------------------------------------

  /** The value of a one-element tensor as a JS number (or boolean). */
  item(): number {
    this._check();
    return item(this) as number;
  }

  /** Nested arrays of the values (int64 as numbers). */
  tolist(): Nested {
    this._check();
    return tolist(this);
  }

  /** Prints like PyTorch: `tensor([0.7311, 0.8808], grad_fn=<SigmoidBackward0>)`. */
  toString(): string {
    if (this._disposed) return "tensor(<disposed>)";
    const fn = gradFn(this);
    return formatTensor(this, fn === null ? null : fn.name, this.requiresGrad);
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  // ---- lifetime ----------------------------------------------------------------------------

  /**
   * Releases this handle. Memory is freed once no alias, view or saved-for-backward reference
   * remains. Using a disposed handle throws.
   */
  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    this._releaseHold();
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Exempts this handle from every enclosing `tidy` (it must then be disposed explicitly). */
  keep(): this {
    this.kept = true;
    return this;
  }

  /** @internal */
  isKept(): boolean {
    return this.kept || this._ownedByLeaf;
  }

  /** @internal */
  _hold(): void {
    this.holders++;
  }

  /** @internal */
  _releaseHold(): void {
    if (--this.holders > 0) return;
    untrack(this);
    this._storage.release();
    const fn = this._gradFn;
    this._gradFn = null;
    fn?.release();
    this._setGrad(null);
    const view = this._view;
    this._view = null;
    view?.base._releaseHold();
  }

  /** @internal Throws PyTorch-style if this handle was disposed. */
  _check(): this {
    if (this._disposed) throw new RuntimeError(messages.disposed());
    return this;
  }

  /** @internal Sets the raw .grad slot; a released gradient goes to the enclosing tidy. */
  _setGrad(grad: Tensor | null): void {
    const previous = this._grad;
    if (previous === grad) return;
    if (grad !== null) grad._ownedByLeaf = true;
    this._grad = grad;
    if (previous !== null) {
      previous._ownedByLeaf = false;
      if (this._disposed) previous.dispose();
      else adopt(previous);
    }
  }
}

// The op tables add their methods to Tensor.prototype (bindings/ops/install.ts); this merges
// their types into the class.
export interface Tensor extends TensorMethods {}

export function isTensor(value: unknown): value is Tensor {
  return value instanceof Tensor;
}
