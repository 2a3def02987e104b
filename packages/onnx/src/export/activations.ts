/** Maps tfjs activation identifiers (relu, sigmoid, softmax …) to the ONNX nodes the exporter emits for them. */
import { attribute } from '../proto.js';
import { type GraphBuilder, type Value, onnxAxis } from './graph.js';
import { ExportError } from './errors.js';

type Emit = (g: GraphBuilder, x: Value, base: string) => string;

const unary =
  (op: string, attrs: () => ReturnType<typeof attribute>[] = () => []): Emit =>
  (g, x, base) =>
    g.add(op, [x.name], `${base}/${op.toLowerCase()}`, attrs());

/** tfjs activation identifiers (as getConfig() reports them) → ONNX. Element-wise except softmax. */
const activations: Record<string, Emit> = {
  relu: unary('Relu'),
  sigmoid: unary('Sigmoid'),
  tanh: unary('Tanh'),
  elu: unary('Elu', () => [attribute('alpha', 1, 'float')]),
  // tfjs softmax normalizes the last tfjs axis: axis 1 of an NCHW tensor.
  softmax: (g, x, base) => g.add('Softmax', [x.name], `${base}/softmax`, [attribute('axis', onnxAxis(x, -1))]),
  relu6: (g, x, base) => g.add('Clip', [x.name, g.weight(`${base}/zero`, [], Float32Array.of(0)), g.weight(`${base}/six`, [], Float32Array.of(6))], `${base}/relu6`),
  selu: unary('Selu'),
  softplus: unary('Softplus'),
  softsign: unary('Softsign'),
  hardSigmoid: unary('HardSigmoid', () => [attribute('alpha', 0.2, 'float'), attribute('beta', 0.5, 'float')]),
  swish: (g, x, base) => g.add('Mul', [x.name, g.add('Sigmoid', [x.name], `${base}/sigmoid`)], `${base}/swish`),
};

export const supportedActivations = ['linear', ...Object.keys(activations)];

/** Applies a tfjs activation to `x`; 'linear' (or none) returns `x` itself. */
export function applyActivation(g: GraphBuilder, x: Value, activation: unknown, layer: string): Value {
  if (activation === undefined || activation === null || activation === 'linear') return x;
  const emit = typeof activation === 'string' ? activations[activation] : undefined;
  if (emit === undefined) {
    throw new ExportError(
      'E_ACTIVATION',
      `layer "${layer}": activation ${JSON.stringify(activation)} is not supported. Supported activations: ${supportedActivations.join(', ')}; ` +
        'for APALU add an Apalu layer from @apalu/tfjs after a linear layer.',
    );
  }
  return { ...x, name: emit(g, x, layer) };
}
