// torch.nn.Module for JavaScript.
//
// Registration follows the object itself, the way PyTorch's __setattr__ does: a module's
// parameters are its own properties holding a Parameter, its children the properties holding a
// Module, in the order they were first assigned (`this.fc1 = new Linear(4, 8)` registers fc1).
// Buffers are declared with registerBuffer() and then read and assigned as properties.
//
// Calling: JS objects cannot be called, so `module.call(x)` is PyTorch's `module(x)` (forward
// pre-hooks, forward, forward hooks) and `module.forward(x)` skips the hooks, as in PyTorch.
//
// Lifetime: parameters and buffers are owned by the module: they are exempt from tidy() and
// freed by `module.dispose()`. A buffer given to registerBuffer (or assigned to a buffer
// property) is taken over; the one it replaces is disposed.
import { KeyError, NotImplementedError, RuntimeError, ValueError } from "../errors.js";
import { noGrad } from "../autograd/grad_mode.js";
import { DTYPES, type DType, checkDType, isFloating } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { sameShape } from "../tensor/shape.js";
import { Parameter } from "./parameter.js";
import { RemovableHandle, addHook } from "./hooks.js";
import { pySize } from "./format.js";

export type ForwardPreHook = (module: Module, args: unknown[]) => unknown;
export type ForwardHook = (module: Module, args: unknown[], output: unknown) => unknown;

/** What loadStateDict found (PyTorch's _IncompatibleKeys). */
export interface IncompatibleKeys {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** What namedParameters and namedBuffers take. */
export interface MemberOptions {
  /** prepended to every name */
  prefix?: string;
  /** include the submodules' members (default true) */
  recurse?: boolean;
  /** each member once (default true) */
  removeDuplicate?: boolean;
}

/** The values of name-value pairs. */
export const valuesOf = <T>(pairs: readonly [string, T][]): T[] => pairs.map(([, value]) => value);

/** torch.typename: how PyTorch names a value's type in its messages. */
export function typeName(value: unknown): string {
  if (value instanceof Tensor) return DTYPES[value.dtype].typeName;
  if (value === null) return "NoneType";
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  return typeof value;
}

function checkMemberName(kind: "parameter" | "buffer" | "module", name: unknown): asserts name is string {
  if (typeof name !== "string") throw new TypeError(`${kind} name should be a string. Got ${typeName(name)}`);
  if (name.includes(".")) throw new KeyError(kind === "module" ? `module name can't contain ".", got: ${name}` : `${kind} name can't contain "."`);
  if (name === "") throw new KeyError(`${kind} name can't be empty string ""`);
}

export class Module {
  /** Whether the module is in training mode (see train() / eval()). */
  training = true;
  /** @internal buffers by name, in registration order (null: registered without a value) */
  readonly _buffers = new Map<string, Tensor | null>();
  /** @internal */
  readonly _nonPersistentBuffers = new Set<string>();
  /** @internal */
  readonly _forwardPreHooks = new Map<number, ForwardPreHook>();
  /** @internal */
  readonly _forwardHooks = new Map<number, ForwardHook>();

  /** The computation; subclasses override it. Call modules with `call()` to run hooks too. */
  forward(...args: any[]): any { // eslint-disable-line @typescript-eslint/no-explicit-any
    void args;
    throw new NotImplementedError(`Module [${this.constructor.name}] is missing the required "forward" function`);
  }

  /** PyTorch's `module(*args)`: forward pre-hooks, forward, then forward hooks. */
  call<M extends Module>(this: M, ...args: Parameters<M["forward"]>): ReturnType<M["forward"]> {
    let input: unknown[] = args;
    // hooks may remove themselves while running: iterate over a copy
    if (this._forwardPreHooks.size > 0) {
      for (const hook of [...this._forwardPreHooks.values()]) {
        const result = hook(this, input);
        if (result !== undefined && result !== null) input = Array.isArray(result) ? result : [result];
      }
    }
    let output = this.forward(...input);
    if (this._forwardHooks.size > 0) {
      for (const hook of [...this._forwardHooks.values()]) {
        const result = hook(this, input, output);
        if (result !== undefined && result !== null) output = result;
      }
    }
    return output;
  }

  /**
   * `hook(module, args)` runs before forward; returning a value (an array of arguments, or one
   * argument) replaces the arguments.
   */
  registerForwardPreHook(hook: ForwardPreHook, options: { prepend?: boolean } = {}): RemovableHandle {
    return addHook(this._forwardPreHooks, hook, options.prepend);
  }

  /** `hook(module, args, output)` runs after forward; returning a value replaces the output. */
  registerForwardHook(hook: ForwardHook, options: { prepend?: boolean } = {}): RemovableHandle {
    return addHook(this._forwardHooks, hook, options.prepend);
  }

