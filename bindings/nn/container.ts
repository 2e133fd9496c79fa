// torch.nn.Sequential, ModuleList and ModuleDict. Sequential and ModuleList hold their modules
// as the properties "0", "1", ... (so `model[0].weight` reads as in PyTorch and state-dict keys
// are `0.weight`); ModuleDict keeps its own key order.
import { IndexError, KeyError } from "../errors.js";
import { Module, checkModuleEntry, valuesOf } from "./module.js";

/** What Sequential and ModuleList share: modules addressed by position. */
abstract class IndexedModules extends Module {
  [index: number]: Module;

  constructor(modules: Iterable<Module> | ReadonlyMap<string, Module> = []) {
    super();
    if (modules instanceof Map) for (const [key, m] of modules) this.registerModule(key, m);
    else this.extend(modules as Iterable<Module>);
  }

  get length(): number {
    return this._ownChildren().length;
  }

  [Symbol.iterator](): Iterator<Module> {
    return valuesOf(this._ownChildren())[Symbol.iterator]();
  }

  /** PyTorch's _get_abs_string_index: a position in range, negatives from the end. */
  private position(idx: number): number {
    const n = this.length;
    if (!Number.isInteger(idx) || idx < -n || idx >= n) throw new IndexError(`index ${idx} is out of range`);
    return idx < 0 ? idx + n : idx;
  }

  /** `self[idx]` (negative counts from the end). */
  at(idx: number): Module {
    return this._ownChildren()[this.position(idx)][1];
  }

  /** `self[idx] = module` */
  set(idx: number, module: Module): void {
    const key = this._ownChildren()[this.position(idx)][0];
    this.registerModule(key, module);
  }

  /** `self[start:end]`, as a new container of the same class sharing the modules. */
  slice(start?: number, end?: number): this {
    const Self = this.constructor as new () => this;
    return new Self().extend([...this].slice(start, end));
  }

  append(module: Module): this {
    this.registerModule(String(this.length), module);
    return this;
  }

  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  insert(index: number, module: Module): void {
    const modules = [...this];
    const n = modules.length;
    const at = index < 0 ? Math.max(0, index + n) : Math.min(index, n);
    modules.splice(at, 0, module);
    this.renumber(modules);
  }

  /** Removes and returns the module at `idx`. */
  pop(idx = -1): Module {
    const modules = [...this];
    const [removed] = modules.splice(this.position(idx), 1);
    this.renumber(modules);
    return removed;
  }

  /** Re-registers `modules` as "0", "1", ... (what PyTorch does after a deletion). */
  private renumber(modules: Module[]): void {
    for (const [key] of this._ownChildren()) delete (this as Record<string, unknown>)[key];
    modules.forEach((m, i) => this.registerModule(String(i), m));
  }
}

/** Modules applied in order, each to the output of the previous one. */
export class Sequential extends IndexedModules {
  constructor(...modules: Module[] | [ReadonlyMap<string, Module>]) {
    super(modules.length === 1 && modules[0] instanceof Map ? modules[0] : (modules as Module[]));
  }

  forward(input: unknown): any { // eslint-disable-line @typescript-eslint/no-explicit-any
    let x = input;
    for (const module of this) x = module.call(x);
    return x;
  }
}

/** A list of registered modules (it has no forward of its own). */
export class ModuleList extends IndexedModules {
  constructor(modules: Iterable<Module> = []) {
    super(modules);
  }
}

/** Modules by name, in insertion order (it has no forward of its own). */
export class ModuleDict extends Module {
  private readonly entries = new Map<string, Module>();

  constructor(modules: Iterable<[string, Module]> | Readonly<Record<string, Module>> | ReadonlyMap<string, Module> = {}) {
    super();
    this.update(modules);
  }

  protected _memberNames(): string[] {
    return [...this.entries.keys()];
  }

  _ownChildren(): [string, Module][] {
    return [...this.entries];
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): Module {
    const m = this.entries.get(key);
    if (m === undefined) throw new KeyError(`'${key}'`);
    return m;
  }

  set(key: string, module: Module): void {
    checkModuleEntry(key, module);
    this.entries.set(key, module);
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Removes and returns the module under `key`. */
  pop(key: string): Module {
    const m = this.get(key);
    this.entries.delete(key);
    return m;
  }

  delete(key: string): boolean {
    return this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  values(): Module[] {
    return [...this.entries.values()];
  }

  items(): [string, Module][] {
    return [...this.entries];
  }

  [Symbol.iterator](): Iterator<string> {
    return this.keys()[Symbol.iterator]();
  }

  update(modules: Iterable<[string, Module]> | Readonly<Record<string, Module>> | ReadonlyMap<string, Module>): void {
    const pairs = modules instanceof Map || Symbol.iterator in Object(modules)
      ? [...(modules as Iterable<[string, Module]>)]
      : Object.entries(modules as Record<string, Module>);
    for (const [key, m] of pairs) this.set(key, m);
  }
}
