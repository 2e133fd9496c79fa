// The libraries the bench compares. Each peer is { name, coldStart(), load() }:
//   coldStart() imports the library itself (nothing is imported before it is called) and
//     returns { ms, values } for its first op; run in a fresh process by coldstart.mjs.
//   load() resolves to the adapter the cases use, one vocabulary for every library:
//     activate()                           make this library current (tfjs: its backend)
//     tensor(Float32Array, shape, opts?)   a new tensor ({ requiresGrad } where autograd is per tensor)
//     read(t) → Float32Array, free(t), tidy(fn), memory() → live bytes
//     matmul(a, b, { transposeA, transposeB }), add, mul, sigmoid, exp, gelu, sum, softmax(last dim)
//     mlp(init) → { step(), params() → Float32Array[] (PyTorch layout), dispose() }
import * as tapegrad from "./tapegrad.mjs";
import { tfjs } from "./tfjs.mjs";

/** tapegrad first: the ratios in the report are tapegrad against each of the others. */
export const PEERS = [tapegrad, tfjs("wasm"), tfjs("cpu")];

export function peerNamed(name) {
  const peer = PEERS.find((p) => p.name === name);
  if (peer === undefined) throw new Error(`unknown peer ${name}; known: ${PEERS.map((p) => p.name).join(", ")}`);
  return peer;
}
