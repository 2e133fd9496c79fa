// safetensors interop with PyTorch: files written by PyTorch 2.11 + safetensors 0.8 load with
// exact values, and what tapegrad writes is byte-identical to what the library writes.
// Fixtures: /work/shared/interop (dtypes, mlp, char_*, cnn, transformer_layer) and
// test/fixtures/make_io_fixtures.py (state_dicts.json, halves*).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import * as tg from "tapegrad";
import * as io from "tapegrad/io";

type Tensor = tg.Tensor;

const fixtureUrl = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);
const fixture = (name: string) => new Uint8Array(readFileSync(fixtureUrl(name)));
const fixtureJson = (name: string) => JSON.parse(readFileSync(fixtureUrl(name), "utf8"));

interface Snap {
  shape: number[];
  dtype: string;
  values: (number | boolean | string)[];
}

/** The fixtures write NaN and the infinities as strings. */
const fromJson = (v: number | boolean | string) => (typeof v !== "string" ? v : v === "nan" ? NaN : v === "inf" ? Infinity : -Infinity);

/** Row-major values of any tensor (0-dim and non-contiguous included). */
function flat(t: Tensor): (number | boolean)[] {
  return tg.tidy(() => t.reshape(-1).tolist() as (number | boolean)[]);
}

/** What a fixture snapshot loads as in tapegrad: 16-bit floats widen to float32. */
function expectSnap(t: Tensor, snap: Snap): void {
  expect(t.dtype).toBe(snap.dtype === "float16" || snap.dtype === "bfloat16" ? "float32" : snap.dtype);
  expect(t.shape).toEqual(snap.shape);
  expect(flat(t)).toEqual(snap.values.map(fromJson)); // toEqual tells -0 from 0 and matches NaN
}

let baseline: ReturnType<typeof tg.memory>;
beforeEach(() => {
  baseline = tg.memory();
});
afterEach(() => {
  const now = tg.memory();
  expect([now.liveBytes, now.liveBlocks, now.liveTensors]).toEqual([baseline.liveBytes, baseline.liveBlocks, baseline.liveTensors]);
});