  // ---- registration ------------------------------------------------------------------------

  /** The own property names that may hold parameters and children, in registration order. */
  protected _memberNames(): string[] {
    return Object.keys(this);
  }

  /** The own members holding a `kind` (Parameter or Module), with their names. */
  private membersOf<T>(kind: abstract new (...args: never[]) => T): [string, T][] {
    const out: [string, T][] = [];
    for (const name of this._memberNames()) {
      const value = (this as Record<string, unknown>)[name];
      if (value instanceof kind) out.push([name, value]);
    }
    return out;
  }

  /** @internal This module's own parameters. */
  _ownParameters(): [string, Parameter][] {
    return this.membersOf(Parameter);
  }

  /** @internal This module's direct submodules. */
  _ownChildren(): [string, Module][] {
    return this.membersOf(Module);
  }

  /**
   * Throws PyTorch's "attribute already exists" unless `name` is free or already of this kind
   * (`kind` null: only free). A field declared but not yet assigned (undefined) counts as free.
   */
  private checkFree(name: string, kind: typeof Parameter | typeof Module | null): void {
    const current = (this as Record<string, unknown>)[name];
    if ((kind !== null && this._buffers.has(name)) || (current != null && !(kind !== null && current instanceof kind))) {
      throw new KeyError(`attribute '${name}' already exists`);
    }
  }

  /** PyTorch's register_parameter; `this.name = param` does the same without the checks. */
  registerParameter(name: string, param: Parameter | null): void {
    checkMemberName("parameter", name);
    this.checkFree(name, Parameter);
    if (param !== null && !(param instanceof Parameter)) {
      throw new TypeError(`cannot assign '${typeName(param)}' object to parameter '${name}' (torch.nn.Parameter or None required)`);
    }
    if (param !== null && param._gradFn !== null) {
      throw new ValueError(
        `Cannot assign non-leaf Tensor to parameter '${name}'. Model parameters must be created explicitly. ` +
          `To express '${name}' as a function of another Tensor, compute the value in the forward() method.`,
      );
    }
    (this as Record<string, unknown>)[name] = param;
  }

  /** PyTorch's add_module / register_module; `this.name = module` does the same without the checks. */
  registerModule(name: string, module: Module | null): void {
    checkModuleEntry(name, module);
    this.checkFree(name, Module);
    (this as Record<string, unknown>)[name] = module;
  }

  addModule(name: string, module: Module | null): void {
    this.registerModule(name, module);
  }

  /**
   * Adds a buffer: state that is not a parameter (saved in the state dict unless
   * `persistent: false`). The module takes the tensor over; it is then the property `name`.
   */
  registerBuffer(name: string, tensor: Tensor | null, options: { persistent?: boolean } = {}): void {
    checkMemberName("buffer", name);
    if (!this._buffers.has(name)) this.checkFree(name, null);
    if (tensor !== null && !(tensor instanceof Tensor)) {
      throw new TypeError(`cannot assign '${typeName(tensor)}' object to buffer '${name}' (torch Tensor or None required)`);
    }
    if (options.persistent ?? true) this._nonPersistentBuffers.delete(name);
    else this._nonPersistentBuffers.add(name);
    if (!this._buffers.has(name)) {
      this._buffers.set(name, null);
      Object.defineProperty(this, name, {
        get: () => this._buffers.get(name) ?? null,
        set: (value: Tensor | null) => this.setBuffer(name, value),
        enumerable: false,
        configurable: true,
      });
    }
    this.setBuffer(name, tensor);
  }

  private setBuffer(name: string, value: Tensor | null): void {
    if (value !== null && !(value instanceof Tensor)) {
      throw new TypeError(`cannot assign '${typeName(value)}' as buffer '${name}' (torch.Tensor or None expected)`);
    }
    const previous = this._buffers.get(name) ?? null;
    if (previous === value) return;
    this._buffers.set(name, value === null ? null : value.keep());
    previous?.dispose();
  }

  // ---- traversal -----------------------------------------------------------------------------

  /** Direct submodules with their names (each module once). */
  namedChildren(): [string, Module][] {
    const seen = new Set<Module>();
    return this._ownChildren().filter(([, m]) => !seen.has(m) && seen.add(m));
  }

  children(): Module[] {
    return valuesOf(this.namedChildren());
  }

  /** This module and all below it, depth first, with dotted names ("" for this one). */
  namedModules(options: { memo?: Set<Module>; prefix?: string; removeDuplicate?: boolean } = {}): [string, Module][] {
    const memo = options.memo ?? new Set<Module>();
    const removeDuplicate = options.removeDuplicate ?? true;
    const out: [string, Module][] = [];
    const visit = (module: Module, prefix: string) => {
      if (memo.has(module)) return;
      if (removeDuplicate) memo.add(module);
      out.push([prefix, module]);
      for (const [name, child] of module._ownChildren()) visit(child, prefix + (prefix ? "." : "") + name);
    };
    visit(this, options.prefix ?? "");
    return out;
  }

