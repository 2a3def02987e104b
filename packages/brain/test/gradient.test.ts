import { describe, expect, it } from 'vitest';
import { ApaluNeuralNetwork } from '../src/index.js';
import { halfSquaredError, promoteToFloat64, uniformSource } from './helpers.js';

/**
 * Analytic gradients (brain.js's deltas, our gradA/gradB) against central finite
 * differences of ½·Σ(t − y)², for every weight, bias, a and b of a 3-4-3-2 network.
 */
describe('gradients match finite differences', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: weights, biases, a and b`, () => {
      const net = new ApaluNeuralNetwork({
        inputSize: 3,
        hiddenLayers: [4, 3],
        outputSize: 2,
        activation: 'apalu',
        seed,
        apalu: { a: { min: 0.3, max: 2 }, b: { min: 0.3, max: 2 } },
      });
      net.initialize();
      // Weights large enough that sums land on both sides of 0, away from the kink.
      const rand = uniformSource(seed + 100, -1.5, 1.5);
      for (let layer = 1; layer <= net.outputLayer; layer++) {
        net.biases[layer]!.forEach((_, i, arr) => (arr[i] = rand()));
        for (const w of net.weights[layer]!) w.forEach((_, i, arr) => (arr[i] = rand()));
      }
      promoteToFloat64(net);
      const input = Float64Array.from([0.7, -1.2, 0.4]) as unknown as Float32Array;
      const target = Float64Array.from([0.3, -0.4]) as unknown as Float32Array;

      net.runInput(input);
      let positive = 0;
      let negative = 0;
      for (let layer = 1; layer <= net.outputLayer; layer++) {
        for (const x of net.preActivations[layer]!) {
          expect(Math.abs(x)).toBeGreaterThan(1e-3);
          if (x > 0) positive++;
          else negative++;
        }
      }
      expect(positive).toBeGreaterThanOrEqual(2);
      expect(negative).toBeGreaterThanOrEqual(2);
      net.calculateDeltas(target);
      // Snapshot before any perturbed forward pass overwrites the outputs.
      const outputs = net.outputs.map((o) => Array.from(o));

      const h = 1e-6;
      const check = (analytic: number, param: { [i: number]: number }, i: number, what = '') => {
        const saved = param[i]!;
        param[i] = saved + h;
        const up = halfSquaredError(net, input, target);
        param[i] = saved - h;
        const down = halfSquaredError(net, input, target);
        param[i] = saved;
        const numeric = (up - down) / (2 * h);
        expect(Math.abs(analytic - numeric), `${what}[${i}]`).toBeLessThanOrEqual(1e-9 + 1e-7 * Math.abs(numeric));
        return numeric;
      };

      let nonZeroA = 0;
      let nonZeroB = 0;
      for (let layer = 1; layer <= net.outputLayer; layer++) {
        const incoming = outputs[layer - 1]!;
        const deltas = Array.from(net.deltas[layer]!);
        const gradA = Array.from(net.gradA[layer]!);
        const gradB = Array.from(net.gradB[layer]!);
        for (let node = 0; node < deltas.length; node++) {
          // brain.js's sign convention: deltas are −∂L/∂sum, so ∂L/∂w = −delta·incoming.
          for (let k = 0; k < incoming.length; k++) check(-deltas[node]! * incoming[k]!, net.weights[layer]![node]!, k, `w${layer},${node}`);
          check(-deltas[node]!, net.biases[layer]!, node, `bias${layer}`);
          if (check(-gradA[node]!, net.apaluA[layer]!, node, `a${layer}`) !== 0) nonZeroA++;
          if (check(-gradB[node]!, net.apaluB[layer]!, node, `b${layer}`) !== 0) nonZeroB++;
        }
      }
      expect(nonZeroA).toBeGreaterThanOrEqual(2);
      expect(nonZeroB).toBeGreaterThanOrEqual(2);
    });
  }
});
