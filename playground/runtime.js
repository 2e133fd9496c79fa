// What code run in the playground sees besides `tg`: print() and show(). The page points them
// at its output panes for the duration of a run (`attach`).
import * as tg from "../dist/browser.js";
import { toSvg } from "../dist/viz.js";

let sink = null;

/** Python's repr for the values print() shows; tensors print as PyTorch prints them. */
export function format(value) {
  if (value instanceof tg.Tensor) return value.toString();
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (value === null || value === undefined) return "None";
  if (typeof value === "string") return `'${value}'`;
  if (typeof value === "boolean") return value ? "True" : "False";
  if (Array.isArray(value)) return `[${value.map(format).join(", ")}]`;
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return `{${Object.entries(value).map(([k, v]) => `'${k}': ${format(v)}`).join(", ")}}`;
  }
  return String(value);
}

/** Python's print(): the values separated by spaces, on one line. */
export function print(...values) {
  sink?.print(values.map((v) => (typeof v === "string" ? v : format(v))).join(" "));
}

/** Draws the autograd graph behind tensors (pass them by name: show({ a, out })). */
export function show(tensors) {
  const caption = tensors instanceof tg.Tensor ? "show(tensor)" : `show({ ${Object.keys(tensors).join(", ")} })`;
  sink?.show(caption, toSvg(tensors));
}

/** Sends print() and show() to `target` ({ print(line), show(caption, svg) }) until the next attach. */
export function attach(target) {
  sink = target;
}
