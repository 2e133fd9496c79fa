// tapegrad.io: reading and writing PyTorch's files. Runtime-neutral (bytes in, bytes out);
// the Node entry adds file helpers on top (io/node.ts).
export {
  loadSafetensors, loadSafetensorsMetadata, saveSafetensors, SafetensorError, type SaveSafetensorsOptions, type HalfFormat,
} from "./safetensors.js";
