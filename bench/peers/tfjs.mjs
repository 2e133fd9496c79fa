// TensorFlow.js as a bench peer, on one backend ("wasm": XNNPACK, SIMD, single-threaded in
// Node; "cpu": plain JS). Written the way a tfjs user would write it: prod mode, matMul's
// transpose flags, fused matMul + bias + relu as tf.layers.dense does, optimizer.minimize.
// tfjs-core alone cannot train: its gradient functions are registered by the @tensorflow/tfjs
// package, which load() imports; cold start imports only tfjs-core and the backend (its best case).
import { createRequire } from "node:module";
import { dirname } from "node:path";

const require = createRequire(import.meta.url);

/** Imports tfjs-core and the backend, registered and ready (each import once per process). */
async function importBackend(backend) {
  const tf = await import("@tensorflow/tfjs-core");
  if (backend === "wasm") {
    const { setWasmPaths } = await import("@tensorflow/tfjs-backend-wasm");
    setWasmPaths(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm")) + "/");
  } else {
    await import("@tensorflow/tfjs-backend-cpu");
  }
  tf.enableProdMode();
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs: backend ${backend} failed to initialize`);
  return tf;
}

/** tfjs-layers' gelu (activations.ts): x · ½(1 + erf(x/√2)), there being no gelu op in tfjs-core. */
function gelu(tf, x) {
  return tf.tidy(() => tf.mul(x, tf.mul(0.5, tf.add(1, tf.erf(tf.div(x, Math.SQRT2))))));
}

export function tfjs(backend) {
  const name = `tfjs-${backend}`;
  return {
    name,

    /** In a fresh process: from the start of the imports to the first op's values. */
    async coldStart() {
      const t0 = performance.now();
      const tf = await importBackend(backend);
      const values = Array.from(tf.add(tf.tensor1d([1, 2, 3]), 1).dataSync());
      return { ms: performance.now() - t0, values };
    },

    async load() {
      await import("@tensorflow/tfjs");
      const tf = await importBackend(backend);
      return {
        name,
        // tensors live on the backend that made them: switch before each measurement
        activate: () => tf.setBackend(backend),
        tensor: (data, shape) => tf.tensor(data, shape, "float32"),
        read: (t) => Float32Array.from(t.dataSync()),
        free: (t) => t.dispose(),
        tidy: (fn) => tf.tidy(fn),
        memory: () => tf.memory().numBytes,

        matmul: (a, b, { transposeA = false, transposeB = false } = {}) => tf.matMul(a, b, transposeA, transposeB),
        add: (a, b) => tf.add(a, b),
        mul: (a, b) => tf.mul(a, b),
        sigmoid: (a) => tf.sigmoid(a),
        exp: (a) => tf.exp(a),
        gelu: (a) => gelu(tf, a),
        sum: (a) => tf.sum(a),
        softmax: (a) => tf.softmax(a, -1),

        /**
         * The same SGD step as tf.layers.dense would run it: weights stored [in, out], fused
         * matMul + bias (+ relu), softmaxCrossEntropy on one-hot labels, optimizer.minimize.
         */
        mlp({ w1, b1, w2, b2, x, y, lr }) {
          const [hiddenSize, inputSize] = w1.shape;
          const classes = w2.shape[0];
          const W1 = tf.variable(tf.tidy(() => tf.transpose(tf.tensor2d(w1.data, [hiddenSize, inputSize]))));
          const B1 = tf.variable(tf.tensor1d(b1.data));
          const W2 = tf.variable(tf.tidy(() => tf.transpose(tf.tensor2d(w2.data, [classes, hiddenSize]))));
          const B2 = tf.variable(tf.tensor1d(b2.data));
          const X = tf.tensor2d(x.data, x.shape);
          const Y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(y, "int32"), classes), "float32"));
          const optimizer = tf.train.sgd(lr);
          const loss = () => {
            const hidden = tf.fused.matMul({ a: X, b: W1, bias: B1, activation: "relu" });
            const logits = tf.fused.matMul({ a: hidden, b: W2, bias: B2 });
            return tf.losses.softmaxCrossEntropy(Y, logits);
          };
          return {
            step: () => optimizer.minimize(loss, false),
            // PyTorch's layout, for comparison with tapegrad
            params: () => tf.tidy(() => [tf.transpose(W1), B1, tf.transpose(W2), B2].map((p) => Float32Array.from(p.dataSync()))),
            dispose: () => {
              optimizer.dispose();
              tf.dispose([W1, B1, W2, B2, X, Y]);
            },
          };
        },
      };
    },
  };
}
