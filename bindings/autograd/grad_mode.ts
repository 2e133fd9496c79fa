// Grad mode: whether ops record history. `noGrad`/`enableGrad` restore the previous mode even
// when `fn` throws, and return what `fn` returns.

let enabled = true;
let inference = false;

export function isGradEnabled(): boolean {
  return enabled;
}

/** Sets grad mode and returns the previous one (for the engine and `try/finally` users). */
export function setGradEnabled(value: boolean): boolean {
  const previous = enabled;
  enabled = value;
  return previous;
}

function withMode<T>(value: boolean, fn: () => T): T {
  const previous = setGradEnabled(value);
  try {
    return fn();
  } finally {
    enabled = previous;
  }
}

/** PyTorch's `with torch.no_grad():` */
export function noGrad<T>(fn: () => T): T {
  return withMode(false, fn);
}

/** PyTorch's `with torch.enable_grad():` */
export function enableGrad<T>(fn: () => T): T {
  return withMode(true, fn);
}

export function isInferenceMode(): boolean {
  return inference;
}

/**
 * PyTorch's `with torch.inference_mode():` — like noGrad, and views made inside cannot later be
 * modified in place with grad mode on.
 */
export function inferenceMode<T>(fn: () => T): T {
  const previous = inference;
  inference = true;
  try {
    return withMode(false, fn);
  } finally {
    inference = previous;
  }
}
