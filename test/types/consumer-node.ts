// Compiled with the `node` condition only (test/types.test.ts): tapegrad/io's file helpers.
import type { Tensor } from "tapegrad";
import { loadSafetensorsFile, saveSafetensorsFile } from "tapegrad/io";

const loaded: Promise<Record<string, Tensor>> = loadSafetensorsFile("model.safetensors");
const saved: Promise<void> = loaded.then((tensors) => saveSafetensorsFile("copy.safetensors", tensors));
export { saved };
