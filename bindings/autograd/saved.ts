// A tensor saved for backward together with the version it had (PyTorch's SavedVariable).
// The version check and the "modified by an inplace operation" error live here and only here.
import { RuntimeError, formatShape, messages } from "../errors.js";
import { DTYPES } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import type { Node } from "./node.js";
import { gradAccumulator, gradFn } from "./variable.js";

export class SavedVariable {
  private data: Tensor | null;
  private readonly savedVersion: number;
  private readonly wasLeaf: boolean;
  /** inputs (and leaves) are kept as the tensor itself; outputs as an alias without history */
  private readonly savedOriginal: boolean;
  /** for an in-place op on a view: the view's node when it was saved (for the message) */
  private readonly inplaceViewFn: Node | null;

  /**
   * @param owned the saved variable takes over `t` (a temporary such as the clone of self an
   *   in-place op saves) and disposes it on release
   */
  constructor(t: Tensor, isOutput: boolean, isInplaceOnView = false, private readonly owned = false) {
    this.savedVersion = t._version.value;
    this.wasLeaf = t._gradFn === null;
    this.inplaceViewFn = isInplaceOnView ? gradFn(t) : null;
    if (!isOutput || this.wasLeaf) {
      this.savedOriginal = true;
      if (!owned) t._hold();
      this.data = t;
    } else {
      // Saving an output itself would make a cycle through its gradFn: keep the data only.
      this.savedOriginal = false;
      this.data = t._alias(t._shape, t._strides, t._offset, t._version).keep();
    }
  }

  /**
   * The saved tensor, after checking it was not modified in place since it was saved.
   * `savedFor` is the node unpacking it (given for outputs, as in PyTorch).
   */
  unpack(savedFor: Node | null = null): Tensor {
    const data = this.data;
    if (data === null) throw new RuntimeError(messages.backwardTwice());
    let fn: Node | null = this.inplaceViewFn ?? (this.savedOriginal ? gradFn(data) : null);
    if (!this.wasLeaf && fn === null) {
      if (savedFor === null) {
        throw new RuntimeError(
          "Trying to use a saved tensor that has been detached in-place, i.e. with .detach_().This is not supported, please use out-of-place `.detach()` instead",
        );
      }
      fn = savedFor;
    }
    const current = data._version.value;
    if (current !== this.savedVersion) {
      throw new RuntimeError(
        `one of the variables needed for gradient computation has been modified by an inplace operation: [${DTYPES[data.dtype].typeName} ` +
          `${formatShape(data._shape)}]${fn ? `, which is output 0 of ${fn.name},` : ""} is at version ${current}; ` +
          `expected version ${this.savedVersion} instead. Hint: enable anomaly detection to find the operation that failed to ` +
          `compute its gradient, with torch.autograd.set_detect_anomaly(True).`,
      );
    }
    // The tensor comes back as a new handle with the saved one's history (for an output: the
    // node that saved it), so double backward through it reaches the same graph, whatever the
    // caller has done with its own handle since.
    const out = data._alias(data._shape, data._strides, data._offset, data._version);
    if (fn !== null) {
      fn.retain();
      out._gradFn = fn;
      // a saved output comes back as output 0 of the node that saved it
      out._outputNr = this.savedOriginal ? data._outputNr : 0;
    } else if (this.savedOriginal && data._requiresGrad) {
      out._requiresGrad = true;
      out._accumulator = gradAccumulator(data);
    }
    return out;
  }

  /** @internal The saved tensor without checks, for drawing the graph. */
  peek(): { tensor: Tensor; savedVersion: number } | null {
    return this.data === null ? null : { tensor: this.data, savedVersion: this.savedVersion };
  }

  release(): void {
    const data = this.data;
    this.data = null;
    if (data === null) return;
    if (this.savedOriginal && !this.owned) data._releaseHold();
    else data.dispose();
  }
}
