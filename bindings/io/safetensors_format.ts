// The safetensors container, as the reference library (safetensors 0.8) reads and writes it:
// an 8-byte little-endian header length N, N bytes of JSON (padded with spaces to a multiple
// of 8), then the data section that the tensors' `data_offsets` tile exactly. Pure byte and
// JSON work: no tensors here. The header comes from untrusted files, so every field is checked
// before anything is allocated from it; errors carry the library's wording.

/** The error the safetensors library raises (Python's `safetensors.SafetensorError`). */
export class SafetensorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SafetensorError";
  }
}

/** The library's Dtype enum in declaration order (its writer sorts by it), with bits per element. */
const DTYPE_BITS = {
  BOOL: 8, F4: 4, F6_E2M3: 6, F6_E3M2: 6, U8: 8, I8: 8, F8_E5M2: 8, F8_E4M3: 8, F8_E8M0: 8, F8_E4M3FNUZ: 8,
  F8_E5M2FNUZ: 8, I16: 16, U16: 16, F16: 16, BF16: 16, I32: 32, U32: 32, F32: 32, C64: 64, F64: 64, I64: 64, U64: 64,
} as const;

export type SafetensorsDType = keyof typeof DTYPE_BITS;

const DTYPE_NAMES = Object.keys(DTYPE_BITS) as SafetensorsDType[];

/** The writer's data order: descending dtype (as declared in the enum), then ascending name. */
export function writeOrder(a: { name: string; dtype: SafetensorsDType }, b: { name: string; dtype: SafetensorsDType }): number {
  return DTYPE_NAMES.indexOf(b.dtype) - DTYPE_NAMES.indexOf(a.dtype) || compareUtf8(a.name, b.name);
}

/** Rust compares strings by their UTF-8 bytes, which is code point order (JS's `<` compares UTF-16 units). */
function compareUtf8(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i].codePointAt(0) as number) - (y[i].codePointAt(0) as number);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** One tensor of a header. `begin`/`end` are byte offsets into the data section. */
export interface TensorEntry {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  begin: number;
  end: number;
}

export interface Header {
  /** the `__metadata__` map, or null when the file has none */
  metadata: Record<string, string> | null;
  /** in data order (ascending offsets) */
  tensors: TensorEntry[];
  /** where the data section starts in the file */
  dataStart: number;
}

/** Headers above this size are refused before being read (the library's MAX_HEADER_SIZE). */
const MAX_HEADER_SIZE = 100_000_000;
/** The header key of the free-form string map; every other key names a tensor. */
export const METADATA_KEY = "__metadata__";

const headerError = (message: string) => new SafetensorError(`Error while deserializing header: ${message}`);
const invalidJson = (message: string) => headerError(`invalid JSON in header: ${message}`);

/** serde's description of an unexpected JSON value. */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "sequence";
  switch (typeof value) {
    case "boolean": return `boolean \`${value}\``;
    case "number": return Number.isInteger(value) ? `integer \`${value}\`` : `floating point \`${value}\``;
    case "string": return `string ${JSON.stringify(value)}`;
    default: return "map";
  }
}

/** serde's "invalid type" error: `value` where `expected` was expected. */
const invalidType = (value: unknown, expected: string) => invalidJson(`invalid type: ${describe(value)}, expected ${expected}`);

const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A size or offset: an integer JS numbers hold exactly (Rust's usize, within 2^53). */
function usize(value: unknown, where: string): number {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === "number" && Number.isInteger(value) && value > 0) {
    throw invalidJson(`invalid value: integer \`${value}\`, expected an integer below 2^53 ${where}`);
  }
  const expected = typeof value === "number" && Number.isInteger(value) ? "invalid value" : "invalid type";
  throw invalidJson(`${expected}: ${describe(value)}, expected usize ${where}`);
}

function parseMetadata(value: unknown): Record<string, string> | null {
  if (value === null) return null;
  if (!isMap(value)) throw invalidType(value, `a map in \`${METADATA_KEY}\``);
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== "string") throw invalidType(v, `a string in \`${METADATA_KEY}\` at key \`${key}\``);
  }
  return value as Record<string, string>;
}