  modules(): Module[] {
    return valuesOf(this.namedModules());
  }

  private namedMembers<T>(members: (m: Module) => [string, T | null][], options: MemberOptions): [string, T][] {
    const { prefix = "", recurse = true, removeDuplicate = true } = options;
    const memo = new Set<T>();
    const modules: [string, Module][] = recurse ? this.namedModules({ prefix, removeDuplicate }) : [[prefix, this]];
    const out: [string, T][] = [];
    for (const [modulePrefix, module] of modules) {
      for (const [name, value] of members(module)) {
        if (value === null || memo.has(value)) continue;
        if (removeDuplicate) memo.add(value);
        out.push([modulePrefix + (modulePrefix ? "." : "") + name, value]);
      }
    }
    return out;
  }

  /** Parameters with dotted names ("0.weight"), each once unless `removeDuplicate: false`. */
  namedParameters(options: MemberOptions = {}): [string, Parameter][] {
    return this.namedMembers((m) => m._ownParameters(), options);
  }

  parameters(options: { recurse?: boolean } = {}): Parameter[] {
    return valuesOf(this.namedParameters(options));
  }

  namedBuffers(options: MemberOptions = {}): [string, Tensor][] {
    return this.namedMembers((m) => [...m._buffers], options);
  }

  buffers(options: { recurse?: boolean } = {}): Tensor[] {
    return valuesOf(this.namedBuffers(options));
  }

  /** Applies `fn` to every submodule (children first) and then to this module. */
  apply(fn: (module: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  // ---- modes and gradients ---------------------------------------------------------------------

  train(mode = true): this {
    if (typeof mode !== "boolean") throw new ValueError("training mode is expected to be boolean");
    this.training = mode;
    for (const child of this.children()) child.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }

  /**
   * Resets the gradients of all parameters: released (set to null) by default, or zeroed in
   * place with `setToNone: false`. Released gradients are disposed.
   */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    zeroGrads(this.parameters(), options.setToNone ?? true);
  }

  // ---- state dict ------------------------------------------------------------------------------

  /** This module's own parameters and persistent buffers, by name: its part of the state dict. */
  private persistentState(): [string, Tensor][] {
    return [...this._ownParameters(), ...[...this._buffers].filter((e): e is [string, Tensor] => e[1] !== null && !this._nonPersistentBuffers.has(e[0]))];
  }

  /**
   * The parameters and persistent buffers by PyTorch's dotted names (`0.weight`,
   * `rnn.weight_ih_l0`). Values are new handles on the same memory (PyTorch's `detach()`),
   * owned by the caller; with `keepVars: true`, the parameters and buffers themselves.
   */
  stateDict(options: { prefix?: string; keepVars?: boolean } = {}): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    const save = (module: Module, prefix: string) => {
      for (const [name, t] of module.persistentState()) out[prefix + name] = options.keepVars ? t : t.detach();
      for (const [name, child] of module._ownChildren()) save(child, `${prefix}${name}.`);
    };
    save(this, options.prefix ?? "");
    return out;
  }

  /**
   * Copies values from `stateDict` into the parameters and buffers in place (without
   * recording autograd history). With `strict` (the default), missing or unexpected keys are
   * an error, worded as PyTorch words it; otherwise they are returned.
   */
  loadStateDict(stateDict: Readonly<Record<string, unknown>> | ReadonlyMap<string, unknown>, options: { strict?: boolean } = {}): IncompatibleKeys {
    const strict = options.strict ?? true;
    const entries = stateDict instanceof Map ? [...stateDict] : Object.entries(stateDict);
    const missingKeys: string[] = [];
    const unexpectedKeys: string[] = [];
    const errors: string[] = [];
    const load = (module: Module, local: [string, unknown][], prefix: string) => {
      const dict = new Map(local);
      const own = module.persistentState();
      for (const [name, target] of own) {
        const key = prefix + name;
        if (!dict.has(key)) {
          missingKeys.push(key);
          continue;
        }
        const value = dict.get(key);
        if (!(value instanceof Tensor)) {
          errors.push(`While copying the parameter named "${key}", expected torch.Tensor or Tensor-like object from checkpoint but received <class '${typeName(value)}'>`);
          continue;
        }
        if (!sameShape(value._shape, target._shape)) {
          errors.push(`size mismatch for ${key}: copying a param with shape ${pySize(value)} from checkpoint, the shape in current model is ${pySize(target)}.`);
          continue;
        }
        try {
          noGrad(() => target.copy_(value));
        } catch (e) {
          errors.push(
            `While copying the parameter named "${key}", whose dimensions in the model are ${pySize(target)} and whose dimensions in the checkpoint are ${pySize(value)}, an exception occurred : ('${(e as Error).message}',).`,
          );
        }
      }
      const names = new Set([...own, ...module._ownChildren()].map(([n]) => n));
      // every key of `local` starts with `prefix`
      for (const [key] of local) if (!names.has(key.slice(prefix.length).split(".", 1)[0])) unexpectedKeys.push(key);
      for (const [name, child] of module._ownChildren()) {
        const childPrefix = `${prefix}${name}.`;
        load(child, local.filter(([k]) => k.startsWith(childPrefix)), childPrefix);
      }
    };
    load(this, entries, "");
    if (strict) {
      const listed = (what: string, keys: string[]) => keys.length > 0 && errors.unshift(`${what} key(s) in state_dict: ${keys.map((k) => `"${k}"`).join(", ")}. `);
      listed("Unexpected", unexpectedKeys);
      listed("Missing", missingKeys);
    }
    if (errors.length > 0) throw new RuntimeError(`Error(s) in loading state_dict for ${this.constructor.name}:\n\t${errors.join("\n\t")}`);
    return { missingKeys, unexpectedKeys };
  }

