// BatchNormalization: ONNX BatchNormalization on the channel axis (NCHW for images, so it can fuse
// into the Conv before it), or the statistics folded into one per-channel scale and shift.
import { attribute } from '../../proto.js';
import { type Value, onnxAxis } from '../graph.js';
import { readWeights } from '../tfjs-types.js';
import { type Converter, type LayerContext, oneAxis, output, single, weight } from './common.js';

/** Per-channel y = x·scale + shift with scale, shift placed on the value's channel axis. */
function channelAffine(ctx: LayerContext, x: Value, axis: number, scale: Float32Array, shift: Float32Array): string {
  const { g, layer } = ctx;
  const rank = x.shape.length;
  const dims = [scale.length, ...Array.from({ length: rank - 1 - axis }, () => 1)];
  const scaled = g.add('Mul', [x.name, g.weight(`${layer.name}/scale`, dims, scale)], `${layer.name}/scaled`);
  return g.add('Add', [scaled, g.weight(`${layer.name}/shift`, dims, shift)], layer.name);
}

export const batchNormalization: Converter = (ctx) => {
  const { g, layer, config } = ctx;
  const input = single(ctx);
  const weights = readWeights(layer);
  const mean = weight(ctx, weights, 'moving_mean').data;
  const variance = weight(ctx, weights, 'moving_variance').data;
  const gamma = config.scale === false ? new Float32Array(mean.length).fill(1) : weight(ctx, weights, 'gamma').data;
  const beta = config.center === false ? new Float32Array(mean.length) : weight(ctx, weights, 'beta').data;
  const epsilon = typeof config.epsilon === 'number' ? config.epsilon : 1e-3;
  const tfAxis = oneAxis(ctx, 'only one axis is supported.');
  // A channels-last image goes to NCHW so ONNX BatchNormalization (channel axis 1) applies and can fuse into the Conv before it.
  const x = input.shape.length === 4 && onnxAxis(input, tfAxis) === 3 ? g.toNCHW(input) : input;
  const axis = onnxAxis(x, tfAxis);
  if (axis === 1) {
    const y = g.add(
      'BatchNormalization',
      [
        x.name,
        g.weight(`${layer.name}/gamma`, [gamma.length], gamma),
        g.weight(`${layer.name}/beta`, [beta.length], beta),
        g.weight(`${layer.name}/moving_mean`, [mean.length], mean),
        g.weight(`${layer.name}/moving_variance`, [variance.length], variance),
      ],
      layer.name,
      [attribute('epsilon', epsilon, 'float')],
    );
    return [output(ctx, y, x.nchw)];
  }
  // Any other axis: fold the statistics into one scale and shift (in float64, rounded once).
  const scale = new Float32Array(mean.length);
  const shift = new Float32Array(mean.length);
  for (let c = 0; c < mean.length; c++) {
    const s = gamma[c]! / Math.sqrt(variance[c]! + epsilon);
    scale[c] = s;
    shift[c] = beta[c]! - mean[c]! * s;
  }
  return [output(ctx, channelAffine(ctx, x, axis, scale, shift), x.nchw)];
};
