// Dtypes and PyTorch's type promotion.
import { RuntimeError } from "../errors.js";

export type DType = "float32" | "float64" | "int32" | "int64" | "bool" | "uint8";

interface DTypeInfo {
  /** code of assembly/dtype.ts */
  code: number;
  bytes: number;
  floating: boolean;
  /** PyTorch's scalar type name in messages ("Float", "Long") */
  scalarName: string;
  /** the legacy type name in autograd messages ("torch.FloatTensor") */
  typeName: string;
  /** promotion category: 0 bool, 1 integer, 2 floating */
  category: number;
}

export const DTYPES: Record<DType, DTypeInfo> = {
  float32: { code: 0, bytes: 4, floating: true, scalarName: "Float", typeName: "torch.FloatTensor", category: 2 },
  float64: { code: 1, bytes: 8, floating: true, scalarName: "Double", typeName: "torch.DoubleTensor", category: 2 },
  int32: { code: 2, bytes: 4, floating: false, scalarName: "Int", typeName: "torch.IntTensor", category: 1 },
  int64: { code: 3, bytes: 8, floating: false, scalarName: "Long", typeName: "torch.LongTensor", category: 1 },
  bool: { code: 4, bytes: 1, floating: false, scalarName: "Bool", typeName: "torch.BoolTensor", category: 0 },
  uint8: { code: 5, bytes: 1, floating: false, scalarName: "Byte", typeName: "torch.ByteTensor", category: 1 },
};

export const DEFAULT_DTYPE: DType = "float32";

export function checkDType(dtype: unknown): DType {
  if (typeof dtype === "string" && dtype in DTYPES) return dtype as DType;
  throw new TypeError(`unknown dtype ${String(dtype)}; expected one of ${Object.keys(DTYPES).join(", ")}`);
}

export const isFloating = (dtype: DType): boolean => DTYPES[dtype].floating;

// Promotion lattice within one category: the larger type wins.
const ORDER: DType[] = ["bool", "uint8", "int32", "int64", "float32", "float64"];

/** torch.promote_types for two tensor dtypes. */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  // uint8 with a signed int promotes to the signed type (int16 is absent here, so int32 at least)
  return ORDER.indexOf(a) > ORDER.indexOf(b) ? a : b;
}

/** A Python number operand: an int or a float (integral JS numbers count as ints). */
export type ScalarKind = "bool" | "int" | "float";

export function scalarKind(value: number | boolean): ScalarKind {
  if (typeof value === "boolean") return "bool";
  return Number.isInteger(value) ? "int" : "float";
}

/** PyTorch's combine_categories: the higher-priority operand group wins unless the lower one is floating. */
function combineCategories(higher: DType | null, lower: DType | null): DType | null {
  if (higher !== null && isFloating(higher)) return higher;
  if (higher === "bool" || (lower !== null && isFloating(lower))) {
    if (higher === null) return lower;
    return lower === null ? higher : promoteTypes(higher, lower);
  }
  return higher ?? lower;
}

/**
 * PyTorch's result_type: dimensioned tensors take precedence over 0-dim tensors, which take
 * precedence over Python scalars, except that a lower group may raise the category
 * (int64 * 2.5 is float32; int64 * 2 stays int64; float32 + float64 0-dim stays float32).
 */
export function resultType(tensors: { dtype: DType; ndim: number }[], scalars: ScalarKind[] = []): DType {
  let dimResult: DType | null = null;
  let zeroDimResult: DType | null = null;
  for (const t of tensors) {
    if (t.ndim > 0) dimResult = dimResult === null ? t.dtype : promoteTypes(dimResult, t.dtype);
    else zeroDimResult = zeroDimResult === null ? t.dtype : promoteTypes(zeroDimResult, t.dtype);
  }
  let wrappedResult: DType | null = null;
  for (const s of scalars) {
    const d: DType = s === "float" ? DEFAULT_DTYPE : s === "int" ? "int64" : "bool";
    wrappedResult = wrappedResult === null ? d : promoteTypes(wrappedResult, d);
  }
  return combineCategories(dimResult, combineCategories(zeroDimResult, wrappedResult)) ?? DEFAULT_DTYPE;
}

/** Whether a value of `from` may be written into a tensor of `to` (PyTorch's canCast). */
export function canCast(from: DType, to: DType): boolean {
  return DTYPES[from].category <= DTYPES[to].category;
}

export function castError(from: DType, to: DType): RuntimeError {
  return new RuntimeError(`result type ${DTYPES[from].scalarName} can't be cast to the desired output type ${DTYPES[to].scalarName}`);
}