  // ---- conversion and lifetime ----------------------------------------------------------------

  /**
   * Converts floating-point parameters and buffers (and gradients) in place, like PyTorch's
   * `module.to(dtype)`; the Parameter objects stay the same. `to("cpu")` does nothing.
   */
  to(target: DType | "cpu" | { dtype?: DType; device?: "cpu" }): this {
    const dtype = typeof target === "object" ? target.dtype : target === "cpu" ? undefined : target;
    if (dtype === undefined) return this;
    checkDType(dtype);
    if (!isFloating(dtype)) {
      throw new TypeError(`nn.Module.to only accepts floating point or complex dtypes, but got desired dtype=torch.${dtype}`);
    }
    return this.convertFloating(dtype);
  }

  float(): this {
    return this.convertFloating("float32");
  }

  double(): this {
    return this.convertFloating("float64");
  }

  /** Accepted so that ported `.cpu()` lines keep working. */
  cpu(): this {
    return this;
  }

  private convertFloating(dtype: DType): this {
    const convert = (t: Tensor) => isFloating(t.dtype) && t.dtype !== dtype;
    noGrad(() => {
      for (const module of this.modules()) {
        for (const [, p] of module._ownParameters()) {
          if (!convert(p)) continue;
          replaceData(p, p.to(dtype));
          if (p.grad !== null) replaceData(p.grad, p.grad.to(dtype));
        }
        for (const [name, b] of module._buffers) if (b !== null && convert(b)) module.setBuffer(name, b.to(dtype));
      }
    });
    return this;
  }

  /** Frees every parameter and buffer of this module and its submodules. */
  dispose(): void {
    for (const module of this.modules()) {
      for (const [, p] of module._ownParameters()) p.dispose();
      for (const [name] of module._buffers) module.setBuffer(name, null);
    }
  }

  // ---- printing ----------------------------------------------------------------------------

  /** The module's own settings in its printed form (`in_features=4, out_features=8, bias=True`). */
  extraRepr(): string {
    return "";
  }

  /** PyTorch's repr: `Sequential(\n  (0): Linear(in_features=4, out_features=8, bias=True)\n ...)`. */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split("\n") : [];
    const childLines = this._ownChildren().map(([key, m]) => `(${key}): ${m.toString().split("\n").join("\n  ")}`);
    const lines = [...extraLines, ...childLines];
    let main = `${this.constructor.name}(`;
    if (lines.length > 0) {
      main += extraLines.length === 1 && childLines.length === 0 ? extraLines[0] : `\n  ${lines.join("\n  ")}\n`;
    }
    return `${main})`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** add_module's checks of a name and a value. */
export function checkModuleEntry(name: unknown, module: unknown): asserts name is string {
  if (module !== null && !(module instanceof Module)) throw new TypeError(`${typeName(module)} is not a Module subclass`);
  checkMemberName("module", name);
}

/** `t.data = value` followed by dropping the temporary handle. */
function replaceData(t: Tensor, value: Tensor): void {
  t.data = value;
  value.dispose();
}

/**
 * Shared by Module.zeroGrad and Optimizer.zeroGrad: release (and dispose) or zero the
 * gradients, as PyTorch's zero_grad does.
 */
export function zeroGrads(params: Iterable<Tensor>, setToNone: boolean): void {
  for (const p of params) {
    const grad = p.grad;
    if (grad === null) continue;
    if (setToNone) {
      p.grad = null;
      grad.dispose();
      continue;
    }
    if (grad.gradFn !== null) grad.detach_();
    else grad.requiresGrad_(false);
    grad.zero_();
  }
}
