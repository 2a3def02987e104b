// The activation layers (Activation, ReLU, LeakyReLU, ELU, Softmax, PReLU): element-wise ops that
// keep the order their input is held in (Softmax maps its tfjs axis).
import { attribute } from '../../proto.js';
import { applyActivation } from '../activations.js';
import { onnxAxis } from '../graph.js';
import { readWeights } from '../tfjs-types.js';
import { type Converter, elementParams, oneAxis, single, weight } from './common.js';

export const activation: Converter = (ctx) => [applyActivation(ctx.g, single(ctx), ctx.config.activation, ctx.layer.name)];

export const relu: Converter = (ctx) => {
  const x = single(ctx);
  const max = ctx.config.maxValue;
  if (max === undefined || max === null) return [{ ...x, name: ctx.g.add('Relu', [x.name], ctx.layer.name) }];
  const bounds = [ctx.g.weight(`${ctx.layer.name}/min`, [], Float32Array.of(0)), ctx.g.weight(`${ctx.layer.name}/max`, [], Float32Array.of(max as number))];
  return [{ ...x, name: ctx.g.add('Clip', [x.name, ...bounds], ctx.layer.name) }];
};

/** LeakyReLU and ELU: one float attribute `alpha` from the config (tfjs default `fallback`). */
const withAlpha =
  (op: 'LeakyRelu' | 'Elu', fallback: number): Converter =>
  (ctx) => {
    const x = single(ctx);
    return [{ ...x, name: ctx.g.add(op, [x.name], ctx.layer.name, [attribute('alpha', (ctx.config.alpha as number | undefined) ?? fallback, 'float')]) }];
  };

export const leakyRelu = withAlpha('LeakyRelu', 0.3);
export const elu = withAlpha('Elu', 1);

export const softmax: Converter = (ctx) => {
  const x = single(ctx);
  const axis = oneAxis(ctx, 'softmax over several axes is not supported.');
  return [{ ...x, name: ctx.g.add('Softmax', [x.name], ctx.layer.name, [attribute('axis', onnxAxis(x, axis))]) }];
};

export const prelu: Converter = (ctx) => {
  const x = single(ctx);
  const alpha = elementParams(x, weight(ctx, readWeights(ctx.layer), 'alpha'));
  return [{ ...x, name: ctx.g.add('PRelu', [x.name, ctx.g.weight(`${ctx.layer.name}/alpha`, alpha.shape, alpha.data)], ctx.layer.name) }];
};
