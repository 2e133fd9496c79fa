// PyTorch's tensor printing (torch/_tensor_str.py): the same number formats, widths, line
// wrapping, summarization and suffixes.
import { DTYPES } from "./dtype.js";
import { numel } from "./shape.js";
import type { Tensor } from "./tensor.js";
import { flatValues } from "./data.js";

const PRECISION = 4;
const LINEWIDTH = 80;
const THRESHOLD = 1000;
const EDGEITEMS = 3;

/** JS's exponent form (`1.5e-5`) as Python and C++ print it: at least two exponent digits (`1.5e-05`). */
export const twoDigitExponent = (s: string): string => s.replace(/e([+-])(\d)$/, "e$10$2");

/** Python's "{:.4e}". */
const sci = (v: number): string => twoDigitExponent(v.toExponential(PRECISION));

function nonFinite(v: number): string | null {
  if (Number.isNaN(v)) return "nan";
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  return null;
}

class Formatter {
  private intMode = true;
  private sciMode = false;
  private maxWidth = 1;

  constructor(private readonly floating: boolean, values: readonly (number | boolean)[]) {
    if (!floating) {
      for (const v of values) this.maxWidth = Math.max(this.maxWidth, this.plain(v).length);
      return;
    }
    const finite = (values as number[]).filter((v) => Number.isFinite(v) && v !== 0);
    if (finite.length === 0) return;
    const abs = finite.map(Math.abs);
    const min = Math.min(...abs);
    const max = Math.max(...abs);
    this.intMode = finite.every((v) => v === Math.ceil(v));
    if (max / min > 1000 || max > 1e8 || (!this.intMode && min < 1e-4)) {
      this.sciMode = true;
      for (const v of finite) this.maxWidth = Math.max(this.maxWidth, sci(v).length);
    } else if (this.intMode) {
      for (const v of finite) this.maxWidth = Math.max(this.maxWidth, v.toFixed(0).length + 1);
    } else {
      for (const v of finite) this.maxWidth = Math.max(this.maxWidth, v.toFixed(PRECISION).length);
    }
  }

  private plain(v: number | boolean): string {
    return typeof v === "boolean" ? (v ? "True" : "False") : String(v);
  }

  width(): number {
    return this.maxWidth;
  }

  format(value: number | boolean): string {
    let s: string;
    if (!this.floating) s = this.plain(value);
    else {
      const v = value as number;
      const special = nonFinite(v);
      if (this.sciMode) s = special ?? sci(v);
      else if (this.intMode) s = special ?? `${v.toFixed(0)}.`;
      else s = special ?? v.toFixed(PRECISION);
      if (Object.is(v, -0) && !this.sciMode) s = this.intMode ? "-0." : `-${(0).toFixed(PRECISION)}`;
    }
    return s.padStart(this.maxWidth, " ");
  }
}

interface Block {
  shape: readonly number[];
  values: readonly (number | boolean)[];
}

/** The printed part of a big tensor: edge items of every dim. */
function summarize(block: Block): (number | boolean)[] {
  const { shape, values } = block;
  if (shape.length === 0) return [...values];
  const step = numel(shape.slice(1));
  const pick = shape[0] > 2 * EDGEITEMS
    ? [...Array(EDGEITEMS).keys(), ...Array.from({ length: EDGEITEMS }, (_, i) => shape[0] - EDGEITEMS + i)]
    : [...Array(shape[0]).keys()];
  return pick.flatMap((i) => summarize({ shape: shape.slice(1), values: values.slice(i * step, (i + 1) * step) }));
}

function vectorStr(values: readonly (number | boolean)[], indent: number, fmt: Formatter, summarized: boolean): string {
  const elementLength = fmt.width() + 2;
  const perLine = Math.max(1, Math.floor((LINEWIDTH - indent) / elementLength));
  let data = values.map((v) => fmt.format(v));
  if (summarized && values.length > 2 * EDGEITEMS) {
    data = [...data.slice(0, EDGEITEMS), " ...", ...data.slice(-EDGEITEMS)];
  }
  const lines: string[] = [];
  for (let i = 0; i < data.length; i += perLine) lines.push(data.slice(i, i + perLine).join(", "));
  return `[${lines.join(`,\n${" ".repeat(indent + 1)}`)}]`;
}

function tensorStr(block: Block, indent: number, fmt: Formatter, summarized: boolean): string {
  const { shape, values } = block;
  if (shape.length === 0) return fmt.format(values[0]);
  if (shape.length === 1) return vectorStr(values, indent, fmt, summarized);
  const step = numel(shape.slice(1));
  const sub = (i: number) => tensorStr({ shape: shape.slice(1), values: values.slice(i * step, (i + 1) * step) }, indent + 1, fmt, summarized);
  let slices: string[];
  if (summarized && shape[0] > 2 * EDGEITEMS) {
    slices = [
      ...Array.from({ length: EDGEITEMS }, (_, i) => sub(i)),
      "...",
      ...Array.from({ length: EDGEITEMS }, (_, i) => sub(shape[0] - EDGEITEMS + i)),
    ];
  } else slices = Array.from({ length: shape[0] }, (_, i) => sub(i));
  return `[${slices.join(`,${"\n".repeat(shape.length - 1)}${" ".repeat(indent + 1)}`)}]`;
}

function addSuffixes(text: string, suffixes: string[], indent: number): string {
  const parts = [text];
  let lastLineLen = text.length - text.lastIndexOf("\n") + 1;
  for (const suffix of suffixes) {
    if (lastLineLen + suffix.length + 2 > LINEWIDTH) {
      parts.push(`,\n${" ".repeat(indent)}${suffix}`);
      lastLineLen = indent + suffix.length;
    } else {
      parts.push(`, ${suffix}`);
      lastLineLen += suffix.length + 2;
    }
  }
  parts.push(")");
  return parts.join("");
}

/** `str(t)`: `gradFnName` is read by the caller (reading it may regenerate a view's node). */
export function formatTensor(t: Tensor, gradFnName: string | null, requiresGrad: boolean, prefix = "tensor("): string {
  const indent = prefix.length;
  const suffixes: string[] = [];
  const n = numel(t._shape);
  const defaultDtype = t.dtype === "float32" || t.dtype === "int64" || t.dtype === "bool";
  let body: string;
  if (n === 0) {
    if (t.ndim !== 1) suffixes.push(`size=(${t._shape.join(", ")})`);
    if (t.dtype !== "float32") suffixes.push(`dtype=torch.${t.dtype}`);
    body = "[]";
  } else {
    if (!defaultDtype) suffixes.push(`dtype=torch.${t.dtype}`);
    const values = flatValues(t);
    const summarized = n > THRESHOLD;
    const shown = summarized ? summarize({ shape: t._shape, values }) : values;
    const fmt = new Formatter(DTYPES[t.dtype].floating, shown);
    body = tensorStr({ shape: t._shape, values }, indent, fmt, summarized);
  }
  if (gradFnName !== null) suffixes.push(`grad_fn=<${gradFnName}>`);
  else if (requiresGrad) suffixes.push("requires_grad=True");
  return addSuffixes(prefix + body, suffixes, indent);
}
