import { CrossValidate, NeuralNetwork } from 'brain.js';
import { describe, expect, it, vi } from 'vitest';
import { ApaluNeuralNetwork } from '../src/index.js';
import { XOR, uniformSource } from './helpers.js';

describe('a and b follow the weights’ optimizer and stay > 0', () => {
  it('sgd: one pattern moves a and b by learningRate·(−∂L/∂p) (momentum starts at 0)', () => {
    const fresh = new ApaluNeuralNetwork({ inputSize: 2, hiddenLayers: [3], outputSize: 1, activation: 'apalu', seed: 7, apalu: { a: 1, b: 1 } });
    fresh.initialize();
    fresh.updateTrainingOptions({ learningRate: 0.1 });
    fresh.runInput(Float32Array.from([0, 1]));
    fresh.calculateDeltas(Float32Array.from([1]));
    const gradA = fresh.gradA.map((g) => Array.from(g));
    const gradB = fresh.gradB.map((g) => Array.from(g));
    const a0 = fresh.apaluA.map((p) => Array.from(p));
    const b0 = fresh.apaluB.map((p) => Array.from(p));
    fresh.adjustWeights();
    let moved = 0;
    for (let layer = 1; layer <= fresh.outputLayer; layer++) {
      for (let n = 0; n < fresh.sizes[layer]!; n++) {
        expect(fresh.apaluA[layer]![n]).toBe(Math.fround(Math.max(1e-3, a0[layer]![n]! + 0.1 * gradA[layer]![n]!)));
        expect(fresh.apaluB[layer]![n]).toBe(Math.fround(Math.max(1e-3, b0[layer]![n]! + 0.1 * gradB[layer]![n]!)));
        if (gradA[layer]![n] !== 0 || gradB[layer]![n] !== 0) moved++;
      }
    }
    expect(moved).toBeGreaterThan(0);
  });

  it('adam: the first step is learningRate·g/(|g| + ε) per neuron, like the weights', () => {
    const net = new ApaluNeuralNetwork({ inputSize: 2, hiddenLayers: [3], outputSize: 1, activation: 'apalu', seed: 3, praxis: 'adam', learningRate: 0.01 });
    net.initialize();
    net.runInput(Float32Array.from([1, 0]));
    net.calculateDeltas(Float32Array.from([1]));
    const g = net.gradA.map((x) => Array.from(x));
    const a0 = net.apaluA.map((p) => Array.from(p));
    net.adjustWeights();
    expect(net.iterations).toBe(1);
    for (let layer = 1; layer <= net.outputLayer; layer++) {
      for (let n = 0; n < net.sizes[layer]!; n++) {
        const gi = g[layer]![n]!;
        const m = 0.1 * gi;
        const v = 0.001 * gi * gi;
        const expected = a0[layer]![n]! + (0.01 * (m / 0.1)) / (Math.sqrt(v / 0.001) + 1e-8);
        expect(net.apaluA[layer]![n]).toBe(Math.fround(Math.max(1e-3, expected)));
      }
    }
  });

  it('clamps a and b at minParam however hard the gradient pushes', () => {
    const net = new ApaluNeuralNetwork({ hiddenLayers: [4], activation: 'apalu', seed: 5, apalu: { a: 0.01, b: 0.01, minParam: 0.005 } });
    // Targets far below anything reachable push every a and b down at a large rate.
    const data = XOR.map((d) => ({ input: d.input, output: [-50] }));
    net.train(data, { iterations: 20, learningRate: 0.9, errorThresh: 1e-9 });
    const params = [...net.apaluA.slice(1), ...net.apaluB.slice(1)].flatMap((p) => Array.from(p));
    expect(Math.min(...params)).toBe(Math.fround(0.005));
    for (const p of params) expect(p).toBeGreaterThanOrEqual(Math.fround(0.005));
  });

  it('trainable: false keeps a and b, and weights still train', () => {
    const net = new ApaluNeuralNetwork({ hiddenLayers: [3], activation: 'apalu', seed: 9, apalu: { trainable: false } });
    const first = new ApaluNeuralNetwork({ inputSize: 2, hiddenLayers: [3], outputSize: 1, activation: 'apalu', seed: 9, apalu: { trainable: false } });
    first.initialize();
    const a0 = first.toJSON().layers.map((l) => ('a' in l ? l.a : []));
    net.train(XOR, { iterations: 50, learningRate: 0.05 });
    const after = net.toJSON();
    expect(after.layers.map((l) => ('a' in l ? l.a : []))).toEqual(a0);
    expect(after.layers[1]!.weights).not.toEqual(first.toJSON().layers[1]!.weights);
  });
});

