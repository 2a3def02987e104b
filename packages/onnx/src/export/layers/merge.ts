// The merge layers (Add, Multiply, Average, Maximum, Minimum, Concatenate): inputs brought to one
// order, and lower-rank inputs expanded at axis 1 as tfjs does before ONNX broadcasts.
import { attribute } from '../../proto.js';
import { type Value, onnxAxis } from '../graph.js';
import { type Converter, type LayerContext, fail, output } from './common.js';

/** Brings every input to one order: NCHW when the first is NCHW, else tfjs order. */
function common(ctx: LayerContext): Value[] {
  const first = ctx.inputs[0];
  if (first === undefined) fail(ctx, 'expected at least one input.');
  return ctx.inputs.map((v) => (first.nchw ? ctx.g.toNCHW(v) : ctx.g.toTfjs(v)));
}

/**
 * Inputs of different ranks, brought to one as tfjs does: it expands each lower-rank input at
 * axis 1 until the ranks match ([N, 3] + [N, 4, 3] adds [N, 1, 3]); ONNX would broadcast from the
 * right instead ([N, 3] against [N, 4, 3] pairs N with 4). Computed in tfjs order.
 */
function sameRank(ctx: LayerContext): Value[] {
  const { g, layer } = ctx;
  const rank = Math.max(...ctx.inputs.map((v) => v.shape.length));
  return ctx.inputs.map((input, i) => {
    const v = g.toTfjs(input);
    const missing = rank - v.shape.length;
    if (missing === 0) return v;
    // Opset 13 Unsqueeze takes axes as an int64 input; axes 1..missing of the output are new.
    const axes = g.ints(`${layer.name}/expand_axes_${i}`, Array.from({ length: missing }, (_, k) => k + 1));
    const name = g.add('Unsqueeze', [v.name, axes], `${layer.name}/expand_${i}`);
    return { name, shape: [v.shape[0] ?? null, ...Array.from({ length: missing }, () => 1), ...v.shape.slice(1)], nchw: false };
  });
}

export const merge =
  (op: 'Add' | 'Mul' | 'Max' | 'Min' | 'Mean'): Converter =>
  (ctx) => {
    const ranks = new Set(ctx.inputs.map((v) => v.shape.length));
    const inputs = ranks.size > 1 ? sameRank(ctx) : common(ctx);
    const nchw = inputs[0]!.nchw;
    // Add and Mul are binary in ONNX; Max, Min and Mean take all inputs at once.
    if (op === 'Add' || op === 'Mul') {
      let acc = inputs[0]!.name;
      inputs.slice(1).forEach((v, i) => {
        acc = ctx.g.add(op, [acc, v.name], i === inputs.length - 2 ? ctx.layer.name : `${ctx.layer.name}/${op.toLowerCase()}`);
      });
      return [output(ctx, acc, nchw)];
    }
    return [output(ctx, ctx.g.add(op, inputs.map((v) => v.name), ctx.layer.name), nchw)];
  };

export const concatenate: Converter = (ctx) => {
  const inputs = common(ctx);
  const axis = onnxAxis(inputs[0]!, (ctx.config.axis as number | undefined) ?? -1);
  return [output(ctx, ctx.g.add('Concat', inputs.map((v) => v.name), ctx.layer.name, [attribute('axis', axis)]), inputs[0]!.nchw)];
};
