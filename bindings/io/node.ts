// tapegrad.io for runtimes with a file system (Node; Deno and Bun through node:fs): everything
// in io/index.ts plus file helpers. Only the Node entry exports this flavour, so the
// runtime-neutral modules never import node:*.
import { readFile, writeFile } from "node:fs/promises";
import type { Tensor } from "../tensor/tensor.js";
import { type SaveSafetensorsOptions, loadSafetensors, saveSafetensors } from "./safetensors.js";

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
