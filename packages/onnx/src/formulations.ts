/**
 * Bodies of the APALU function: the same f(x) (the SPEC.md shipped in @apalu/core) written with different standard ops.
 * Inputs X, A, B (A and B broadcast against X), output Y. All keep the x ≥ 0 branch at x = ±0
 * and send NaN to the x < 0 branch (GreaterOrEqual is false for NaN), like @apalu/core.
 */
import { APALU_K, ApaluInputError } from '@apalu/core';
import { attribute, floatTensor, node, type NodeProto } from './proto.js';

export type Formulation = 'shared-exp' | 'sigmoid-exp' | 'quickgelu' | 'elu-quickgelu' | 'relu-min';

/** Every formulation, the default first. */
export const formulations: readonly Formulation[] = ['shared-exp', 'sigmoid-exp', 'quickgelu', 'elu-quickgelu', 'relu-min'];

export const formulationNotes: Record<Formulation, string> = {
  'shared-exp':
    'one Exp for both branches: E = exp(min(x, −k·x)); x ≥ 0: (a·x)·(1 + 1/(1 + E)), x < 0: b·expm1(x) with expm1(x) = tanh(x/2)·(E + 1) held inside [max(x, −1), x·(1 + x/2)] (accurate near 0⁻). E ≤ 1, so nothing overflows and no branch makes ∞ or NaN.',
  'sigmoid-exp': 'the textbook form: Where(x ≥ 0, (a·x)·(1 + Sigmoid(k·x)), b·expm1(x)) with expm1(x) = tanh(x/2)·(Exp(x) + 1) held inside [max(x, −1), x·(1 + x/2)]; three transcendental passes.',
  quickgelu: 'x·Sigmoid(k·x) written so ORT fuses it into com.microsoft.QuickGelu: Where(x ≥ 0, a·x + a·QuickGelu(x), b·expm1(x)) with expm1(x) = tanh(x/2)·(Exp(x) + 1) held inside [max(x, −1), x·(1 + x/2)].',
  'elu-quickgelu': 'Where(x ≥ 0, a, b)·Elu(x) + a·QuickGelu(Relu(x)): ONNX Elu for the negative side (on (−1/8, 0), where its e^x − 1 cancels, tanh(x/2)·(Elu(x) + 2) held inside [max(x, −1), x·(1 + x/2)] instead), fused QuickGelu for the positive.',
  'relu-min': 'no Where: p = Relu(x), n = Min(x, 0), f = (a·p)·(1 + Sigmoid(k·p)) + b·tanh(n/2)·(Exp(n) + 1) held inside [max(n, −1), n·(1 + n/2)]; each side is exactly 0 on the other side of 0.',
};

function scalar(out: string, value: number): NodeProto {
  return node('Constant', { inputs: [], outputs: [out], attributes: [attribute('value', floatTensor(out, [], [value]))] });
}

const op = (type: string, inputs: string[], output: string, attributes?: NodeProto['attribute']): NodeProto =>
  node(type, { inputs, outputs: [output], ...(attributes ? { attributes: attributes as never } : {}) });

/**
 * expm1(X) for X < 0 as tanh(X/2)·(e^X + 1) held inside [max(X, −1), X·(1 + X/2)] (Min, then Max), from
 * the Exp output `ex` = e^X, into `em1`. Float32 e^X − 1 cancels near 0⁻ (absolute error ≈ 6e-8: b = 1000, x = −2e-8 gave 0
 * instead of −2e-5); the tanh identity keeps the relative error at a few float32 ulps (≤ 2.6e-6
 * measured on onnxruntime-web wasm over x in −[1e-37, 100]). onnxruntime-web's Tanh gives 0 or
 * values far off for subnormal inputs; for X < 0, X < expm1(X) < X + X²/2, and for tiny |X| that
 * interval is the one float32 value X, so holding the identity inside it fixes those without a
 * Where and changes nothing where the identity is right. The −1 floor: onnxruntime-web's Tanh
 * returns values just below −1 (x = −17.75), and b = FLT_MAX then made f = −∞. X = −∞ gives −1;
 * NaN stays NaN.
 */
function expm1Nodes(ex: string, em1: string, x = 'X'): NodeProto[] {
  return [
    scalar('half', 0.5),
    op('Mul', [x, 'half'], `${em1}_half_x`),
    op('Tanh', [`${em1}_half_x`], `${em1}_tanh`),
    op('Add', [ex, 'one'], `${em1}_ex_plus_1`),
    op('Mul', [`${em1}_tanh`, `${em1}_ex_plus_1`], `${em1}_identity`),
    op('Add', [`${em1}_half_x`, 'one'], `${em1}_one_plus_half_x`),
    op('Mul', [x, `${em1}_one_plus_half_x`], `${em1}_series`),
    op('Min', [`${em1}_identity`, `${em1}_series`], `${em1}_below`),
    scalar('minus_one', -1),
    op('Max', [x, 'minus_one'], `${em1}_floor`),
    op('Max', [`${em1}_below`, `${em1}_floor`], em1),
  ];
}

