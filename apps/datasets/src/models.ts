import { type ActivationName, activationLayer, type ApaluInit } from './activations.js';
import { tf } from './tf.js';

export interface ModelOptions {
  activation: ActivationName;
  seed: number;
  apaluInit?: ApaluInit;
}

const glorot = (seed: number, i: number) => tf.initializers.glorotUniform({ seed: seed * 100 + i });

/** Dense → activation blocks, then a dense output (softmax for classification, linear for regression). */
export function mlp(input: number, hidden: readonly number[], output: number, o: ModelOptions & { outputActivation: 'softmax' | 'linear' }): tf.Sequential {
  const m = tf.sequential();
  hidden.forEach((units, i) => {
    m.add(tf.layers.dense({ units, kernelInitializer: glorot(o.seed, i), ...(i === 0 ? { inputShape: [input] } : {}) }));
    m.add(activationLayer(o.activation, { rank: 2, seed: o.seed, index: i, apaluInit: o.apaluInit }));
  });
  m.add(tf.layers.dense({ units: output, activation: o.outputActivation, kernelInitializer: glorot(o.seed, hidden.length) }));
  return m;
}

/** Small MNIST CNN: conv3×3(8) → act → pool → conv3×3(16) → act → pool → dense(10, softmax). */
export function cnn(o: ModelOptions): tf.Sequential {
  const act = (index: number) => activationLayer(o.activation, { rank: 4, seed: o.seed, index, apaluInit: o.apaluInit });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, padding: 'same', kernelInitializer: glorot(o.seed, 0) }),
      act(0),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', kernelInitializer: glorot(o.seed, 1) }),
      act(1),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: glorot(o.seed, 2) }),
    ],
  });
}

/**
 * Ruff et al. (2018)'s MNIST LeNet encoder for Deep SVDD: conv5×5(8) → BN → act → pool →
 * conv5×5(4) → BN → act → pool → dense(32). No bias anywhere and BN without affine terms,
 * so the network cannot map everything onto c by a constant (hypersphere collapse).
 * BN momentum 0.9 is PyTorch's default (0.1 there means the same). tfjs-layers 4.22.0 cannot
 * train a BN layer built with center/scale false (normalizeBatchInTraining reads gamma and beta
 * unconditionally), so γ = 1 and β = 0 exist here and trainSvdd leaves them out of the
 * optimised variables: the same function as affine = False.
 */
export function svddEncoder(o: ModelOptions): tf.Sequential {
  const act = (index: number) => activationLayer(o.activation, { rank: 4, seed: o.seed, index, apaluInit: o.apaluInit });
  const bn = () => tf.layers.batchNormalization({ epsilon: 1e-4, momentum: 0.9 });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 5, padding: 'same', useBias: false, kernelInitializer: glorot(o.seed, 0) }),
      bn(),
      act(0),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 4, kernelSize: 5, padding: 'same', useBias: false, kernelInitializer: glorot(o.seed, 1) }),
      bn(),
      act(1),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 32, useBias: false, kernelInitializer: glorot(o.seed, 2) }),
    ],
  });
}