describe("loading PyTorch's files", () => {
  test("every dtype PyTorch writes loads with its exact values (dtypes.safetensors vs dtypes.json)", () => {
    const expected = fixtureJson("dtypes.json") as Record<string, Snap>;
    const sd = io.loadSafetensors(fixture("dtypes.safetensors"));
    try {
      // in the order of the data, as the library lays it out (dtype, then name)
      expect(Object.keys(sd)).toEqual(["i64", "f64", "empty", "f32", "scalar", "transposed_then_saved", "i32", "bf16", "f16", "u8", "bool"]);
      for (const [name, snap] of Object.entries(expected)) expectSnap(sd[name], snap);
      expect(sd.scalar.ndim).toBe(0);
      expect(sd.scalar.item()).toBe(3.5);
      expect(sd.empty.numel()).toBe(0);
    } finally {
      tg.dispose(sd);
    }
  });

  test("the metadata map, or null when the file has none", () => {
    expect(io.loadSafetensorsMetadata(fixture("dtypes.safetensors"))).toEqual({ format: "pt", note: "dtype zoo" });
    expect(io.loadSafetensorsMetadata(fixture("mlp.safetensors"))).toBeNull();
  });

  test.each(["mlp", "char_gru", "char_lstm"])("%s: the state_dict PyTorch saved, value for value", (name) => {
    const expected = (fixtureJson("state_dicts.json") as Record<string, Record<string, Snap>>)[name];
    const sd = io.loadSafetensors(fixture(`${name}.safetensors`));
    try {
      expect(Object.keys(sd).sort()).toEqual(Object.keys(expected).sort());
      for (const [key, snap] of Object.entries(expected)) expectSnap(sd[key], snap);
      if (name !== "mlp") expect(Object.keys(sd).sort()).toEqual([...fixtureJson(`${name}.json`).state_dict_keys].sort());
    } finally {
      tg.dispose(sd);
    }
  });

  test("loaded weights are ordinary tensors: the MLP reproduces PyTorch's logits", () => {
    const { x, logits } = fixtureJson("mlp.json") as { x: Snap; logits: Snap };
    const sd = io.loadSafetensors(fixture("mlp.safetensors"));
    try {
      const out = tg.tidy(() => {
        const input = tg.tensor(x.values as number[]).reshape(x.shape);
        const hidden = input.matmul(sd["0.weight"].t()).add(sd["0.bias"]).relu();
        return flat(hidden.matmul(sd["2.weight"].t()).add(sd["2.bias"])) as number[];
      });
      out.forEach((v, i) => expect(v).toBeCloseTo(logits.values[i] as number, 6));
    } finally {
      tg.dispose(sd);
    }
  });

  test("F16 and BF16 widen to float32 exactly: ties, subnormals, infinities, NaN", () => {
    const expected = fixtureJson("halves.json") as { f16: Snap; bf16: Snap };
    for (const [file, snap] of [["halves_f16.safetensors", expected.f16], ["halves_bf16.safetensors", expected.bf16]] as const) {
      const sd = io.loadSafetensors(fixture(file));
      expectSnap(sd.x, snap);
      tg.dispose(sd);
    }
  });

  test("bytes may be an ArrayBuffer or a view into a larger buffer", () => {
    const bytes = fixture("mlp.safetensors");
    const padded = new Uint8Array(bytes.length + 5);
    padded.set(bytes, 3);
    const fromView = io.loadSafetensors(padded.subarray(3, 3 + bytes.length));
    const fromBuffer = io.loadSafetensors(bytes.slice().buffer);
    expect(flat(fromView["2.weight"])).toEqual(flat(fromBuffer["2.weight"]));
    tg.dispose([fromView, fromBuffer]);
  });

  test("loaded tensors own their memory: disposing them returns it", () => {
    const sd = io.loadSafetensors(fixture("char_lstm.safetensors"));
    expect(tg.memory().liveTensors - baseline.liveTensors).toBe(11);
    expect(tg.memory().liveBytes - baseline.liveBytes).toBe(7216); // the data section, no more
    tg.dispose(sd);
  });
});

