// Every op module contributes a table of methods; they are installed on Tensor.prototype here
// and their types merged into the Tensor class (tensor.ts), so that adding an op touches only
// its own module.
import { Tensor } from "../tensor/tensor.js";
import { type PointwiseMethods, pointwiseMethods } from "./pointwise.js";
import { viewMethods } from "./view.js";
import { creationMethods } from "./creation.js";
import { inplaceMethods } from "./inplace.js";
import { conversionMethods } from "./conversion.js";
import { reductionMethods } from "./reduction.js";
import { linalgMethods } from "./linalg.js";
import { shapeMethods } from "./shape.js";
import { type NonzeroMethod, indexingMethods } from "./indexing.js";
import { type ComparisonMethods, comparisonMethods } from "./comparison.js";
import { type TernaryMethods, ternaryMethods } from "./ternary.js";
import { scatterMethods } from "./scatter.js";
import { diagonalMethods } from "./diagonal.js";
import { randomMethods } from "../random/sampling.js";

/** A method table's functions as seen from a tensor (without the explicit `this`). */
type Bound<T> = { [K in keyof T]: T[K] extends (this: Tensor, ...args: infer A) => infer R ? (...args: A) => R : never };

export interface TensorMethods
  extends PointwiseMethods,
    Bound<typeof viewMethods>,
    Bound<typeof creationMethods>,
    Bound<typeof inplaceMethods>,
    Bound<typeof conversionMethods>,
    Bound<typeof reductionMethods>,
    Bound<typeof linalgMethods>,
    Bound<typeof shapeMethods>,
    Omit<Bound<typeof indexingMethods>, "nonzero">,
    NonzeroMethod,
    ComparisonMethods,
    TernaryMethods,
    Bound<typeof scatterMethods>,
    Bound<typeof diagonalMethods>,
    Bound<typeof randomMethods> {}

export const METHOD_TABLES = [
  pointwiseMethods, viewMethods, creationMethods, inplaceMethods, conversionMethods,
  reductionMethods, linalgMethods, shapeMethods, indexingMethods,
  comparisonMethods, ternaryMethods, scatterMethods, diagonalMethods,
  randomMethods,
] as const;

let installed = false;

/** Installs every op table's methods on Tensor.prototype (once). */
export function installMethods(): void {
  if (installed) return;
  installed = true;
  for (const table of METHOD_TABLES) {
    for (const name of Object.keys(table)) {
      Object.defineProperty(Tensor.prototype, name, {
        value: (table as Record<string, unknown>)[name],
        writable: true,
        configurable: true,
        enumerable: false,
      });
    }
  }
  Object.defineProperty(Tensor.prototype, "T", {
    get(this: Tensor) {
      return this.permute([...Array(this.ndim).keys()].reverse());
    },
    configurable: true,
  });
  Object.defineProperty(Tensor.prototype, "mT", {
    get(this: Tensor) {
      return this.transpose(-2, -1);
    },
    configurable: true,
  });
}
