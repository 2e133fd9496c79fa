// F.linear: y = x Wᵀ + b, composed as ATen's at::linear composes it so the graph matches
// PyTorch's (AddmmBackward0 for 2-D input; flattened addmm + view for contiguous N-D input;
// matmul + add otherwise).
import { isContiguous } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { scoped } from "../composite.js";

export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  return scoped(() => {
    if (input.ndim === 2 && bias !== null) return bias.addmm(input, weight.t());
    if (bias !== null && bias.ndim === 1 && input.ndim > 2 && isContiguous(input._shape, input._strides)) {
      // ATen's _flatten_nd_linear
      const lead = input.shape.slice(0, -1);
      const flat = input.reshape(lead.reduce((a, b) => a * b, 1), input.shape[input.ndim - 1]);
      const out = bias.addmm(flat, weight.t());
      return out.view([...lead, out.shape[1]]);
    }
    const out = input.matmul(weight.t());
    return bias === null ? out : out.add(bias);
  });
}
