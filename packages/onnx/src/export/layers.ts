/**
 * One converter per tfjs layer class. Each takes the layer's input values and returns its output
 * values, choosing NCHW where ONNX needs it (Conv, pooling) and tfjs order where the order of
 * elements is observable (Dense on the last axis, Flatten, Reshape).
 */
import { apaluNode, inlineApaluCall } from '../function.js';
import type { Formulation } from '../formulations.js';
import { attribute } from '../proto.js';
import { applyActivation } from './activations.js';
import { ExportError } from './errors.js';
import { type GraphBuilder, type TfShape, type Value, onnxAxis } from './graph.js';
import { permute } from './permute.js';
import { type TfjsLayer, type WeightData, readWeights } from './tfjs-types.js';

export interface LayerContext {
  g: GraphBuilder;
  layer: TfjsLayer;
  config: Record<string, unknown>;
  inputs: Value[];
  /** tfjs shapes of the layer's outputs at this call. */
  outputShapes: TfShape[];
  /** Registers the APALU function in the model and returns nothing. */
  useApalu(): void;
  /** The APALU body, and whether each call is written out as plain nodes instead of a function call. */
  apalu: { formulation: Formulation; inline: boolean };
}

type Converter = (ctx: LayerContext) => Value[];

function fail(ctx: LayerContext, what: string): never {
  throw new ExportError('E_CONFIG', `layer "${ctx.layer.name}" (${ctx.layer.getClassName()}): ${what}`);
}

function single(ctx: LayerContext): Value {
  if (ctx.inputs.length !== 1) fail(ctx, `expected one input, got ${ctx.inputs.length}.`);
  return ctx.inputs[0]!;
}

function weight(ctx: LayerContext, weights: Map<string, WeightData>, key: string): WeightData {
  const w = weights.get(key);
  if (w === undefined) fail(ctx, `weight "${key}" not found (the layer has ${[...weights.keys()].join(', ') || 'no weights'}).`);
  return w;
}

function pair(value: unknown, ctx: LayerContext, key: string): [number, number] {
  const v = typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(v) || v.length !== 2 || !v.every((n) => Number.isInteger(n) && n > 0)) fail(ctx, `${key} = ${JSON.stringify(value)} is not two positive integers.`);
  return [v[0] as number, v[1] as number];
}

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

function output(ctx: LayerContext, name: string, nchw: boolean, index = 0): Value {
  return { name, shape: ctx.outputShapes[index]!, nchw: nchw && ctx.outputShapes[index]!.length === 4 };
}

const conv2d: Converter = (ctx) => {
  channelsLast(ctx);
  const { g, layer, config } = ctx;
  const x = g.toNCHW(single(ctx));
  const weights = readWeights(layer);
  const kernel = weight(ctx, weights, 'kernel'); // [kh, kw, in, out]
  const w = permute(kernel.data, kernel.shape, [3, 2, 0, 1]); // [out, in, kh, kw]
  const inputs = [x.name, g.weight(`${layer.name}/kernel`, w.shape, w.data)];
  if (config.useBias !== false) inputs.push(g.weight(`${layer.name}/bias`, weight(ctx, weights, 'bias').shape, weight(ctx, weights, 'bias').data));
  const attrs = windowAttributes(
    ctx,
    x,
    [kernel.shape[0]!, kernel.shape[1]!],
    pair(config.strides ?? 1, ctx, 'strides'),
    pair(config.dilationRate ?? 1, ctx, 'dilationRate'),
  );
  const y = g.add('Conv', inputs, layer.name, attrs);
  return [applyActivation(g, output(ctx, y, true), config.activation, layer.name)];
};

const depthwiseConv2d: Converter = (ctx) => {
  channelsLast(ctx);
  const { g, layer, config } = ctx;
  const x = g.toNCHW(single(ctx));
  const weights = readWeights(layer);
  const kernel = weight(ctx, weights, 'depthwise_kernel'); // [kh, kw, in, multiplier]
  const [kh, kw, channels, multiplier] = kernel.shape as [number, number, number, number];
  // Output channel c·multiplier + m of tfjs is group c, filter m of a grouped ONNX Conv.
  const w = permute(kernel.data, [kh, kw, channels * multiplier], [2, 0, 1]);
  const inputs = [x.name, g.weight(`${layer.name}/kernel`, [channels * multiplier, 1, kh, kw], w.data)];
  if (config.useBias !== false) inputs.push(g.weight(`${layer.name}/bias`, weight(ctx, weights, 'bias').shape, weight(ctx, weights, 'bias').data));
  const attrs = [
    ...windowAttributes(ctx, x, [kh, kw], pair(config.strides ?? 1, ctx, 'strides'), pair(config.dilationRate ?? 1, ctx, 'dilationRate')),
    attribute('group', channels),
  ];
  const y = g.add('Conv', inputs, layer.name, attrs);
  return [applyActivation(g, output(ctx, y, true), config.activation, layer.name)];
};

