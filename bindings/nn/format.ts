// Python's spelling of values in PyTorch's messages and reprs.
import type { Tensor } from "../tensor/tensor.js";

/** `torch.Size([3, 4])` */
export const pySize = (t: Tensor | readonly number[]): string => `torch.Size([${(Array.isArray(t) ? t : (t as Tensor).shape).join(", ")}])`;

/** `True` / `False` */
export const pyBool = (b: boolean): string => (b ? "True" : "False");

/** Python's repr of a float: `2.0`, `0.1`, `inf`, `1e-08`. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return x.toFixed(1);
  return String(x).replace(/e([+-])(\d)$/, "e$10$2");
}