/**
 * One Exp for both sides: E = e^min(x, −k·x) — e^(−k·x) for x ≥ 0, e^x for x < 0 — and from it
 * sig = σ(k·x) = 1/(1 + E) and one_plus_sig. Needs `minus_k` and `one`. x ≥ 0: −k·x ≤ 0 ≤ x;
 * x < 0: x < 0 < −k·x. So the exponent is never positive and nothing overflows.
 */
export function sharedExpSigmoid(x: string): NodeProto[] {
  return [
    op('Mul', [x, 'minus_k'], 'mkx'),
    op('Min', [x, 'mkx'], 'u'),
    op('Exp', ['u'], 'E'),
    op('Add', ['E', 'one'], 'den'),
    op('Reciprocal', ['den'], 'sig'),
    op('Add', ['sig', 'one'], 'one_plus_sig'),
  ];
}

/** sig = Sigmoid(k·x), through `kx`; needs the constant `k`. */
function sigmoidOfKx(x: string, kx: string): NodeProto[] {
  return [op('Mul', [x, 'k'], kx), op('Sigmoid', [kx], 'sig')];
}

/**
 * pos = (a·x)·one_plus_sig, through `ax`: a·x first, then ·(1 + σ) ∈ [1.5, 2]: a·x overflows
 * only where f(x) does, while a·(1 + σ) overflowed for a > FLT_MAX/1.5 and made 0·∞ = NaN at
 * x = 0 (a = 3e38).
 */
function positiveSide(x: string, ax: string): NodeProto[] {
  return [op('Mul', [x, 'A'], ax), op('Mul', [ax, 'one_plus_sig'], 'pos')];
}

/** b·expm1(X) from `ex` = e^X into `neg`, then Y = Where(X ≥ 0, pos, neg): how every Where formulation ends. */
function negativeThenWhere(ex: string): NodeProto[] {
  return [...expm1Nodes(ex, 'em1'), op('Mul', ['B', 'em1'], 'neg'), op('Where', ['nonneg', 'pos', 'neg'], 'Y')];
}

/** The body nodes of one formulation, over function-scope names X, A, B → Y. */
export function formulationBody(formulation: Formulation): NodeProto[] {
  const common = [scalar('zero', 0), scalar('one', 1), op('GreaterOrEqual', ['X', 'zero'], 'nonneg')];
  switch (formulation) {
    case 'shared-exp':
      return [
        ...common,
        scalar('minus_k', -APALU_K),
        ...sharedExpSigmoid('X'),
        ...positiveSide('X', 'ax'),
        ...negativeThenWhere('E'),
      ];
    case 'sigmoid-exp':
      return [
        ...common,
        scalar('k', APALU_K),
        ...sigmoidOfKx('X', 'kx'),
        op('Add', ['sig', 'one'], 'one_plus_sig'),
        ...positiveSide('X', 'ax'),
        op('Exp', ['X'], 'ex'),
        ...negativeThenWhere('ex'),
      ];
    case 'quickgelu':
      return [
        ...common,
        scalar('k', APALU_K),
        ...sigmoidOfKx('X', 'kx'),
        op('Mul', ['X', 'sig'], 'qg'),
        // a·x + a·(x·σ) rather than a·(x + x·σ): the sum would overflow for x > 1.7e38.
        op('Mul', ['A', 'X'], 'ax'),
        op('Mul', ['A', 'qg'], 'aqg'),
        op('Add', ['ax', 'aqg'], 'pos'),
        op('Exp', ['X'], 'ex'),
        ...negativeThenWhere('ex'),
      ];
    case 'elu-quickgelu':
      return [
        ...common,
        scalar('k', APALU_K),
        op('Elu', ['X'], 'elu_raw', [attribute('alpha', 1, 'float')]),
        // Elu's float32 e^x − 1 cancels near 0⁻: on (−1/8, 0) the tanh identity replaces it.
        scalar('minus_eighth', -0.125),
        // e^x = Elu(x) + 1 for x < 0 (accurate: e^x is near 1 where the subtraction cancelled), so no second Exp.
        op('Add', ['elu_raw', 'one'], 'ex'),
        ...expm1Nodes('ex', 'em1'),
        op('Less', ['X', 'minus_eighth'], 'far'),
        op('Where', ['far', 'elu_raw', 'em1'], 'neg_side'),
        op('Where', ['nonneg', 'elu_raw', 'neg_side'], 'elu'),
        op('Relu', ['X'], 'relu'),
        ...sigmoidOfKx('relu', 'kx'),
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
        ...sigmoidOfKx('p', 'kp'),
        op('Add', ['sig', 'one'], 'one_plus_sig'),
        ...positiveSide('p', 'ap'),
        op('Min', ['X', 'zero'], 'n'),
        op('Exp', ['n'], 'en'),
        ...expm1Nodes('en', 'em1', 'n'),
        op('Mul', ['B', 'em1'], 'neg'),
        op('Add', ['pos', 'neg'], 'Y'),
      ];
    default:
      throw new ApaluInputError('E_OPTION', `formulation = ${JSON.stringify(formulation)}: use one of ${formulations.join(', ')}.`);
  }
}
