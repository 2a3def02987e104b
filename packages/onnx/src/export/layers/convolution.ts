// Conv2D, DepthwiseConv2D and the 2-D pooling layers: window ops that ONNX runs in NCHW, with
// TF's 'same' padding written as explicit pads.
import { attribute } from '../../proto.js';
import { applyActivation } from '../activations.js';
import type { Value } from '../graph.js';
import { permute } from '../permute.js';
import { type WeightData, readWeights } from '../tfjs-types.js';
import { type Converter, type LayerContext, biasInput, fail, output, pair, single, weight } from './common.js';

function channelsLast(ctx: LayerContext): void {
  const format = ctx.config.dataFormat;
  if (format !== undefined && format !== 'channelsLast') {
    fail(ctx, `dataFormat = ${JSON.stringify(format)} is not supported; build the model with dataFormat: 'channelsLast' (the tfjs default; the exporter converts to NCHW itself).`);
  }
}

/** kernel_shape, strides, dilations and padding of a 2-D window op on `x` (tfjs shape [N, H, W, C]). */
function windowAttributes(ctx: LayerContext, x: Value, kernel: [number, number], strides: [number, number], dilations?: [number, number]) {
  const padding = ctx.config.padding;
  if (padding !== 'same' && padding !== 'valid') fail(ctx, `padding = ${JSON.stringify(padding)} is not supported (use 'same' or 'valid').`);
  const attrs = [attribute('kernel_shape', kernel), attribute('strides', strides), ...(dilations ? [attribute('dilations', dilations)] : [])];
  if (padding === 'valid') return attrs;
  const size = [x.shape[1], x.shape[2]];
  if (size.some((d) => d === null)) {
    // Unknown height or width: ONNX SAME_UPPER is TF's 'same' (the odd pixel goes at the end), but ORT rejects it with dilation.
    if (dilations && dilations.some((d) => d !== 1)) fail(ctx, "padding 'same' with dilationRate > 1 needs a known input height and width; give the input shape.");
    return [...attrs, attribute('auto_pad', 'SAME_UPPER')];
  }
  // TF 'same': output = ceil(in / stride), padding split with the odd pixel at the end.
  const begin: number[] = [];
  const end: number[] = [];
  size.forEach((d, i) => {
    const span = (kernel[i]! - 1) * (dilations?.[i] ?? 1) + 1;
    const total = Math.max((Math.ceil(d! / strides[i]!) - 1) * strides[i]! + span - d!, 0);
    begin.push(Math.floor(total / 2));
    end.push(total - Math.floor(total / 2));
  });
  return [...attrs, attribute('pads', [...begin, ...end])];
}

/**
 * A convolution layer as one ONNX Conv: `toOnnx` turns the tfjs kernel into ONNX's
 * [out, in / group, kh, kw] weight (and the group count), then bias, window and activation.
 */
const convolution =
  (kernelKey: string, toOnnx: (kernel: WeightData) => { w: WeightData; group?: number }): Converter =>
  (ctx) => {
    channelsLast(ctx);
    const { g, layer, config } = ctx;
    const x = g.toNCHW(single(ctx));
    const weights = readWeights(layer);
    const kernel = weight(ctx, weights, kernelKey);
    const { w, group } = toOnnx(kernel);
    const inputs = [x.name, g.weight(`${layer.name}/kernel`, w.shape, w.data)];
    const bias = biasInput(ctx, weights);
    if (bias !== undefined) inputs.push(bias);
    const window = windowAttributes(
      ctx,
      x,
      [kernel.shape[0]!, kernel.shape[1]!],
      pair(config.strides ?? 1, ctx, 'strides'),
      pair(config.dilationRate ?? 1, ctx, 'dilationRate'),
    );
    const y = g.add('Conv', inputs, layer.name, group === undefined ? window : [...window, attribute('group', group)]);
    return [applyActivation(g, output(ctx, y, true), config.activation, layer.name)];
  };

/** Kernel [kh, kw, in, out] → [out, in, kh, kw]. */
export const conv2d = convolution('kernel', (kernel) => ({ w: permute(kernel.data, kernel.shape, [3, 2, 0, 1]) }));

/** Kernel [kh, kw, in, multiplier] → a grouped Conv: output channel c·multiplier + m of tfjs is group c, filter m. */
export const depthwiseConv2d = convolution('depthwise_kernel', (kernel) => {
  const [kh, kw, channels, multiplier] = kernel.shape as [number, number, number, number];
  const w = permute(kernel.data, [kh, kw, channels * multiplier], [2, 0, 1]);
  return { w: { data: w.data, shape: [channels * multiplier, 1, kh, kw] }, group: channels };
});

export const pool =
  (op: 'MaxPool' | 'AveragePool'): Converter =>
  (ctx) => {
    channelsLast(ctx);
    const { g, layer, config } = ctx;
    const x = g.toNCHW(single(ctx));
    const size = pair(config.poolSize ?? 2, ctx, 'poolSize');
    const strides = pair(config.strides ?? size, ctx, 'strides');
    // TF's average pooling with 'same' divides by the pixels inside the image: count_include_pad = 0 (the default).
    return [output(ctx, g.add(op, [x.name], layer.name, windowAttributes(ctx, x, size, strides)), true)];
  };

export const globalPool =
  (op: 'GlobalAveragePool' | 'GlobalMaxPool'): Converter =>
  (ctx) => {
    channelsLast(ctx);
    const { g, layer } = ctx;
    const x = g.toNCHW(single(ctx));
    const pooled = g.add(op, [x.name], `${layer.name}/pool`); // [N, C, 1, 1]
    if (ctx.outputShapes[0]!.length === 4) return [output(ctx, pooled, true)];
    return [output(ctx, g.add('Flatten', [pooled], layer.name, [attribute('axis', 1)]), false)];
  };
