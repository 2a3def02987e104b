import { Apalu } from '@apalu/tfjs';
import { constant, fitTo, type ParamInitializer, uniform } from '@apalu/core';
import { tf } from './tf.js';

export const ACTIVATIONS = ['apalu', 'relu', 'leakyRelu', 'elu', 'gelu', 'prelu', 'tanh', 'sigmoid'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

/** How a and b start: the ranges of experiment 4 ('u0-2' is the paper's default). */
export const APALU_INITS = ['u0-1', 'u0-2', 'u0-5', 'fit-gelu', 'ones'] as const;
export type ApaluInit = (typeof APALU_INITS)[number];

/** Negative slope of LeakyReLU: 0.01, PyTorch's default and Ruff et al.'s Deep SVDD choice. */
export const LEAKY_ALPHA = 0.01;

export interface ActivationContext {
  /** Rank of the activation's input including the batch axis (2 for dense, 4 for conv). */
  rank: number;
  /** Run seed; with `index` it makes every layer's a and b draw different and reproducible. */
  seed: number;
  /** Position of this activation in the model (0-based). */
  index: number;
  apaluInit?: ApaluInit;
}

function apaluInitializers(init: ApaluInit, seed: number): { a: ParamInitializer; b: ParamInitializer } {
  switch (init) {
    case 'u0-1':
      return { a: uniform(0, 1, seed), b: uniform(0, 1, seed + 1) };
    case 'u0-2':
      return { a: uniform(0, 2, seed), b: uniform(0, 2, seed + 1) };
    case 'u0-5':
      return { a: uniform(0, 5, seed), b: uniform(0, 5, seed + 1) };
    case 'fit-gelu': {
      const { a, b } = fitTo('gelu');
      return { a: constant(a), b: constant(b) };
    }
    case 'ones':
      return { a: constant(1), b: constant(1) };
  }
}

/**
 * One activation layer. APALU and PReLU share their parameters over every non-batch axis:
 * one (a, b) pair (one α) per layer, as the paper's APALU and PyTorch's nn.PReLU() default.
 */
export function activationLayer(name: ActivationName, ctx: ActivationContext): tf.layers.Layer {
  const allAxes = Array.from({ length: ctx.rank - 1 }, (_, i) => i + 1);
  switch (name) {
    case 'apalu': {
      const init = apaluInitializers(ctx.apaluInit ?? 'u0-2', ctx.seed * 1000 + 2 * ctx.index);
      return new Apalu({ aInitializer: init.a, bInitializer: init.b, sharedAxes: allAxes });
    }
    case 'prelu':
      return tf.layers.prelu({ sharedAxes: allAxes, alphaInitializer: tf.initializers.constant({ value: 0.25 }) });
    case 'leakyRelu':
      return tf.layers.leakyReLU({ alpha: LEAKY_ALPHA });
    case 'elu':
      return tf.layers.elu();
    case 'relu':
      return tf.layers.reLU();
    case 'gelu':
    case 'tanh':
    case 'sigmoid':
      // tfjs-layers' 'gelu' is the exact x·Φ(x) (erf form).
      return tf.layers.activation({ activation: name as 'tanh' });
  }
}

/** The (a, b) pairs of every Apalu layer, in model order. */
export function apaluParams(model: tf.LayersModel): { layer: string; a: number; b: number }[] {
  return model.layers
    .filter((l) => l instanceof Apalu)
    .map((l) => {
      const [a, b] = l.getWeights().map((w) => w.dataSync());
      return { layer: l.name, a: a![0] as number, b: b![0] as number };
    });
}
