// torch.optim.Optimizer: parameter groups with per-group options, per-parameter state, and
// PyTorch's state_dict structure.
//
// Options are camelCase in JS (`weightDecay`); stateDict() spells them as PyTorch does
// (`weight_decay`) and uses PyTorch's state names (`momentum_buffer`, `exp_avg`, `step`), so
// a checkpoint maps one to one. Updates run in place under noGrad, with tensor ops that bump
// the parameters' versions as PyTorch's do. State tensors belong to the optimizer: they survive
// tidy() and are freed by dispose() (or when loadStateDict replaces them).
import { ValueError } from "../errors.js";
import { enableGrad, noGrad } from "../autograd/grad_mode.js";
import { Tensor } from "../tensor/tensor.js";
import { scoped } from "../nn/composite.js";
import { typeName, zeroGrads } from "../nn/module.js";

/** A parameter group: its tensors and its options (the optimizer's defaults where not given). */
export type ParamGroup<O> = O & { params: Tensor[]; [option: string]: unknown };

/** What the constructor and addParamGroup accept for a group. */
export type ParamGroupInput<O> = Partial<O> & { params: Tensor | Iterable<Tensor>; [option: string]: unknown };

export type OptimizerParams<O> = Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

/** Per-parameter state, by PyTorch's names. */
export type ParamState = Record<string, Tensor>;

export interface OptimizerStateDict {
  /** by the parameter's index across all groups, in order */
  state: Record<number, ParamState>;
  param_groups: Record<string, unknown>[];
}

/** A group's options (not its params) with keys renamed: camelCase ↔ PyTorch's snake_case; arrays copied. */
const renamedOptions = (group: Record<string, unknown>, rename: (key: string) => string): Record<string, unknown> =>
  Object.fromEntries(Object.entries(group).filter(([key]) => key !== "params").map(([key, value]) => [rename(key), Array.isArray(value) ? [...value] : value]));
const toSnake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const toCamel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

export abstract class Optimizer<O extends Record<string, unknown> = Record<string, unknown>> {
  readonly defaults: O;
  readonly paramGroups: ParamGroup<O>[] = [];
  readonly state = new Map<Tensor, ParamState>();

  constructor(params: OptimizerParams<O>, defaults: O) {
    this.defaults = defaults;
    if (params instanceof Tensor) {
      throw new TypeError(`params argument given to the optimizer should be an iterable of Tensors or dicts, but got ${typeName(params)}`);
    }
    const groups = [...params];
    if (groups.length === 0) throw new ValueError("optimizer got an empty parameter list");
    const asGroups = groups[0] instanceof Tensor ? [{ params: groups as Tensor[] }] : (groups as ParamGroupInput<O>[]);
    for (const group of asGroups) this.addParamGroup(group as ParamGroupInput<O>);
  }

  /** Adds a group of parameters with its own options (PyTorch's add_param_group). */
  addParamGroup(group: ParamGroupInput<O>): void {
    if (typeof group !== "object" || group === null || group instanceof Tensor) {
      throw new TypeError(`param_group must be a dict, but got ${typeName(group)}`);
    }
    if (group.params instanceof Set) {
      throw new TypeError(
        "optimizer parameters need to be organized in ordered collections, but the ordering of tensors in sets will change between runs. Please use a list instead.",
      );
    }
    const params = group.params instanceof Tensor ? [group.params] : [...group.params];
    for (const p of params) {
      if (!(p instanceof Tensor)) throw new TypeError(`optimizer can only optimize Tensors, but one of the params is ${typeName(p)}`);
      if (!(p.isLeaf || p.retainsGrad)) throw new ValueError("can't optimize a non-leaf Tensor");
    }
    const taken = new Set(this.paramGroups.flatMap((g) => g.params));
    if (params.some((p) => taken.has(p))) throw new ValueError("some parameters appear in more than one parameter group");
    this.paramGroups.push({ ...this.defaults, ...group, params } as ParamGroup<O>);
  }

  /** Releases (default, disposing them) or zeroes the gradients of every parameter. */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    zeroGrads(this.paramGroups.flatMap((g) => g.params), options.setToNone ?? true);
  }

  /**
   * One update of every parameter that has a gradient. `closure` (re-evaluating the loss) runs
   * first with grad enabled; its result is returned.
   */
  step<R = undefined>(closure?: () => R): R | undefined {
    const loss = closure === undefined ? undefined : enableGrad(closure);
    noGrad(() => scoped(() => {
      for (const group of this.paramGroups) this.updateGroup(group);
    }));
    return loss;
  }

  /** Updates the parameters of one group (runs under noGrad; temporaries are disposed). */
  protected abstract updateGroup(group: ParamGroup<O>): void;

  /** The state of `p`, created empty on first use. */
  protected stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (s === undefined) {
      s = {};
      this.state.set(p, s);
    }
    return s;
  }

  /** Stores `value` as state `key` of `p`; the optimizer owns it from now on. */
  protected setState(p: Tensor, key: string, value: Tensor): Tensor {
    const s = this.stateOf(p);
    const previous = s[key];
    s[key] = value.keep();
    if (previous !== undefined && previous !== value) previous.dispose();
    return value;
  }

  // ---- state dict ------------------------------------------------------------------------------

  /**
   * PyTorch's state_dict: `{ state: { index: { exp_avg, ... } }, param_groups: [{ lr, ...,
   * params: [indices] }] }`. State values are new handles on the optimizer's memory, owned by
   * the caller.
   */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const groups = this.paramGroups.map((group) => ({
      ...renamedOptions(group, toSnake),
      params: group.params.map((p) => {
        if (!index.has(p)) index.set(p, index.size);
        return index.get(p);
      }),
    }));
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      state[i] = Object.fromEntries(Object.entries(s).map(([k, t]) => [k, t.detach()]));
    }
    return { state, param_groups: groups };
  }

  /**
   * Loads a state dict of the same structure (from stateDict() or converted from PyTorch):
   * group options and per-parameter state, cast to each parameter's floating dtype ("step"
   * kept as is).
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    const saved = stateDict.param_groups;
    if (saved.length !== this.paramGroups.length) throw new ValueError("loaded state dict has a different number of parameter groups");
    if (saved.some((g, i) => (g.params as unknown[]).length !== this.paramGroups[i].params.length)) {
      throw new ValueError("loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
    }
    const byIndex = new Map<number, Tensor>();
    saved.forEach((g, i) => (g.params as number[]).forEach((id, j) => byIndex.set(Number(id), this.paramGroups[i].params[j])));
    const loaded = new Map<Tensor, ParamState>();
    noGrad(() => {
      for (const [id, values] of Object.entries(stateDict.state)) {
        const p = byIndex.get(Number(id));
        if (p === undefined) continue;
        const s: ParamState = {};
        for (const [key, value] of Object.entries(values)) {
          const cast = key !== "step" && p.isFloatingPoint() ? value.to(p.dtype) : value;
          s[key] = (cast === value ? value.detach() : cast).keep();
        }
        loaded.set(p, s);
      }
    });
    this.clearState();
    for (const [p, s] of loaded) this.state.set(p, s);
    saved.forEach((g, i) => (this.paramGroups[i] = { ...renamedOptions(g, toCamel), params: this.paramGroups[i].params } as ParamGroup<O>));
  }

  private clearState(): void {
    for (const s of this.state.values()) for (const t of Object.values(s)) t.dispose();
    this.state.clear();
  }

  /** Frees the optimizer's state (the parameters are not touched). */
  dispose(): void {
    this.clearState();
  }
}
