// safetensors files to and from tapegrad tensors, bytes in and bytes out (no file system here,
// so this works in every runtime). Saving writes exactly what Python's
// `safetensors.torch.save` writes for the same tensors and metadata.
import { ValueError } from "../errors.js";
import { alive } from "../ops/checks.js";
import { type StorageFormat, tensorFromBytes, tensorIntoBytes } from "../ops/kernels.js";
import type { DType } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import {
  METADATA_KEY, SafetensorError, type SafetensorsDType, byteSize, readHeader, writeHeader, writeOrder,
} from "./safetensors_format.js";

/** The safetensors dtype each storage format is written as; the dtypes tapegrad reads are these. */
const WRITTEN_AS: Record<StorageFormat, SafetensorsDType> = {
  float64: "F64", float32: "F32", float16: "F16", bfloat16: "BF16", int64: "I64", int32: "I32", uint8: "U8", bool: "BOOL",
};
const FORMAT_OF = Object.fromEntries(Object.entries(WRITTEN_AS).map(([format, stored]) => [stored, format])) as Partial<Record<SafetensorsDType, StorageFormat>>;

/** The 16-bit float formats float32 tensors can be stored in. */
export type HalfFormat = "float16" | "bfloat16";

export interface SaveSafetensorsOptions {
  /**
   * Store float32 tensors as 16-bit floats, rounded to nearest even (what `.half()` or
   * `.bfloat16()` before `save_file` gives in PyTorch): one format for every float32 tensor, or
   * a format per tensor name (the others stay F32). Other dtypes are stored as they are.
   */
  float32As?: HalfFormat | Readonly<Record<string, HalfFormat>>;
}

function asBytes(bytes: Uint8Array | ArrayBuffer): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  throw new TypeError(`expected the bytes of a safetensors file (a Uint8Array or ArrayBuffer) but received ${typeName(bytes)}`);
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return (value as object).constructor?.name ?? "an object";
  return typeof value;
}

/**
 * Reads a safetensors file (PyTorch's `safetensors.torch.load`): every tensor of the file, by
 * name, in the order of its data. F16 and BF16 tensors load as float32 (converted exactly);
 * F64, F32, I64, I32, U8 and BOOL keep their dtype. Each tensor is a new contiguous tensor
 * that owns its memory.
 *
 * Hostile or damaged files throw a {@link SafetensorError} with the library's message before
 * anything is allocated.
 */
export function loadSafetensors(bytes: Uint8Array | ArrayBuffer): Record<string, Tensor> {
  const data = asBytes(bytes);
  const header = readHeader(data);
  const plans = header.tensors.map((entry) => {
    const format = FORMAT_OF[entry.dtype];
    if (format === undefined) {
      throw new SafetensorError(
        `tensor \`${entry.name}\` is stored as ${entry.dtype}, which tapegrad cannot load (it loads ${Object.keys(FORMAT_OF).join(", ")})`,
      );
    }
    return { entry, format };
  });
  const loaded: [string, Tensor][] = [];
  try {
    for (const { entry, format } of plans) {
      const span = data.subarray(header.dataStart + entry.begin, header.dataStart + entry.end);
      // tapegrad has no 16-bit floats: F16 and BF16 are widened to float32 exactly
      const dtype: DType = format === "float16" || format === "bfloat16" ? "float32" : format;
      loaded.push([entry.name, tensorFromBytes(span, entry.shape, dtype, format)]);
    }
  } catch (e) {
    for (const [, t] of loaded) t.dispose();
    throw e;
  }
  return Object.fromEntries(loaded);
}

/**
 * The free-form `__metadata__` map of a safetensors file (Python's `safe_open(...).metadata()`),
 * or null when the file has none. Validates the whole header; loads no tensor.
 */
export function loadSafetensorsMetadata(bytes: Uint8Array | ArrayBuffer): Record<string, string> | null {
  return readHeader(asBytes(bytes)).metadata;
}

function checkMetadata(metadata: Record<string, string> | null | undefined): Record<string, string> | null {
  if (metadata === null || metadata === undefined) return null;
  if (typeof metadata !== "object" || Array.isArray(metadata)) {
    throw new TypeError(`metadata must be an object of strings, but received ${typeName(metadata)}`);
  }
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== "string") throw new TypeError(`metadata value of \`${key}\` must be a string, but received ${typeName(value)}`);
  }
  return { ...metadata };
}

/**
 * Writes tensors as a safetensors file (PyTorch's `safetensors.torch.save(tensors, metadata)`),
 * byte for byte as the library does: data ordered by dtype then name, an 8-byte aligned header.
 * Non-contiguous tensors are written in row-major order. `metadata` (strings only) becomes the
 * header's `__metadata__`; null or omitted writes none. `options.float32As` stores float32
 * tensors as F16/BF16 (see {@link SaveSafetensorsOptions}).
 */
export function saveSafetensors(
  tensors: Record<string, Tensor>,
  metadata: Record<string, string> | null = null,
  options: SaveSafetensorsOptions = {},
): Uint8Array {
  if (typeof tensors !== "object" || tensors === null || Array.isArray(tensors) || tensors instanceof Tensor) {
    throw new ValueError(`Expected a dict of [str, Tensor] but received ${typeName(tensors)}`);
  }
  const entries = Object.entries(tensors);
  for (const [name, tensor] of entries) {
    if (!(tensor instanceof Tensor)) throw new ValueError(`Key \`${name}\` is invalid, expected Tensor but received ${typeName(tensor)}`);
    if (name === METADATA_KEY) throw new ValueError(`Key \`${METADATA_KEY}\` is reserved for the metadata map; it cannot name a tensor`);
    alive(tensor);
  }
  const meta = checkMetadata(metadata);
  const formatOf = storedFormats(options.float32As, tensors);

  const planned = entries.map(([name, tensor]) => {
    const format = formatOf(name, tensor);
    return { name, dtype: WRITTEN_AS[format], shape: tensor.shape, begin: 0, end: 0, tensor, format };
  });
  planned.sort(writeOrder);
  let offset = 0;
  for (const p of planned) {
    p.begin = offset;
    offset += byteSize(p.dtype, p.shape);
    p.end = offset;
  }
  const prefix = writeHeader(meta, planned);
  const out = new Uint8Array(prefix.length + offset);
  out.set(prefix);
  for (const p of planned) tensorIntoBytes(p.tensor, p.format, out, prefix.length + p.begin);
  return out;
}

/** How each tensor is stored, given the float32As option (validated against the tensors). */
function storedFormats(option: SaveSafetensorsOptions["float32As"], tensors: Record<string, Tensor>): (name: string, t: Tensor) => StorageFormat {
  const checkHalf = (format: unknown): HalfFormat => {
    if (format === "float16" || format === "bfloat16") return format;
    throw new TypeError(`float32As must be "float16" or "bfloat16" (or an object of them by tensor name), but received ${String(format)}`);
  };
  if (option === undefined) return (_, t) => t.dtype;
  if (typeof option !== "object" || option === null) {
    const half = checkHalf(option);
    return (_, t) => (t.dtype === "float32" ? half : t.dtype);
  }
  for (const [name, format] of Object.entries(option)) {
    checkHalf(format);
    if (!Object.hasOwn(tensors, name) || tensors[name].dtype !== "float32") {
      throw new ValueError(`float32As names \`${name}\`, which is not a float32 tensor being saved`);
    }
  }
  return (name, t) => (Object.hasOwn(option, name) ? option[name] : t.dtype);
}

export { SafetensorError };