const pool =
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

const globalPool =
  (op: 'GlobalAveragePool' | 'GlobalMaxPool'): Converter =>
  (ctx) => {
    channelsLast(ctx);
    const { g, layer } = ctx;
    const x = g.toNCHW(single(ctx));
    const pooled = g.add(op, [x.name], `${layer.name}/pool`); // [N, C, 1, 1]
    if (ctx.outputShapes[0]!.length === 4) return [output(ctx, pooled, true)];
    return [output(ctx, g.add('Flatten', [pooled], layer.name, [attribute('axis', 1)]), false)];
  };

const dense: Converter = (ctx) => {
  const { g, layer, config } = ctx;
  const x = g.toTfjs(single(ctx));
  const weights = readWeights(layer);
  const kernel = weight(ctx, weights, 'kernel'); // [in, units]
  const w = g.weight(`${layer.name}/kernel`, kernel.shape, kernel.data);
  const bias = config.useBias !== false ? weight(ctx, weights, 'bias') : undefined;
  const b = bias ? g.weight(`${layer.name}/bias`, bias.shape, bias.data) : undefined;
  let y: string;
  if (x.shape.length === 2) y = g.add('Gemm', b ? [x.name, w, b] : [x.name, w], layer.name);
  else {
    const product = g.add('MatMul', [x.name, w], b ? `${layer.name}/matmul` : layer.name);
    y = b ? g.add('Add', [product, b], layer.name) : product;
  }
  return [applyActivation(g, output(ctx, y, false), config.activation, layer.name)];
};

