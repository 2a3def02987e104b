/**
 * Bodies of the APALU function: the same f(x) (the SPEC.md shipped in @apalu/core) written with different standard ops.
 * Inputs X, A, B (A and B broadcast against X), output Y. All keep the x ≥ 0 branch at x = ±0
 * and send NaN to the x < 0 branch (GreaterOrEqual is false for NaN), like @apalu/core.
 */
import { APALU_K } from '@apalu/core';
import { attribute, floatTensor, node, type NodeProto } from './proto.js';

export type Formulation = 'shared-exp' | 'sigmoid-exp' | 'quickgelu' | 'elu-quickgelu' | 'relu-min';

/** Every formulation, the default first. */
export const formulations: readonly Formulation[] = ['shared-exp', 'sigmoid-exp', 'quickgelu', 'elu-quickgelu', 'relu-min'];

export const formulationNotes: Record<Formulation, string> = {
  'shared-exp':
    'one Exp for both branches: E = exp(min(x, −k·x)); x ≥ 0: x·(a·(1 + 1/(1 + E))), x < 0: b·(E − 1). E ≤ 1, so nothing overflows and no branch makes ∞ or NaN.',
  'sigmoid-exp': 'the textbook form: Where(x ≥ 0, x·(a·(1 + Sigmoid(k·x))), b·(Exp(x) − 1)); two transcendental passes.',
  quickgelu: 'x·Sigmoid(k·x) written so ORT fuses it into com.microsoft.QuickGelu: Where(x ≥ 0, a·x + a·QuickGelu(x), b·(Exp(x) − 1)).',
  'elu-quickgelu': 'Where(x ≥ 0, a, b)·Elu(x) + a·QuickGelu(Relu(x)): ONNX Elu for the negative side, fused QuickGelu for the positive.',
  'relu-min': 'no Where: p = Relu(x), n = Min(x, 0), f = p·(a·(1 + Sigmoid(k·p))) + b·(Exp(n) − 1); each side is exactly 0 on the other side of 0.',
};

function scalar(out: string, value: number): NodeProto {
  return node('Constant', { inputs: [], outputs: [out], attributes: [attribute('value', floatTensor(out, [], [value]))] });
}

const op = (type: string, inputs: string[], output: string, attributes?: NodeProto['attribute']): NodeProto =>
  node(type, { inputs, outputs: [output], ...(attributes ? { attributes: attributes as never } : {}) });

/** The body nodes of one formulation, over function-scope names X, A, B → Y. */
export function formulationBody(formulation: Formulation): NodeProto[] {
  const common = [scalar('zero', 0), scalar('one', 1), op('GreaterOrEqual', ['X', 'zero'], 'nonneg')];
  switch (formulation) {
    case 'shared-exp':
      return [
        ...common,
        scalar('minus_k', -APALU_K),
        op('Mul', ['X', 'minus_k'], 'mkx'),
        // x ≥ 0: −k·x ≤ 0 ≤ x; x < 0: x < 0 < −k·x. So the exponent is never positive.
        op('Min', ['X', 'mkx'], 'u'),
        op('Exp', ['u'], 'E'),
        op('Add', ['E', 'one'], 'den'),
        op('Reciprocal', ['den'], 'sig'),
        op('Add', ['sig', 'one'], 'one_plus_sig'),
        // a·(1 + σ) first: < 1 whenever f(x) < x, so huge x does not overflow (@apalu/core's SPEC.md: a = 0.25, x = 3e38).
        op('Mul', ['A', 'one_plus_sig'], 'scale'),
        op('Mul', ['X', 'scale'], 'pos'),
        op('Sub', ['E', 'one'], 'em1'),
        op('Mul', ['B', 'em1'], 'neg'),
        op('Where', ['nonneg', 'pos', 'neg'], 'Y'),
      ];
    case 'sigmoid-exp':
      return [
        ...common,
        scalar('k', APALU_K),
        op('Mul', ['X', 'k'], 'kx'),
        op('Sigmoid', ['kx'], 'sig'),
        op('Add', ['sig', 'one'], 'one_plus_sig'),
        op('Mul', ['A', 'one_plus_sig'], 'scale'),
        op('Mul', ['X', 'scale'], 'pos'),
        op('Exp', ['X'], 'ex'),
        op('Sub', ['ex', 'one'], 'em1'),
        op('Mul', ['B', 'em1'], 'neg'),
        op('Where', ['nonneg', 'pos', 'neg'], 'Y'),
      ];
    case 'quickgelu':
      return [
        ...common,
        scalar('k', APALU_K),
        op('Mul', ['X', 'k'], 'kx'),
        op('Sigmoid', ['kx'], 'sig'),
        op('Mul', ['X', 'sig'], 'qg'),
        // a·x + a·(x·σ) rather than a·(x + x·σ): the sum would overflow for x > 1.7e38.
        op('Mul', ['A', 'X'], 'ax'),
        op('Mul', ['A', 'qg'], 'aqg'),
        op('Add', ['ax', 'aqg'], 'pos'),
        op('Exp', ['X'], 'ex'),
        op('Sub', ['ex', 'one'], 'em1'),
        op('Mul', ['B', 'em1'], 'neg'),
        op('Where', ['nonneg', 'pos', 'neg'], 'Y'),
      ];
    case 'elu-quickgelu':
      return [
        ...common,
        scalar('k', APALU_K),
        op('Elu', ['X'], 'elu', [attribute('alpha', 1, 'float')]),
        op('Relu', ['X'], 'relu'),
        op('Mul', ['relu', 'k'], 'kx'),
        op('Sigmoid', ['kx'], 'sig'),
        op('Mul', ['relu', 'sig'], 'qg'),
        op('Where', ['nonneg', 'A', 'B'], 'coef'),
        op('Mul', ['coef', 'elu'], 'lin'),
        op('Mul', ['A', 'qg'], 'aqg'),
        op('Add', ['lin', 'aqg'], 'Y'),
      ];
    case 'relu-min':
      return [
        scalar('zero', 0),
        scalar('one', 1),
        scalar('k', APALU_K),
        op('Relu', ['X'], 'p'),
        op('Mul', ['p', 'k'], 'kp'),
        op('Sigmoid', ['kp'], 'sig'),
        op('Add', ['sig', 'one'], 'one_plus_sig'),
        op('Mul', ['A', 'one_plus_sig'], 'scale'),
        op('Mul', ['p', 'scale'], 'pos'),
        op('Min', ['X', 'zero'], 'n'),
        op('Exp', ['n'], 'en'),
        op('Sub', ['en', 'one'], 'em1'),
        op('Mul', ['B', 'em1'], 'neg'),
        op('Add', ['pos', 'neg'], 'Y'),
      ];
    default:
      throw new RangeError(`formulation = ${JSON.stringify(formulation)}: use one of ${formulations.join(', ')}.`);
  }
}