describe("saving as the library does", () => {
  test.each(["mlp", "char_gru", "char_lstm", "cnn", "transformer_layer"])("%s: saving what was loaded gives the identical file", (name) => {
    const bytes = fixture(`${name}.safetensors`);
    const sd = io.loadSafetensors(bytes);
    try {
      expect(io.saveSafetensors(sd)).toEqual(bytes);
    } finally {
      tg.dispose(sd);
    }
  });

  test("dtypes.safetensors round-trips byte for byte: metadata, 16-bit floats by name, 0-dim and empty tensors", () => {
    const bytes = fixture("dtypes.safetensors");
    const sd = io.loadSafetensors(bytes);
    try {
      const metadata = io.loadSafetensorsMetadata(bytes);
      expect(io.saveSafetensors(sd, metadata, { float32As: { f16: "float16", bf16: "bfloat16" } })).toEqual(bytes);
    } finally {
      tg.dispose(sd);
    }
  });

  test("a non-contiguous tensor is saved in row-major order", () => {
    const bytes = fixture("dtypes.safetensors");
    const sd = io.loadSafetensors(bytes);
    // PyTorch saved arange(6.).reshape(2, 3).t().contiguous(); here the transposed view itself
    const transposed = tg.tidy(() => tg.keep(tg.arange(6, { dtype: "float32" }).reshape(2, 3).t()));
    try {
      expect(transposed.stride()).toEqual([1, 3]);
      const tensors = { ...sd, transposed_then_saved: transposed };
      const out = io.saveSafetensors(tensors, io.loadSafetensorsMetadata(bytes), { float32As: { f16: "float16", bf16: "bfloat16" } });
      expect(out).toEqual(bytes);
    } finally {
      tg.dispose([sd, transposed]);
    }
  });

  test("a broadcast view (stride 0) is saved as its row-major copy", () => {
    tg.tidy(() => {
      const row = tg.tensor([1, 2], { dtype: "int64" }).expand(3, 2);
      expect(io.saveSafetensors({ row })).toEqual(io.saveSafetensors({ row: row.contiguous() }));
      expect(flat(io.loadSafetensors(io.saveSafetensors({ row }, null, { float32As: "float16" })).row)).toEqual([1, 2, 1, 2, 1, 2]);
    });
  });

  test.each([["float16", "halves_f16.safetensors"], ["bfloat16", "halves_bf16.safetensors"]] as const)(
    "float32As: %s stores float32 tensors as PyTorch's .half()/.bfloat16() would, other dtypes as they are",
    (format, file) => {
      const sd = io.loadSafetensors(fixture("halves.safetensors"));
      try {
        expect(io.saveSafetensors(sd, { format: "pt" }, { float32As: format })).toEqual(fixture(file));
      } finally {
        tg.dispose(sd);
      }
    },
  );

  test("the layout rules: data by descending dtype then name, header padded with spaces to 8 bytes", () => {
    const tensors = {
      b: tg.tensor([true, false]),
      a: tg.tensor([1, 2], { dtype: "int32" }),
      c: tg.tensor([1.5], { dtype: "float64" }),
      "é": tg.tensor([7], { dtype: "uint8" }),
      aa: tg.tensor([3], { dtype: "int32" }),
    };
    const out = io.saveSafetensors(tensors, { k: "v" });
    const n = Number(new DataView(out.buffer).getBigUint64(0, true));
    const json =
      '{"__metadata__":{"k":"v"},"c":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},' +
      '"a":{"dtype":"I32","shape":[2],"data_offsets":[8,16]},"aa":{"dtype":"I32","shape":[1],"data_offsets":[16,20]},' +
      '"é":{"dtype":"U8","shape":[1],"data_offsets":[20,21]},"b":{"dtype":"BOOL","shape":[2],"data_offsets":[21,23]}}';
    const jsonBytes = new TextEncoder().encode(json).length; // "é" is two bytes
    expect(n).toBe(Math.ceil(jsonBytes / 8) * 8);
    expect(new TextDecoder().decode(out.subarray(8, 8 + n))).toBe(json + " ".repeat(n - jsonBytes));
    expect([...out.subarray(8 + n + 21)]).toEqual([1, 0]);
    tg.dispose(tensors);
  });

  test("an empty file, with and without metadata (the library's own test bytes)", () => {
    // safetensors/src/tensor.rs test_empty
    expect([...io.saveSafetensors({})]).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    expect([...io.saveSafetensors({}, { framework: "pt" })]).toEqual([
      40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95, 95, 34, 58, 123, 34, 102, 114, 97, 109, 101,
      119, 111, 114, 107, 34, 58, 34, 112, 116, 34, 125, 125, 32, 32, 32, 32, 32,
    ]);
    expect(io.loadSafetensors(io.saveSafetensors({}))).toEqual({});
  });

  test("NaN stays NaN through F16 and BF16", () => {
    // (its bits are not pinned: PyTorch writes BF16 NaN as 0xFFFF or 0x7FC0 depending on the element's position)
    const x = tg.tensor([NaN, -1.5]);
    for (const float32As of ["float16", "bfloat16"] as const) {
      const back = io.loadSafetensors(io.saveSafetensors({ x }, null, { float32As }));
      expect(flat(back.x)).toEqual([NaN, -1.5]);
      tg.dispose(back);
    }
    x.dispose();
  });

  test("every dtype survives tapegrad → bytes → tapegrad", () => {
    const tensors = {
      f32: tg.tensor([[1.5, -0], [NaN, Infinity]]),
      f64: tg.tensor([1e-300, -2.5], { dtype: "float64" }),
      i64: tg.tensor([-(2 ** 53) + 1, 7], { dtype: "int64" }),
      i32: tg.tensor([-(2 ** 31), 2 ** 31 - 1], { dtype: "int32" }),
      u8: tg.tensor([0, 255], { dtype: "uint8" }),
      bool: tg.tensor([true, false, true]),
      scalar: tg.tensor(2),
      empty: tg.zeros(2, 0, 3, { dtype: "int64" }),
    };
    const back = io.loadSafetensors(io.saveSafetensors(tensors));
    for (const [name, t] of Object.entries(tensors)) {
      expect(back[name].dtype).toBe(t.dtype);
      expect(back[name].shape).toEqual(t.shape);
      expect(flat(back[name])).toEqual(flat(t));
    }
    tg.dispose([tensors, back]);
  });

  test("bool bytes other than 0 and 1 load as true (stored as 1)", () => {
    const sd = io.loadSafetensors(file({ m: { dtype: "BOOL", shape: [4], data_offsets: [0, 4] } }, new Uint8Array([0, 1, 2, 255])));
    expect(flat(sd.m)).toEqual([false, true, true, true]);
    expect(tg.tidy(() => sd.m.sum().item())).toBe(3);
    tg.dispose(sd);
  });

  test("misuse gets PyTorch's exception classes", () => {
    const t = tg.tensor([1]);
    expect(() => io.saveSafetensors([t] as never)).toThrow(new tg.ValueError("Expected a dict of [str, Tensor] but received an array"));
    expect(() => io.saveSafetensors({ w: [1, 2] } as never)).toThrow(new tg.ValueError("Key `w` is invalid, expected Tensor but received an array"));
    expect(() => io.saveSafetensors({ __metadata__: t })).toThrow(tg.ValueError);
    expect(() => io.saveSafetensors({ t }, { n: 1 } as never)).toThrow(TypeError);
    expect(() => io.saveSafetensors({ t }, null, { float32As: "float8" as never })).toThrow(TypeError);
    expect(() => io.saveSafetensors({ t }, null, { float32As: { u: "float16" } })).toThrow(
      new tg.ValueError("float32As names `u`, which is not a float32 tensor being saved"),
    );
    const gone = tg.tensor([2]);
    gone.dispose();
    expect(() => io.saveSafetensors({ gone })).toThrow(tg.RuntimeError);
    expect(() => io.loadSafetensors("not bytes" as never)).toThrow(TypeError);
    t.dispose();
  });
});