const flatten: Converter = (ctx) => {
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

const reshape: Converter = (ctx) => {
  const { g, layer, config } = ctx;
  const x = g.toTfjs(single(ctx));
  const target = config.targetShape;
  if (!Array.isArray(target) || !target.every((d) => Number.isInteger(d) && (d > 0 || d === -1))) fail(ctx, `targetShape = ${JSON.stringify(target)} is not a list of positive sizes (one may be -1).`);
  // 0 copies the batch size from the input.
  const shape = g.ints(`${layer.name}/shape`, [0, ...(target as number[])]);
  return [output(ctx, g.add('Reshape', [x.name, shape], layer.name), false)];
};

const identity: Converter = (ctx) => [single(ctx)];

/** Per-channel y = x·scale + shift with scale, shift placed on the value's channel axis. */
function channelAffine(ctx: LayerContext, x: Value, axis: number, scale: Float32Array, shift: Float32Array): string {
  const { g, layer } = ctx;
  const rank = x.shape.length;
  const dims = [scale.length, ...Array.from({ length: rank - 1 - axis }, () => 1)];
  const scaled = g.add('Mul', [x.name, g.weight(`${layer.name}/scale`, dims, scale)], `${layer.name}/scaled`);
  return g.add('Add', [scaled, g.weight(`${layer.name}/shift`, dims, shift)], layer.name);
}

const batchNormalization: Converter = (ctx) => {
  const { g, layer, config } = ctx;
  const input = single(ctx);
  const weights = readWeights(layer);
  const mean = weight(ctx, weights, 'moving_mean').data;
  const variance = weight(ctx, weights, 'moving_variance').data;
  const gamma = config.scale === false ? new Float32Array(mean.length).fill(1) : weight(ctx, weights, 'gamma').data;
  const beta = config.center === false ? new Float32Array(mean.length) : weight(ctx, weights, 'beta').data;
  const epsilon = typeof config.epsilon === 'number' ? config.epsilon : 1e-3;
  const tfAxis = Array.isArray(config.axis) ? (config.axis.length === 1 ? (config.axis[0] as number) : fail(ctx, `axis = ${JSON.stringify(config.axis)}: only one axis is supported.`)) : ((config.axis as number | undefined) ?? -1);
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

const merge =
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

const concatenate: Converter = (ctx) => {
  const inputs = common(ctx);
  const axis = onnxAxis(inputs[0]!, (ctx.config.axis as number | undefined) ?? -1);
  return [output(ctx, ctx.g.add('Concat', inputs.map((v) => v.name), ctx.layer.name, [attribute('axis', axis)]), inputs[0]!.nchw)];
};

const activation: Converter = (ctx) => [applyActivation(ctx.g, single(ctx), ctx.config.activation, ctx.layer.name)];

const relu: Converter = (ctx) => {
  const x = single(ctx);
  const max = ctx.config.maxValue;
  if (max === undefined || max === null) return [{ ...x, name: ctx.g.add('Relu', [x.name], ctx.layer.name) }];
  const bounds = [ctx.g.weight(`${ctx.layer.name}/min`, [], Float32Array.of(0)), ctx.g.weight(`${ctx.layer.name}/max`, [], Float32Array.of(max as number))];
  return [{ ...x, name: ctx.g.add('Clip', [x.name, ...bounds], ctx.layer.name) }];
};

const leakyRelu: Converter = (ctx) => {
  const x = single(ctx);
  return [{ ...x, name: ctx.g.add('LeakyRelu', [x.name], ctx.layer.name, [attribute('alpha', (ctx.config.alpha as number | undefined) ?? 0.3, 'float')]) }];
};

const elu: Converter = (ctx) => {
  const x = single(ctx);
  return [{ ...x, name: ctx.g.add('Elu', [x.name], ctx.layer.name, [attribute('alpha', (ctx.config.alpha as number | undefined) ?? 1, 'float')]) }];
};

const softmax: Converter = (ctx) => {
  const x = single(ctx);
  const axis = ctx.config.axis;
  const a = Array.isArray(axis) ? (axis.length === 1 ? (axis[0] as number) : fail(ctx, `axis = ${JSON.stringify(axis)}: softmax over several axes is not supported.`)) : ((axis as number | undefined) ?? -1);
  return [{ ...x, name: ctx.g.add('Softmax', [x.name], ctx.layer.name, [attribute('axis', onnxAxis(x, a))]) }];
};

/** PReLU-shaped parameters (input shape without batch, shared axes 1) in the value's ONNX order. */
function elementParams(x: Value, w: WeightData): WeightData {
  if (!x.nchw) return w;
  // tfjs [H, W, C] broadcast against NCHW data must be [C, H, W].
  return permute(w.data, w.shape, [2, 0, 1]);
}

const prelu: Converter = (ctx) => {
  const x = single(ctx);
  const alpha = elementParams(x, weight(ctx, readWeights(ctx.layer), 'alpha'));
  return [{ ...x, name: ctx.g.add('PRelu', [x.name, ctx.g.weight(`${ctx.layer.name}/alpha`, alpha.shape, alpha.data)], ctx.layer.name) }];
};

const apalu: Converter = (ctx) => {
  const { g, layer } = ctx;
  const x = single(ctx);
  const weights = readWeights(layer);
  // The @apalu/tfjs contract: weights [a, b], shaped like PReLU's alpha.
  const [aw, bw] = weights.has('a') && weights.has('b') ? [weights.get('a')!, weights.get('b')!] : [...weights.values()];
  if (aw === undefined || bw === undefined) fail(ctx, `expected weights [a, b], found ${[...weights.keys()].join(', ') || 'none'}.`);
  const a = elementParams(x, aw);
  const b = elementParams(x, bw);
  const out = g.name(layer.name);
  g.reserve(`${out}/a`);
  g.reserve(`${out}/b`);
  const built = apaluNode({ input: x.name, output: out, a: a.data, b: b.data, paramShape: a.shape, name: out });
  g.initializers.push(...built.initializers);
  if (ctx.apalu.inline) {
    const [input, pa, pb] = built.node.input as [string, string, string];
    g.nodes.push(...inlineApaluCall(ctx.apalu.formulation, { inputs: [input, pa, pb], output: out, prefix: out }, (base) => g.name(base)));
  } else {
    ctx.useApalu();
    g.nodes.push(built.node);
  }
  return [{ ...x, name: out, shape: ctx.outputShapes[0]! }];
};

/** tfjs class name → converter. Identity layers are the ones that do nothing at inference. */
export const converters: Record<string, Converter> = {
  Dense: dense,
  Conv2D: conv2d,
  DepthwiseConv2D: depthwiseConv2d,
  MaxPooling2D: pool('MaxPool'),
  AveragePooling2D: pool('AveragePool'),
  GlobalAveragePooling2D: globalPool('GlobalAveragePool'),
  GlobalMaxPooling2D: globalPool('GlobalMaxPool'),
  Flatten: flatten,
  Reshape: reshape,
  Dropout: identity,
  SpatialDropout1D: identity,
  GaussianNoise: identity,
  GaussianDropout: identity,
  AlphaDropout: identity,
  BatchNormalization: batchNormalization,
  Add: merge('Add'),
  Multiply: merge('Mul'),
  Average: merge('Mean'),
  Maximum: merge('Max'),
  Minimum: merge('Min'),
  Concatenate: concatenate,
  Activation: activation,
  ReLU: relu,
  LeakyReLU: leakyRelu,
  ELU: elu,
  Softmax: softmax,
  PReLU: prelu,
  Apalu: apalu,
};

export const supportedLayers = ['InputLayer', ...Object.keys(converters)];
