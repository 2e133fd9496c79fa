// torch.einsum for one or two operands, built from diagonal, sum, permute, expand, reshape and
// bmm: its gradients, of any order, are those ops' gradients. Subscripts are letters; "..."
// stands for broadcast dims (aligned from the right), and without "->" the output is the
// ellipsis dims then the letters used once, in alphabetical order, as in PyTorch.
import { RuntimeError, formatShape } from "../errors.js";
import { tidyWith } from "../tensor/lifetime.js";
import { type Tensor, isTensor } from "../tensor/tensor.js";
import { alive } from "./checks.js";

/** A subscript label; the dims of "..." get labels of their own, counted from the right. */
type Label = string;

interface Parsed {
  inputs: Label[][];
  output: Label[];
}

const isLetter = (c: string) => /^[a-zA-Z]$/.test(c);
const ellipsisLabel = (fromRight: number) => `...${fromRight}`;
const isEllipsisLabel = (l: Label) => l.startsWith("...");
const invalidSubscript = (at: number) =>
  new RuntimeError(`einsum(): invalid subscript given at index ${at} in the equation string, subscripts must be in [a-zA-Z]`);

function parseTerm(term: string, operand: Tensor, index: number, offset: number): Label[] {
  const letters: Label[] = [];
  let ellipsisAt = -1;
  for (let i = 0; i < term.length; i++) {
    if (term.startsWith("...", i)) {
      if (ellipsisAt >= 0) throw new RuntimeError("einsum(): found '.' for operand " + index + " for which an ellipsis was already found");
      ellipsisAt = letters.length;
      i += 2;
    } else if (isLetter(term[i])) letters.push(term[i]);
    else throw invalidSubscript(offset + i);
  }
  if (ellipsisAt < 0) {
    if (letters.length !== operand.ndim) {
      throw new RuntimeError(
        `einsum(): the number of subscripts in the equation (${letters.length}) does not match the number of dimensions (${operand.ndim}) for operand ${index} and no ellipsis was given`,
      );
    }
    return letters;
  }
  if (letters.length > operand.ndim) {
    throw new RuntimeError(
      `einsum(): the number of subscripts in the equation (${letters.length}) is more than the number of dimensions (${operand.ndim}) for operand ${index}`,
    );
  }
  const covered = operand.ndim - letters.length;
  const dots = [...Array(covered).keys()].map((i) => ellipsisLabel(covered - 1 - i));
  return [...letters.slice(0, ellipsisAt), ...dots, ...letters.slice(ellipsisAt)];
}

function parse(equation: string, operands: readonly Tensor[]): Parsed {
  const eq = equation.replace(/\s/g, "");
  const arrow = eq.indexOf("->");
  const lhs = arrow < 0 ? eq : eq.slice(0, arrow);
  const terms = lhs.split(",");
  if (terms.length < operands.length) throw new RuntimeError("einsum(): more operands were provided than specified in the equation");
  if (terms.length > operands.length) throw new RuntimeError("einsum(): fewer operands were provided than specified in the equation");
  let offset = 0;
  const inputs = terms.map((term, i) => {
    const labels = parseTerm(term, operands[i], i, offset);
    offset += term.length + 1;
    return labels;
  });
  const all = inputs.flat();
  const dots = [...new Set(all.filter(isEllipsisLabel))].sort((a, b) => Number(b.slice(3)) - Number(a.slice(3)));
  if (arrow < 0) {
    const once = [...new Set(all.filter((l) => !isEllipsisLabel(l)))].filter((l) => all.filter((m) => m === l).length === 1);
    return { inputs, output: [...dots, ...once.sort()] };
  }
  const rhs = eq.slice(arrow + 2);
  const output: Label[] = [];
  for (let i = 0; i < rhs.length; i++) {
    if (rhs.startsWith("...", i)) {
      output.push(...dots);
      i += 2;
      continue;
    }
    const c = rhs[i];
    if (!isLetter(c)) throw invalidSubscript(lhs.length + 2 + i);
    if (output.includes(c)) throw new RuntimeError(`einsum(): output subscript ${c} appears more than once in the output`);
    if (!all.includes(c)) throw new RuntimeError(`einsum(): output subscript ${c} does not appear in the equation for any input operand`);
    output.push(c);
  }
  return { inputs, output };
}

/** An operand with its labels. */
interface Operand {
  t: Tensor;
  labels: Label[];
}

/** Repeated labels within one operand take its diagonal (einsum("ii->i")). */
function takeDiagonals(op: Operand, index: number): Operand {
  let { t, labels } = op;
  for (;;) {
    const i = labels.findIndex((l, j) => labels.indexOf(l) !== j);
    if (i < 0) return { t, labels };
    const first = labels.indexOf(labels[i]);
    if (t._shape[first] !== t._shape[i]) {
      throw new RuntimeError(`einsum(): subscript ${labels[i]} is repeated for operand ${index} but the sizes don't match, ${t._shape[first]} != ${t._shape[i]}`);
    }
    // diagonal() moves the diagonal to the last dim
    t = t.diagonal(0, first, i);
    labels = [...labels.filter((_, j) => j !== first && j !== i), labels[i]];
  }
}

