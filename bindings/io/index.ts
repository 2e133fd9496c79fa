// tapegrad/io: reading and writing PyTorch's files (Python's safetensors.torch). Runtime-neutral
// (bytes in, bytes out); under the `node` condition the subpath adds file helpers (io/node.ts).
export {
  loadSafetensors, loadSafetensorsMetadata, saveSafetensors, SafetensorError, type SaveSafetensorsOptions, type HalfFormat,
} from "./safetensors.js";
