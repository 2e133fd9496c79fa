/**
 * Python's safetensors.torch: PyTorch's safetensors files, read and written byte for byte.
 * `loadSafetensors` / `saveSafetensors` work on bytes in every runtime; the file helpers below
 * exist where the subpath resolves through the `node` condition (Node; this module is that
 * flavour, so the runtime-neutral io/index.ts never imports node:*).
 *
 * @module tapegrad/io
 */
import { readFile, writeFile } from "node:fs/promises";
import type { Tensor } from "../tensor/tensor.js";
import { type SaveSafetensorsOptions, loadSafetensors, saveSafetensors } from "./index.js";

export * from "./index.js";

/** Reads a safetensors file from disk (PyTorch's `safetensors.torch.load_file`); see {@link loadSafetensors}. */
export async function loadSafetensorsFile(path: string | URL): Promise<Record<string, Tensor>> {
  return loadSafetensors(await readFile(path));
}

/** Writes tensors as a safetensors file on disk (PyTorch's `safetensors.torch.save_file`); see {@link saveSafetensors}. */
export async function saveSafetensorsFile(
  path: string | URL,
  tensors: Record<string, Tensor>,
  metadata: Record<string, string> | null = null,
  options: SaveSafetensorsOptions = {},
): Promise<void> {
  await writeFile(path, saveSafetensors(tensors, metadata, options));
}
