import { splitmix32 } from '@apalu/core';
import type { ApaluNeuralNetwork } from '../src/index.js';

export const XOR = [
  { input: [0, 0], output: [0] },
  { input: [0, 1], output: [1] },
  { input: [1, 0], output: [1] },
  { input: [1, 1], output: [0] },
];

/** Uniform in [lo, hi) from a seed, for test data. */
export function uniformSource(seed: number, lo = -1, hi = 1): () => number {
  const next = splitmix32(seed);
  return () => lo + ((hi - lo) * next()) / 2 ** 32;
}

/**
 * Swaps every array the network computes with for a Float64Array copy, so a finite
 * difference sees the network's math without float32 storage noise. The code that runs is
 * unchanged: brain.js and the APALU passes index typed arrays of either kind.
 */
export function promoteToFloat64(net: ApaluNeuralNetwork): void {
  const up = (x: ArrayLike<number>) => Float64Array.from(x as ArrayLike<number>) as unknown as Float32Array;
  for (let layer = 1; layer <= net.outputLayer; layer++) {
    net.biases[layer] = up(net.biases[layer]!);
    net.weights[layer] = net.weights[layer]!.map(up);
    net.outputs[layer] = up(net.outputs[layer]!);
    net.deltas[layer] = up(net.deltas[layer]!);
    net.errors[layer] = up(net.errors[layer]!);
    net.apaluA[layer] = up(net.apaluA[layer]!);
    net.apaluB[layer] = up(net.apaluB[layer]!);
  }
}

/** The loss whose negative gradient brain.js's deltas are: ½·Σ (target − output)². */
export function halfSquaredError(net: ApaluNeuralNetwork, input: ArrayLike<number>, target: ArrayLike<number>): number {
  const y = net.runInput(input as Float32Array);
  let s = 0;
  for (let i = 0; i < y.length; i++) s += 0.5 * ((target[i] as number) - (y[i] as number)) ** 2;
  return s;
}
