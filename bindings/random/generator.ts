// torch.Generator for the CPU: PyTorch's mt19937 engine, its state held in a block of linear
// memory laid out as PyTorch's CPUGeneratorImplState (so getState() yields the bytes
// torch.get_rng_state() would). The kernels in assembly/kernels/random.ts advance it.
// The default generator is permanent; other generators free their block on dispose(), with a
// FinalizationRegistry (where the runtime has one) catching generators dropped without it.
import { RuntimeError } from "../errors.js";
import { code, core, readBytes, writeBytes } from "../runtime/core.js";
import { allocate } from "../storage.js";

/** PyTorch's default_rng_seed_val: the seed of a new torch.Generator(). */
const DEFAULT_SEED = 67280421310721n;
const UINT64 = 2n ** 64n;

interface Block {
  ptr: number;
}

const registry: FinalizationRegistry<Block> | null =
  typeof FinalizationRegistry === "function" ? new FinalizationRegistry<Block>((block) => release(block)) : null;

function stateBytes(): number {
  return code("GENERATOR_BYTES");
}

function release(block: Block): void {
  if (block.ptr !== 0) core().free(block.ptr, stateBytes());
  block.ptr = 0;
}

/** A seed as PyTorch's manual_seed takes it: an integer in [-2^63, 2^64), negatives wrapping. */
function toSeed(seed: number | bigint): bigint {
  let value: bigint;
  if (typeof seed === "bigint") value = seed;
  else if (typeof seed === "number" && Number.isFinite(seed)) value = BigInt(Math.trunc(seed));
  else throw new TypeError(`manual_seed expected an integer seed, but got ${String(seed)}`);
  if (value < -(2n ** 63n) || value >= UINT64) throw new RuntimeError("Overflow when unpacking long");
  return BigInt.asUintN(64, value);
}

/** A nondeterministic seed (PyTorch reads /dev/urandom); kept below 2^53 so initialSeed() is exact. */
function nondeterministicSeed(): bigint {
  const words = new Uint32Array(2);
  if (typeof globalThis.crypto?.getRandomValues === "function") globalThis.crypto.getRandomValues(words);
  else for (let i = 0; i < 2; i++) words[i] = Math.floor(Math.random() * 2 ** 32);
  return (BigInt(words[0] & 0x1fffff) << 32n) | BigInt(words[1]);
}

export interface GeneratorOptions {
  /** accepted so that ported lines keep working; tapegrad has one device */
  device?: "cpu";
}

/** torch.Generator(device="cpu"). */
export class Generator {
  readonly device = "cpu";
  private readonly block: Block = { ptr: 0 };
  /** the seed to apply when the block is first needed; null: a nondeterministic one, drawn then */
  private pendingSeed: bigint | null = DEFAULT_SEED;
  private disposed = false;
  /** the default generator lives as long as the module */
  private permanent = false;

  constructor(options: GeneratorOptions = {}) {
    if (options.device !== undefined && options.device !== "cpu") {
      throw new RuntimeError(`tapegrad has one device, "cpu", but got device=${String(options.device)}`);
    }
  }

  /**
   * @internal The default generator: permanent, and seeded nondeterministically like PyTorch's.
   * The seed is drawn at first use, not on import: Workers forbid random values at global scope.
   */
  static _createDefault(): Generator {
    const g = new Generator();
    g.permanent = true;
    g.pendingSeed = null;
    return g;
  }

  /** @internal The address of the state block, allocated and seeded on first use. */
  _address(): number {
    if (this.disposed) throw new RuntimeError("Generator has been disposed: its state was released by dispose(); it can no longer be used.");
    if (this.block.ptr === 0) {
      this.block.ptr = allocate(stateBytes());
      if (!this.permanent) registry?.register(this, this.block, this);
      this.seedBlock(this.pendingSeed ?? nondeterministicSeed());
    }
    return this.block.ptr;
  }

  private seedBlock(seed: bigint): void {
    core().generatorSeed(this.block.ptr, Number(seed & 0xffffffffn), Number(seed >> 32n));
  }

  /** Seeds the engine (PyTorch's manual_seed) and clears the cached normal sample. */
  manualSeed(seed: number | bigint): this {
    const value = toSeed(seed);
    this._address();
    this.seedBlock(value);
    return this;
  }

  /** Seeds the engine from a nondeterministic source and returns that seed. */
  seed(): number {
    const value = nondeterministicSeed();
    this._address();
    this.seedBlock(value);
    return Number(value);
  }

  /** The seed last set (a JS number: exact below 2^53). */
  initialSeed(): number {
    const view = new DataView(readBytes(this._address(), 8).buffer);
    return Number(view.getBigUint64(0, true));
  }

  /** A copy of the state, byte for byte PyTorch's CPU generator state (5056 bytes). */
  getState(): Uint8Array {
    return readBytes(this._address(), stateBytes());
  }

  /** Restores a state from getState() (or from torch.get_rng_state().numpy()). */
  setState(state: Uint8Array): this {
    if (!(state instanceof Uint8Array)) throw new TypeError("RNG state must be a Uint8Array of bytes from getState()");
    const bytes = stateBytes();
    if (state.length !== bytes) {
      throw new RuntimeError(`Expected a CPUGeneratorImplState of size ${bytes} but found the input RNG state size to be ${state.length}`);
    }
    const ptr = this._address();
    // staged in the descriptor scratch area, which is larger than a state
    const staging = core().scratch();
    writeBytes(staging, state);
    if (core().generatorSetState(ptr, staging) !== 0) throw new RuntimeError("Invalid mt19937 state");
    return this;
  }

  /** Frees the state block (a no-op for the permanent default generator). */
  dispose(): void {
    if (this.permanent || this.disposed) return;
    this.disposed = true;
    registry?.unregister(this);
    release(this.block);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }
}

/** The generator every sampler uses when none is given (torch.default_generator). */
export const defaultGenerator = Generator._createDefault();

/** torch.manual_seed: seeds the default generator and returns it. */
export function manualSeed(seed: number | bigint): Generator {
  return defaultGenerator.manualSeed(seed);
}

/** torch.seed: seeds the default generator nondeterministically and returns the seed. */
export function seed(): number {
  return defaultGenerator.seed();
}

/** torch.initial_seed. */
export function initialSeed(): number {
  return defaultGenerator.initialSeed();
}

/** torch.get_rng_state. */
export function getRngState(): Uint8Array {
  return defaultGenerator.getState();
}

/** torch.set_rng_state. */
export function setRngState(state: Uint8Array): void {
  defaultGenerator.setState(state);
}

/** The state address of `generator` (the default one when absent), checking its type. */
export function generatorAddress(generator: unknown): number {
  if (generator === undefined || generator === null) return defaultGenerator._address();
  if (!(generator instanceof Generator)) throw new TypeError(`generator must be a Generator, not ${typeof generator}`);
  return generator._address();
}
