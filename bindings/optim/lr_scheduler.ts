/**
 * torch.optim.lr_scheduler: StepLR, CosineAnnealingLR and LambdaLR with PyTorch's step
 * semantics — constructing a scheduler records each group's `initialLr` and takes the first
 * step (last_epoch 0); every step() after optimizer.step() advances one epoch and writes the
 * new learning rates into the groups. The subpath `tapegrad/optim/lr_scheduler`.
 *
 * @module tapegrad/optim/lr_scheduler
 */
import { KeyError, ValueError } from "../errors.js";
import { bind } from "../ops/args.js";
import { Optimizer } from "./optimizer.js";

/** Python's `%` (the result takes the divisor's sign). */
const floorMod = (a: number, b: number) => ((a % b) + b) % b;

export abstract class LRScheduler {
  readonly optimizer: Optimizer;
  readonly baseLrs: number[];
  lastEpoch: number;
  protected stepCount = 0;
  private lastLr: number[] = [];

  constructor(optimizer: Optimizer, lastEpoch = -1) {
    if (!(optimizer instanceof Optimizer)) throw new TypeError(`${typeof optimizer} is not an Optimizer`);
    this.optimizer = optimizer;
    optimizer.paramGroups.forEach((group, i) => {
      if (lastEpoch === -1) group.initialLr ??= group.lr;
      else if (group.initialLr === undefined) {
        throw new KeyError(`param 'initial_lr' is not specified in param_groups[${i}] when resuming an optimizer`);
      }
    });
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
  }

  /** Subclasses call this at the end of their constructor: PyTorch's _initial_step. */
  protected initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** The learning rates for the current lastEpoch (PyTorch's get_lr, called by step()). */
  protected abstract computeLr(): number[];

  /** Advances one epoch and sets each group's lr. */
  step(): void {
    this.stepCount++;
    this.lastEpoch++;
    const values = this.computeLr();
    this.optimizer.paramGroups.forEach((group, i) => (group.lr = values[i]));
    this.lastLr = this.groupLrs;
  }

  /** The learning rates the last step() set (PyTorch's get_last_lr). */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  protected get groupLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr as number);
  }
}

/** lr × gamma every stepSize epochs. */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: Optimizer, stepSize: number, ...args: [gamma?: number, lastEpoch?: number] | [options: { gamma?: number; lastEpoch?: number }]) {
    const o = bind(["gamma", "lastEpoch"], args, { gamma: 0.1, lastEpoch: -1 });
    super(optimizer, o.lastEpoch);
    this.stepSize = stepSize;
    this.gamma = o.gamma;
    this.initialStep();
  }

  protected computeLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.groupLrs;
    return this.groupLrs.map((lr) => lr * this.gamma);
  }
}

/** Cosine annealing from each base lr down to etaMin over tMax epochs (the recursive form PyTorch uses). */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: Optimizer, tMax: number, ...args: [etaMin?: number, lastEpoch?: number] | [options: { etaMin?: number; lastEpoch?: number }]) {
    const o = bind(["etaMin", "lastEpoch"], args, { etaMin: 0, lastEpoch: -1 });
    super(optimizer, o.lastEpoch);
    this.tMax = tMax;
    this.etaMin = o.etaMin;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const { lastEpoch: e, tMax, etaMin } = this;
    if (e === 0) return this.groupLrs;
    if (this.stepCount === 1 && e > 0) {
      return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((e * Math.PI) / tMax))) / 2);
    }
    if (floorMod(e - 1 - tMax, 2 * tMax) === 0) {
      return this.groupLrs.map((lr, i) => lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    }
    return this.groupLrs.map(
      (lr) => ((1 + Math.cos((Math.PI * e) / tMax)) / (1 + Math.cos((Math.PI * (e - 1)) / tMax))) * (lr - etaMin) + etaMin,
    );
  }
}

/** base lr × lrLambda(epoch), one function for all groups or one per group. */
export class LambdaLR extends LRScheduler {
  readonly lrLambdas: ((epoch: number) => number)[];

  constructor(
    optimizer: Optimizer, lrLambda: ((epoch: number) => number) | ((epoch: number) => number)[],
    ...args: [lastEpoch?: number] | [options: { lastEpoch?: number }]
  ) {
    super(optimizer, bind(["lastEpoch"], args, { lastEpoch: -1 }).lastEpoch);
    const groups = optimizer.paramGroups.length;
    if (Array.isArray(lrLambda)) {
      if (lrLambda.length !== groups) throw new ValueError(`Expected ${groups} lr_lambdas, but got ${lrLambda.length}`);
      this.lrLambdas = [...lrLambda];
    } else this.lrLambdas = new Array(groups).fill(lrLambda);
    this.initialStep();
  }

  protected computeLr(): number[] {
    return this.baseLrs.map((base, i) => base * this.lrLambdas[i](this.lastEpoch));
  }
}
