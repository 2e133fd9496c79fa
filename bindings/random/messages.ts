// PyTorch's messages for the random ops that several checks share (DistributionTemplates.h),
// with numbers printed as C++ streams print them.
import { RuntimeError } from "../errors.js";
import type { DType } from "../tensor/dtype.js";
import { typeMetaName } from "../ops/checks.js";
import { twoDigitExponent } from "../tensor/repr.js";

/** A double as `std::ostream << double` prints it (6 significant digits, %g style). */
export function formatDouble(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const [mantissa, exponent] = x.toExponential(5).split("e");
  const exp = Number(exponent);
  const trim = (s: string) => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);
  if (exp < -4 || exp >= 6) return twoDigitExponent(`${trim(mantissa)}e${exponent}`);
  return trim(x.toFixed(Math.max(0, 5 - exp)));
}

/** A bound of uniform_ or random_ outside what the dtype holds. */
export const outOfBounds = (name: string, dtype: DType) => new RuntimeError(`${name} is out of bounds for ${typeMetaName(dtype)}`);

/** normal's check of a number std. */
export function checkStd(std: number): void {
  if (!(std >= 0)) throw new RuntimeError(`normal expects std >= 0.0, but found std ${formatDouble(std)}`);
}
