// Dense, Flatten, Reshape and the layers that do nothing at inference (dropout and noise): these
// work in tfjs element order, where the order of elements is observable.
import { attribute } from '../../proto.js';
import { applyActivation } from '../activations.js';
import { onnxAxis } from '../graph.js';
import { readWeights } from '../tfjs-types.js';
import { type Converter, biasInput, fail, output, single, weight } from './common.js';

export const dense: Converter = (ctx) => {
  const { g, layer, config } = ctx;
  const x = g.toTfjs(single(ctx));
  const weights = readWeights(layer);
  const kernel = weight(ctx, weights, 'kernel'); // [in, units]
  const w = g.weight(`${layer.name}/kernel`, kernel.shape, kernel.data);
  const b = biasInput(ctx, weights);
  let y: string;
  if (x.shape.length === 2) y = g.add('Gemm', b ? [x.name, w, b] : [x.name, w], layer.name);
  else {
    const product = g.add('MatMul', [x.name, w], b ? `${layer.name}/matmul` : layer.name);
    y = b ? g.add('Add', [product, b], layer.name) : product;
  }
  return [applyActivation(g, output(ctx, y, false), config.activation, layer.name)];
};

export const flatten: Converter = (ctx) => {
  const { g, layer, config } = ctx;
  const input = single(ctx);
  const rank = input.shape.length;
  if (config.dataFormat === 'channelsFirst' && rank >= 3) {
    // tfjs reads the input as channels-first and moves axis 1 last before flattening: it
    // transposes by [0, 2, …, r−1, 1] at any rank ≥ 3. One Transpose from however ONNX holds
    // the value (tfjs order, or NCHW after a conv) to that order, then Flatten.
    const order = [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];
    const perm = order.map((axis) => onnxAxis(input, axis));
    const moved = g.add('Transpose', [input.name], `${layer.name}/channels_last`, [attribute('perm', perm)]);
    return [output(ctx, g.add('Flatten', [moved], layer.name, [attribute('axis', 1)]), false)];
  }
  // tfjs flattens in its own order (NHWC for images).
  const x = g.toTfjs(input);
  if (x.shape.length === 2) return [{ ...x, nchw: false }];
  return [output(ctx, g.add('Flatten', [x.name], layer.name, [attribute('axis', 1)]), false)];
};

export const reshape: Converter = (ctx) => {
  const { g, layer, config } = ctx;
  const x = g.toTfjs(single(ctx));
  const target = config.targetShape;
  if (!Array.isArray(target) || !target.every((d) => Number.isInteger(d) && (d > 0 || d === -1))) fail(ctx, `targetShape = ${JSON.stringify(target)} is not a list of positive sizes (one may be -1).`);
  // 0 copies the batch size from the input.
  const shape = g.ints(`${layer.name}/shape`, [0, ...(target as number[])]);
  return [output(ctx, g.add('Reshape', [x.name, shape], layer.name), false)];
};

/** Dropout and noise layers: the identity at inference. */
export const identity: Converter = (ctx) => [single(ctx)];