function parseTensor(name: string, info: unknown): TensorEntry {
  const where = `in tensor \`${name}\``;
  if (!isMap(info)) throw invalidType(info, `struct TensorInfo ${where}`);
  for (const field of ["dtype", "shape", "data_offsets"]) {
    if (!Object.hasOwn(info, field)) throw invalidJson(`missing field \`${field}\` ${where}`);
  }
  const { dtype, shape, data_offsets: offsets } = info;
  if (typeof dtype !== "string" || !Object.hasOwn(DTYPE_BITS, dtype)) {
    const variants = DTYPE_NAMES.map((d) => `\`${d}\``).join(", ");
    const found = typeof dtype === "string" ? `unknown variant \`${dtype}\`` : `invalid type: ${describe(dtype)}`;
    throw invalidJson(`${found}, expected one of ${variants} ${where}`);
  }
  if (!Array.isArray(shape)) throw invalidType(shape, `a sequence ${where}`);
  if (!Array.isArray(offsets)) throw invalidType(offsets, `a tuple of size 2 ${where}`);
  if (offsets.length !== 2) throw invalidJson(`invalid length ${offsets.length}, expected a tuple of size 2 ${where}`);
  return {
    name,
    dtype: dtype as SafetensorsDType,
    shape: shape.map((d) => usize(d, where)),
    begin: usize(offsets[0], where),
    end: usize(offsets[1], where),
  };
}

/** The whitespace JSON allows between tokens. */
const JSON_SPACE = /[ \t\n\r]/;

/** The first key that repeats within one JSON object of `text` (already valid JSON), or null. */
function findDuplicateKey(text: string): string | null {
  // one entry per open container: the keys seen so far, or null for an array
  const open: (Set<string> | null)[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
      let next = end + 1;
      while (JSON_SPACE.test(text[next])) next++;
      const keys = open[open.length - 1];
      if (keys && text[next] === ":") {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
      }
      i = end;
    } else if (c === "{") open.push(new Set());
    else if (c === "[") open.push(null);
    else if (c === "}" || c === "]") open.pop();
  }
  return null;
}

/** Bytes of a tensor's data, or the library's error when the shape is absurd or not a whole number of bytes. */
export function byteSize(dtype: SafetensorsDType, shape: readonly number[]): number {
  let bits = DTYPE_BITS[dtype];
  for (const d of shape) {
    bits *= d;
    if (bits > Number.MAX_SAFE_INTEGER) throw headerError("overflow computing buffer size from shape and/or element type");
  }
  if (bits % 8 !== 0) {
    throw headerError("The slice is slicing for subbytes dtypes, and the slice does not end up at a byte boundary, this is invalid.");
  }
  return bits / 8;
}

/**
 * Parses and validates the header of a safetensors file: the offsets must tile the data section
 * exactly, in order, each span holding exactly its tensor's bytes.
 */
export function readHeader(bytes: Uint8Array): Header {
  if (bytes.length < 8) throw headerError("header too small");
  const declared = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (declared > BigInt(MAX_HEADER_SIZE)) throw headerError("header too large");
  const dataStart = 8 + Number(declared);
  if (dataStart > bytes.length) throw headerError("invalid header length");

  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, dataStart));
  } catch {
    throw headerError("invalid UTF-8 in header");
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw invalidJson((e as Error).message);
  }
  if (!isMap(json)) throw invalidType(json, "struct HashMetadata");
  const duplicate = findDuplicateKey(text);
  if (duplicate !== null) throw invalidJson(`duplicate key \`${duplicate}\``);

  let metadata: Record<string, string> | null = null;
  const tensors: TensorEntry[] = [];
  for (const [key, value] of Object.entries(json)) {
    if (key === METADATA_KEY) metadata = parseMetadata(value);
    else tensors.push(parseTensor(key, value));
  }

  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const t of tensors) {
    if (t.begin !== covered || t.end < t.begin) throw headerError(`invalid offset for tensor \`${t.name}\``);
    covered = t.end;
    if (t.end - t.begin !== byteSize(t.dtype, t.shape)) throw headerError(`invalid shape, data type, or offset for tensor \`${t.name}\``);
  }
  if (dataStart + covered !== bytes.length) throw headerError("incomplete metadata, file not fully covered");
  return { metadata, tensors, dataStart };
}

/**
 * The length prefix and header the library writes for `tensors` (already in data order, their
 * offsets assigned): `__metadata__` first, the fields of each tensor as serde orders them, no
 * whitespace, then spaces up to a multiple of 8 bytes so the data section stays aligned.
 */
export function writeHeader(metadata: Record<string, string> | null, tensors: readonly TensorEntry[]): Uint8Array {
  const fields: string[] = [];
  if (metadata !== null) fields.push(`"${METADATA_KEY}":${JSON.stringify(metadata)}`);
  for (const t of tensors) {
    fields.push(`${JSON.stringify(t.name)}:{"dtype":"${t.dtype}","shape":[${t.shape.join(",")}],"data_offsets":[${t.begin},${t.end}]}`);
  }
  const json = new TextEncoder().encode(`{${fields.join(",")}}`);
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded).fill(0x20, 8 + json.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  return out;
}

