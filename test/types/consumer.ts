// Compiled (never run) by test/types.test.ts against the shipped declarations, as a TypeScript
// user's program sees them: the main entry and the subpaths must share one Tensor and one
// nn.Module, method tables must keep their signatures, and namespaces must carry their types.
import * as tg from "tapegrad";
import { loadSafetensors, saveSafetensors } from "tapegrad/io";
import { GRU, LSTMCell } from "tapegrad/nn/rnn";
import { StepLR } from "tapegrad/optim/lr_scheduler";
import { gradcheck } from "tapegrad/autograd/gradcheck";
import { toDot } from "tapegrad/viz";

const x: tg.Tensor = tg.arange(6).view(2, 3).t().reshape(3, 2).sigmoid();
const rows: number[][] = tg.zeros(2, 3).tolist() as number[][];
const gru: tg.nn.Module = new GRU(4, 8, { numLayers: 2, batchFirst: true });
const [output, hN]: [tg.Tensor, tg.Tensor] = new GRU(4, 8).call(tg.zeros(3, 4));
const [h, c]: [tg.Tensor, tg.Tensor] = new LSTMCell(4, 8).call(tg.zeros(2, 4), null);
const hook: tg.nn.ForwardHook = (_module, _inputs, result) => result;
const state: Record<string, tg.Tensor> = loadSafetensors(saveSafetensors(gru.stateDict()));
const sgd: tg.optim.Optimizer = new tg.optim.SGD(gru.parameters(), { lr: 0.1 });
const lr: number[] = new StepLR(sgd, 10, { gamma: 0.5 }).getLastLr();
const ok: boolean = gradcheck((t: tg.Tensor) => t.sin(), [tg.ones(2, { dtype: "float64", requiresGrad: true })]);
const dot: string = toDot({ x, output });
export { x, rows, output, hN, h, c, hook, state, lr, ok, dot };
