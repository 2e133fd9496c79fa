// PyTorch's calling conventions in JS: positional arguments, then one trailing options object
// for keyword arguments (`sum(1, { keepdim: true })`, `clamp({ min: 0 })`).
import { Tensor } from "../tensor/tensor.js";

export function isOptions(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Tensor)
    && Object.getPrototypeOf(value) === Object.prototype;
}

/**
 * Binds `values` to `names` like Python does: positionals in order, then keywords from a
 * trailing options object; missing ones take `defaults`.
 */
export function bind<T extends Record<string, unknown>>(names: readonly (keyof T & string)[], values: readonly unknown[], defaults: T): T {
  const out: Record<string, unknown> = { ...defaults };
  let positional = values;
  const last = values[values.length - 1];
  if (isOptions(last)) {
    positional = values.slice(0, -1);
    for (const key of Object.keys(last)) {
      if (!(key in defaults)) throw new TypeError(`got an unexpected keyword argument '${key}'`);
      out[key] = last[key];
    }
  }
  if (positional.length > names.length) {
    throw new TypeError(`takes ${names.length} positional arguments but ${positional.length} were given`);
  }
  positional.forEach((v, i) => {
    if (v !== undefined) out[names[i]] = v;
  });
  return out as T;
}

/** Dims given as separate integers, one array, or nothing (`sum()`, `sum(1)`, `sum([0, 1])`). */
export function dimList(value: unknown): number[] | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value as number[];
  return [value as number];
}

/** Adds the method `name` and its in-place variant `name_` to `table`, both computed by `fn`. */
export function methodPair(table: Record<string, unknown>, name: string, fn: (self: Tensor, args: unknown[], inplace: boolean) => Tensor): void {
  table[name] = function (this: Tensor, ...args: unknown[]) {
    return fn(this, args, false);
  };
  table[`${name}_`] = function (this: Tensor, ...args: unknown[]) {
    return fn(this, args, true);
  };
}

/** A function of `self` as a Tensor method: `this` becomes its first argument. */
export const method = <A extends unknown[], R>(fn: (self: Tensor, ...args: A) => R) =>
  function (this: Tensor, ...args: A): R {
    return fn(this, ...args);
  };