/** A safetensors file from a header (JSON text or a value) and data, with an optional declared header length. */
function file(header: string | object, data: Uint8Array | number = 0, declared?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const body = typeof data === "number" ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + json.length + body.length);
  new DataView(out.buffer).setBigUint64(0, declared ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(body, 8 + json.length);
  return out;
}

const f32 = (shape: unknown, offsets: unknown) => ({ dtype: "F32", shape, data_offsets: offsets });
const DTYPE_LIST =
  "`BOOL`, `F4`, `F6_E2M3`, `F6_E3M2`, `U8`, `I8`, `F8_E5M2`, `F8_E4M3`, `F8_E8M0`, `F8_E4M3FNUZ`, `F8_E5M2FNUZ`, " +
  "`I16`, `U16`, `F16`, `BF16`, `I32`, `U32`, `F32`, `C64`, `F64`, `I64`, `U64`";

describe("hostile files: a clear SafetensorError, nothing allocated", () => {
  // Messages as safetensors 0.8 words them (recorded with safe_open on the same bytes), without
  // serde's "at line 1 column N" and naming the tensor where the library does not.
  const cases: [string, Uint8Array, string | RegExp][] = [
    ["fewer than 8 bytes", new Uint8Array([1, 2]), "header too small"],
    ["header length above 100 MB", file({}, 0, 100_000_001n), "header too large"],
    ["header length 2^64 - 1", file({}, 0, 2n ** 64n - 1n), "header too large"],
    ["header length past the end", file({}, 0, 64n), "invalid header length"],
    ["header not UTF-8", file('{"a":1}').map((b, i) => (i === 10 ? 0xff : b)), "invalid UTF-8 in header"],
    ["header not JSON", file('{"a":'), /^invalid JSON in header: /],
    ["header empty", file(""), /^invalid JSON in header: /],
    ["header with a byte order mark", file("\ufeff{}"), /^invalid JSON in header: /],
    ["header an array", file("[1,2]"), "invalid JSON in header: invalid type: sequence, expected struct HashMetadata"],
    ["header a string", file('"x"'), 'invalid JSON in header: invalid type: string "x", expected struct HashMetadata'],
    ["header null", file("null"), "invalid JSON in header: invalid type: null, expected struct HashMetadata"],
    ["tensor info not an object", file({ a: 1 }), "invalid JSON in header: invalid type: integer `1`, expected struct TensorInfo in tensor `a`"],
    ["missing field", file({ a: { dtype: "F32", shape: [1] } }, 4), "invalid JSON in header: missing field `data_offsets` in tensor `a`"],
    ["unknown dtype", file({ a: { dtype: "F8", shape: [1], data_offsets: [0, 1] } }, 1), `invalid JSON in header: unknown variant \`F8\`, expected one of ${DTYPE_LIST} in tensor \`a\``],
    ["dtype named like an Object method", file({ a: { dtype: "toString", shape: [1], data_offsets: [0, 1] } }, 1), /^invalid JSON in header: unknown variant `toString`/],
    ["shape not an array", file({ a: f32(1, [0, 4]) }, 4), "invalid JSON in header: invalid type: integer `1`, expected a sequence in tensor `a`"],
    ["negative dimension", file({ a: f32([-1], [0, 4]) }, 4), "invalid JSON in header: invalid value: integer `-1`, expected usize in tensor `a`"],
    ["fractional dimension", file({ a: f32([1.5], [0, 4]) }, 4), "invalid JSON in header: invalid type: floating point `1.5`, expected usize in tensor `a`"],
    ["dimension a string", file({ a: f32(["2"], [0, 4]) }, 4), 'invalid JSON in header: invalid type: string "2", expected usize in tensor `a`'],
    ["three offsets", file({ a: f32([1], [0, 4, 8]) }, 4), "invalid JSON in header: invalid length 3, expected a tuple of size 2 in tensor `a`"],
    ["offset beyond 2^53", file('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,18446744073709551616]}}', 4), /^invalid JSON in header: invalid value: integer `18446744073709552000`, expected an integer below 2\^53 in tensor `a`$/],
    ["shape and offsets disagree", file({ a: f32([2], [0, 4]) }, 4), "invalid shape, data type, or offset for tensor `a`"],
    ["a gap before the first tensor", file({ a: f32([1], [4, 8]) }, 8), "invalid offset for tensor `a`"],
    ["overlapping tensors", file({ a: f32([1], [0, 4]), b: f32([1], [0, 4]) }, 8), "invalid offset for tensor `b`"],
    ["end before begin", file({ a: f32([0], [4, 0]) }, 4), "invalid offset for tensor `a`"],
    ["offsets past the end of the file", file({ a: f32([1], [0, 4]) }, 0), "incomplete metadata, file not fully covered"],
    ["bytes after the last tensor", file({ a: f32([1], [0, 4]) }, 8), "incomplete metadata, file not fully covered"],
    ["a size that overflows", file({ a: f32([2 ** 40, 2 ** 40], [0, 4]) }, 4), "overflow computing buffer size from shape and/or element type"],
    ["a huge declared size", file({ a: f32([2 ** 30, 2 ** 10], [0, 2 ** 42]) }, 4), "incomplete metadata, file not fully covered"],
    ["4-bit elements not filling a byte", file({ a: { dtype: "F4", shape: [3], data_offsets: [0, 2] } }, 2), "The slice is slicing for subbytes dtypes, and the slice does not end up at a byte boundary, this is invalid."],
    ["duplicate tensor names", file('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', 8), "invalid JSON in header: duplicate key `a`"],
    ["duplicate tensor names, same entry", file('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"\\u0061":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', 4), "invalid JSON in header: duplicate key `a`"],
    ["duplicate field", file('{"a":{"dtype":"F32","dtype":"I32","shape":[1],"data_offsets":[0,4]}}', 4), "invalid JSON in header: duplicate key `dtype`"],
    ["metadata not a map", file({ __metadata__: [1] }), "invalid JSON in header: invalid type: sequence, expected a map in `__metadata__`"],
    ["metadata value not a string", file({ __metadata__: { a: 1 } }), "invalid JSON in header: invalid type: integer `1`, expected a string in `__metadata__` at key `a`"],
    ["deeply nested JSON", file(`{"a":${"[".repeat(200_000)}${"]".repeat(200_000)}}`), "invalid JSON in header: invalid type: sequence, expected struct TensorInfo in tensor `a`"],
  ];

  test.each(cases)("%s", (_name, bytes, message) => {
    const heap = tg.memory().heapBytes;
    for (const read of [io.loadSafetensors, io.loadSafetensorsMetadata]) {
      let error: unknown = null;
      try {
        read(bytes);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(io.SafetensorError);
      const text = (error as Error).message.replace(/^Error while deserializing header: /, "");
      expect((error as Error).message.startsWith("Error while deserializing header: ")).toBe(true);
      if (typeof message === "string") expect(text).toBe(message);
      else expect(text).toMatch(message);
    }
    expect(tg.memory().heapBytes).toBe(heap);
  });

  test("a dtype tapegrad has no equivalent for: the header reads, the tensors do not load", () => {
    const bytes = file({ __metadata__: { format: "pt" }, a: { dtype: "I16", shape: [2], data_offsets: [0, 4] } }, 4);
    expect(io.loadSafetensorsMetadata(bytes)).toEqual({ format: "pt" });
    expect(() => io.loadSafetensors(bytes)).toThrow(
      new io.SafetensorError("tensor `a` is stored as I16, which tapegrad cannot load (it loads F64, F32, F16, BF16, I64, I32, U8, BOOL)"),
    );
  });

  test("what the library accepts loads: unpadded headers, leading whitespace, unknown fields, null metadata", () => {
    const sd = io.loadSafetensors(file(' {"__metadata__":null,"a":{"dtype":"I32","shape":[1],"data_offsets":[0,4],"extra":[1]}}', new Uint8Array([5, 0, 0, 0])));
    expect(flat(sd.a)).toEqual([5]);
    expect(io.loadSafetensorsMetadata(file(" {}"))).toBeNull();
    tg.dispose(sd);
  });
});

describe("file helpers (Node entry)", () => {
  test("saveSafetensorsFile writes what saveSafetensors returns; loadSafetensorsFile reads it back", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tapegrad-io-"));
    const sd = await io.loadSafetensorsFile(fixtureUrl("mlp.safetensors"));
    try {
      const path = join(dir, "copy.safetensors");
      await io.saveSafetensorsFile(path, sd, { format: "pt" });
      expect(new Uint8Array(readFileSync(path))).toEqual(io.saveSafetensors(sd, { format: "pt" }));
      const back = await io.loadSafetensorsFile(path);
      expect(flat(back["0.weight"])).toEqual(flat(sd["0.weight"]));
      tg.dispose(back);
    } finally {
      tg.dispose(sd);
      rmSync(dir, { recursive: true });
    }
  });

  test("a missing file rejects with Node's error", async () => {
    await expect(io.loadSafetensorsFile(join(tmpdir(), "tapegrad-no-such-file.safetensors"))).rejects.toThrow(/ENOENT/);
  });
});