describe('XOR converges from 50 seeds', () => {
  for (const [praxis, learningRate] of [
    ['sgd', 0.05],
    ['adam', 0.01],
  ] as const) {
    it(`${praxis} (learningRate ${learningRate}): every seed 0..49 reaches error ≤ 0.005 and classifies XOR`, () => {
      const failed: number[] = [];
      let iterations = 0;
      for (let seed = 0; seed < 50; seed++) {
        const net = new ApaluNeuralNetwork({ hiddenLayers: [3], activation: 'apalu', seed, praxis });
        const status = net.train(XOR, { iterations: 10000, errorThresh: 0.005, learningRate });
        iterations += status.iterations;
        const correct = XOR.every((d) => Math.abs((net.run(d.input) as Float32Array)[0]! - d.output[0]!) < 0.5);
        if (!(status.error <= 0.005 && correct)) failed.push(seed);
      }
      console.log(`XOR ${praxis}: ${50 - failed.length}/50 seeds converged, mean ${(iterations / 50).toFixed(0)} iterations`);
      expect(failed).toEqual([]);
    });
  }
});

describe('seeded training is reproducible', () => {
  it('the same seed trains to the identical network; another seed does not', () => {
    const train = (seed: number) => {
      const net = new ApaluNeuralNetwork({ hiddenLayers: [3], activation: 'apalu', seed, praxis: 'adam' });
      net.train(XOR, { iterations: 200, learningRate: 0.01 });
      return JSON.stringify(net.toJSON());
    };
    expect(train(11)).toBe(train(11));
    expect(train(11)).not.toBe(train(12));
  });

  for (const praxis of ['sgd', 'adam'] as const) {
    it(`trainAsync (${praxis}) reaches the same network as train, and test() scores it`, async () => {
      const learningRate = praxis === 'adam' ? 0.01 : 0.05;
      const sync = new ApaluNeuralNetwork({ hiddenLayers: [3], activation: 'apalu', seed: 4, praxis });
      const syncStatus = sync.train(XOR, { iterations: 3000, learningRate });
      const async = new ApaluNeuralNetwork({ hiddenLayers: [3], activation: 'apalu', seed: 4, praxis });
      const asyncStatus = await async.trainAsync(XOR, { iterations: 3000, learningRate });
      expect(syncStatus.error).toBeLessThanOrEqual(0.005);
      expect(asyncStatus).toEqual(syncStatus);
      expect(async.toJSON()).toEqual(sync.toJSON());
      expect((async.test(XOR) as { accuracy: number }).accuracy).toBe(1);
    });
  }
});

describe('brain.js activations are untouched', () => {
  for (const activation of ['sigmoid', 'relu', 'leaky-relu', 'tanh'] as const) {
    for (const praxis of [undefined, 'adam'] as const) {
      it(`${activation}${praxis ? ' + adam' : ''}: trains exactly like brain.NeuralNetwork from the same start`, () => {
        const start = new ApaluNeuralNetwork({ inputSize: 2, hiddenLayers: [3], outputSize: 1, activation, seed: 2, praxis });
        start.initialize();
        const json = start.toJSON();
        const ours = new ApaluNeuralNetwork().fromJSON(json);
        const theirs = new NeuralNetwork().fromJSON(json as never);
        const opts = { iterations: 100, learningRate: 0.05, errorThresh: 1e-9 };
        ours.train(XOR, opts);
        theirs.train(XOR, opts);
        expect(ours.toJSON()).toEqual(theirs.toJSON());
        expect(json.type).toBe('NeuralNetwork');
      });
    }
  }
});

describe('brain.js tools that take a network class', () => {
  it('CrossValidate trains and reloads APALU networks', () => {
    const data = [...XOR, ...XOR, ...XOR];
    const cv = new CrossValidate(() => new ApaluNeuralNetwork({ hiddenLayers: [3], activation: 'apalu', seed: 3, praxis: 'adam' }));
    // CrossValidate shuffles the data with Math.random; about 3 shuffles in 100 leave XOR
    // unlearnt in 500 iterations, so the shuffle is seeded here.
    const random = uniformSource(12, 0, 1);
    const spy = vi.spyOn(Math, 'random').mockImplementation(random);
    let stats: ReturnType<typeof cv.train>;
    try {
      stats = cv.train(data, { iterations: 500, learningRate: 0.01 }, 3);
    } finally {
      spy.mockRestore();
    }
    expect(stats.sets).toHaveLength(3);
    const best = cv.toNeuralNetwork() as ApaluNeuralNetwork;
    expect(best).toBeInstanceOf(ApaluNeuralNetwork);
    expect(best.apaluA[1]).toHaveLength(3);
    expect(Array.from(best.run([1, 0]) as Float32Array)[0]).toBeGreaterThan(0.5);
  });
});

describe('changing the activation in train()', () => {
  it('a sigmoid network trained on with activation apalu runs APALU (brain.js would keep sigmoid)', () => {
    const net = new ApaluNeuralNetwork({ hiddenLayers: [3], activation: 'sigmoid', seed: 8 });
    net.train(XOR, { iterations: 5, learningRate: 0.05 });
    net.train(XOR, { iterations: 5, learningRate: 0.05, activation: 'apalu' });
    const json = net.toJSON();
    expect(json.type).toBe('ApaluNeuralNetwork');
    const reloaded = new ApaluNeuralNetwork().fromJSON(json);
    expect(reloaded.run([1, 0])).toEqual(net.run([1, 0]));
    expect(net.preActivations[1]!.some((x) => x !== 0)).toBe(true);
  });
});