/** Sums out the labels nobody else needs (not in the output, not in `keep`). */
function sumUnneeded(op: Operand, output: readonly Label[], keep: readonly Label[]): Operand {
  const dims = op.labels.flatMap((l, d) => (output.includes(l) || keep.includes(l) ? [] : [d]));
  if (dims.length === 0) return op;
  return { t: op.t.sum(dims), labels: op.labels.filter((_, d) => !dims.includes(d)) };
}

/** The operand's dims in `order` (labels it lacks become size-1 dims), expanded to `sizes`. */
function arrange(op: Operand, order: readonly Label[], sizes: ReadonlyMap<Label, number>): Tensor {
  const present = order.filter((l) => op.labels.includes(l));
  const t = op.t.permute(present.map((l) => op.labels.indexOf(l)));
  const shape = order.map((l) => (op.labels.includes(l) ? t._shape[present.indexOf(l)] : 1));
  return t.reshape(shape).expand(order.map((l) => sizes.get(l) as number));
}

/** The size of every label: equal where given more than once, or 1 (broadcast). */
function labelSizes(ops: readonly Operand[], operands: readonly Tensor[], output: readonly Label[]): Map<Label, number> {
  const sizes = new Map<Label, number>();
  let ok = true;
  for (const op of ops) {
    op.labels.forEach((l, d) => {
      const s = op.t._shape[d];
      const known = sizes.get(l);
      if (known === undefined || known === 1) sizes.set(l, s);
      else if (s !== 1 && s !== known) ok = false;
    });
  }
  if (!ok) {
    const order = [...output, ...[...sizes.keys()].filter((l) => !output.includes(l))];
    const remapped = ops.map((op, i) =>
      `${formatShape(operands[i]._shape)}->${formatShape(order.map((l) => (op.labels.includes(l) ? op.t._shape[op.labels.indexOf(l)] : 1)))}`);
    throw new RuntimeError(`einsum(): operands do not broadcast with remapped shapes (original->remapped): ${remapped.join(" ")}`);
  }
  return sizes;
}

const product = (sizes: ReadonlyMap<Label, number>, labels: readonly Label[]) => labels.reduce((n, l) => n * (sizes.get(l) as number), 1);

/** Two operands: batch labels in both and the output, contracted ones in both only. */
function contractPair(a: Operand, b: Operand, output: readonly Label[], sizes: ReadonlyMap<Label, number>): Operand {
  const inA = (l: Label) => a.labels.includes(l);
  const inB = (l: Label) => b.labels.includes(l);
  const batch = output.filter((l) => inA(l) && inB(l));
  const left = output.filter((l) => inA(l) && !inB(l));
  const right = output.filter((l) => inB(l) && !inA(l));
  const contracted = a.labels.filter((l) => inB(l) && !output.includes(l));
  const A = arrange(a, [...batch, ...left, ...contracted], sizes).reshape([product(sizes, batch), product(sizes, left), product(sizes, contracted)]);
  const B = arrange(b, [...batch, ...contracted, ...right], sizes).reshape([product(sizes, batch), product(sizes, contracted), product(sizes, right)]);
  const labels = [...batch, ...left, ...right];
  return { t: A.bmm(B).reshape(labels.map((l) => sizes.get(l) as number)), labels };
}

/** torch.einsum(equation, *operands) for one or two operands. */
export function einsum(equation: string, ...args: (Tensor | readonly Tensor[])[]): Tensor {
  const operands = args.length === 1 && Array.isArray(args[0]) ? [...(args[0] as readonly Tensor[])] : (args as Tensor[]);
  alive(...operands);
  if (operands.length === 0) throw new RuntimeError("einsum(): must provide at least one operand");
  if (operands.length > 2) throw new RuntimeError("einsum(): tapegrad contracts one or two operands per call; chain calls for more");
  const { inputs, output } = parse(equation, operands);
  // the intermediate handles are disposed when it returns
  return tidyWith(() => {
    let ops = operands.map((t, i) => takeDiagonals({ t, labels: inputs[i] }, i));
    ops = ops.map((op, i) => sumUnneeded(op, output, ops.filter((_, j) => j !== i).flatMap((o) => o.labels)));
    const sizes = labelSizes(ops, operands, output);
    const result = ops.length === 2 ? contractPair(ops[0], ops[1], output, sizes) : ops[0];
    const order = output.map((l) => result.labels.indexOf(l));
    // like PyTorch, a single operand comes back as a permuted view
    return ops.length === 1 || order.some((d, i) => d !== i) ? result.t.permute(order) : result.t;
  }, isTensor);
}
