// Python's spelling of values in PyTorch's messages and reprs.
import type { Tensor } from "../tensor/tensor.js";
import { formatShape } from "../errors.js";
import { twoDigitExponent } from "../tensor/repr.js";

/** `torch.Size([3, 4])` */
export const pySize = (t: Tensor | readonly number[]): string => `torch.Size(${formatShape(Array.isArray(t) ? t : (t as Tensor).shape)})`;

/** `True` / `False` */
export const pyBool = (b: boolean): string => (b ? "True" : "False");

/** Python's repr of a float: `2.0`, `0.1`, `inf`, `1e-05` (exponent form below 1e-4 and from 1e16). */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const magnitude = Math.abs(x);
  if (magnitude !== 0 && (magnitude < 1e-4 || magnitude >= 1e16)) {
    return twoDigitExponent(x.toExponential());
  }
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}
