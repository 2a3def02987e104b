import { ApaluInputError } from '@apalu/core';
import { describe, expect, it } from 'vitest';
import { ApaluNeuralNetwork, type ApaluNeuralNetworkJSON, type ApaluNeuralNetworkOptions } from '../src/index.js';
import { firstNonFiniteTyped } from '../src/divergence.js';
import { XOR } from './helpers.js';

// Targets of 1e12 with SGD (brain.js refuses learningRate ≥ 1, so this is how a valid
// call diverges): the first update multiplies the weights by ~1e11, the next forward pass
// overflows float32, and brain.js alone ends with every weight, a and b NaN.
const OPTIONS: ApaluNeuralNetworkOptions = { inputSize: 2, hiddenLayers: [4], outputSize: 1, activation: 'apalu', seed: 1 };
const HUGE = [
  { input: [0, 1], output: [1e12] },
  { input: [1, 1], output: [0] },
];

function allParams(net: ApaluNeuralNetwork): number[] {
  const values: number[] = [];
  for (let layer = 1; layer <= net.outputLayer; layer++) {
    for (const row of net.weights[layer]!) values.push(...row);
    values.push(...net.biases[layer]!, ...net.apaluA[layer]!, ...net.apaluB[layer]!);
  }
  return values;
}

function caught(fn: () => unknown): ApaluInputError & Record<string, unknown> {
  try {
    fn();
  } catch (error) {
    return error as ApaluInputError & Record<string, unknown>;
  }
  throw new Error('expected a throw, got a return');
}

/**
 * Calls trainPattern() until it throws, keeping the JSON from before every update (update k
 * of the error is counted from initialize()). Returns the error and those JSON texts.
 */
function trainUntilThrow(net: ApaluNeuralNetwork, datum: { input: Float32Array; output: Float32Array }): { error: ApaluInputError & Record<string, unknown>; before: string[]; iterations: number[] } {
  const before: string[] = [''];
  const iterations: number[] = [0];
  for (let k = 1; k <= 100; k++) {
    before.push(JSON.stringify(net.toJSON()));
    iterations.push(net.iterations);
    try {
      net.trainPattern(datum);
    } catch (error) {
      return { error: error as ApaluInputError & Record<string, unknown>, before, iterations };
    }
  }
  throw new Error('training did not diverge in 100 updates');
}

/** toJSON → JSON text → fromJSON in a new network; returns it after checking it runs the same. */
function roundTrip(net: ApaluNeuralNetwork, inputs: number[][]): ApaluNeuralNetwork {
  const text = JSON.stringify(net.toJSON());
  const loaded = new ApaluNeuralNetwork().fromJSON(JSON.parse(text) as ApaluNeuralNetworkJSON);
  for (const input of inputs) {
    const y = Array.from(net.run(input) as Float32Array);
    for (const v of y) expect(Number.isFinite(v)).toBe(true);
    expect(Array.from(loaded.run(input) as Float32Array)).toEqual(y);
  }
  return loaded;
}

describe('training that diverges stops with the weights from before the bad update', () => {
  it('sgd: train() throws E_DIVERGED naming layer, iteration, update and learning rate; nothing is NaN', () => {
    const net = new ApaluNeuralNetwork(OPTIONS);
    const before = new ApaluNeuralNetwork(OPTIONS);
    before.initialize(); // the same seeded weights train() starts from
    const error = caught(() => net.train(HUGE, { iterations: 200, learningRate: 0.5, errorThresh: 1e-9 }));
    expect(error).toBeInstanceOf(ApaluInputError);
    expect(error.name).toBe('ApaluTrainingError');
    expect(error.code).toBe('E_DIVERGED');
    expect(error.message).toMatch(/^training diverged at iteration 1, pattern 1 \(update 1 of this train\(\) call\): layer [12]'s /);
    expect(error.message).toMatch(/learningRate 0\.5 is too high for this data \(exploding gradients, praxis 'sgd'\)/);
    expect(error.message).toMatch(/keeps its weights, biases, a and b from before that update/);
    expect({ iteration: error.iteration, step: error.step, pattern: error.pattern, restored: error.restored, learningRate: error.learningRate }).toEqual({
      iteration: 1,
      step: 1,
      pattern: 1,
      restored: true,
      learningRate: 0.5,
    });
    for (const v of allParams(net)) expect(Number.isFinite(v)).toBe(true);
    // Update 1 was undone: the network is exactly as it was before training.
    expect(net.toJSON().layers).toEqual(before.toJSON().layers);
    roundTrip(net, HUGE.map((d) => d.input));
  });

  it('sgd, weights written past float32 by one update: that update is undone bit for bit', () => {
    const net = new ApaluNeuralNetwork(OPTIONS);
    net.initialize();
    // brain.js refuses learningRate ≥ 1 in train(); set on the options directly it reaches
    // trainPattern(), as a fuzz campaign did with 100.
    net.trainOpts.learningRate = 100;
    net.trainOpts.momentum = 0.9;
    const { error, before } = trainUntilThrow(net, { input: Float32Array.from([1, 1]), output: Float32Array.from([3e37]) });
    expect(error.code).toBe('E_DIVERGED');
    expect(error.message).toMatch(/^training diverged at update \d+ \(trainPattern\(\)\/adjustWeights\(\) called outside train\(\)\)/);
    expect(error.message).toMatch(/learningRate 100 is too high/);
    expect(error.restored).toBe(true);
    for (const v of allParams(net)) expect(Number.isFinite(v)).toBe(true);
    expect(JSON.stringify(net.toJSON())).toBe(before[error.step as number]);
  });

  it('adam: an update that would write ±∞ is undone (iteration counter too)', () => {
    const net = new ApaluNeuralNetwork({ ...OPTIONS, praxis: 'adam' });
    net.initialize();
    net.trainOpts.learningRate = 1e38; // Adam moves each weight by about learningRate per update
    const { error, before, iterations } = trainUntilThrow(net, { input: Float32Array.from([1, 0]), output: Float32Array.from([1]) });
    expect(error.code).toBe('E_DIVERGED');
    expect(error.praxis).toBe('adam');
    expect(error.message).toMatch(/learningRate 1e\+38 is too high/);
    expect(JSON.stringify(net.toJSON())).toBe(before[error.step as number]);
    expect(net.iterations).toBe(iterations[error.step as number]);
    for (const v of allParams(net)) expect(Number.isFinite(v)).toBe(true);
  });

  it('trainAsync rejects with the same error (no uncaught exception from its timer)', async () => {
    const net = new ApaluNeuralNetwork(OPTIONS);
    await expect(net.trainAsync(HUGE, { iterations: 200, learningRate: 0.5, errorThresh: 1e-9 })).rejects.toMatchObject({ code: 'E_DIVERGED', restored: true });
    for (const v of allParams(net)) expect(Number.isFinite(v)).toBe(true);
    roundTrip(net, HUGE.map((d) => d.input));
    // and it trains normally afterwards
    const status = await net.trainAsync(XOR, { iterations: 50, learningRate: 0.3 });
    expect(Number.isFinite(status.error)).toBe(true);
  });

  it('a network whose current weights already overflow on the data is refused without change', () => {
    const net = new ApaluNeuralNetwork(OPTIONS);
    net.initialize();
    // Weights of 1e30 on inputs of 1e10: every hidden sum is 2e40, past float32's 3.4e38.
    net.weights[1]![0]!.fill(1e30);
    const before = JSON.stringify(net.toJSON().layers);
    const error = caught(() => net.train([{ input: [1e10, 1e10], output: [0] }], { iterations: 5 }));
    expect(error.code).toBe('E_DIVERGED');
    expect(error.restored).toBe(false);
    expect(error.message).toMatch(/Nothing was changed/);
    expect(error.message).toMatch(/layer 1's outputs\[0\] is Infinity for this pattern/);
    expect(JSON.stringify(net.toJSON().layers)).toBe(before);
  });

  it('non-finite training data is E_DATA, naming the value', () => {
    const net = new ApaluNeuralNetwork(OPTIONS);
    const error = caught(() => net.train([{ input: [0, NaN], output: [1] }], { iterations: 5 }));
    expect(error.code).toBe('E_DATA');
    expect(error.message).toMatch(/input\[1\] = NaN/);
    for (const v of allParams(net)) expect(Number.isFinite(v)).toBe(true);
  });
});

describe('toJSON() only writes JSON that fromJSON() loads', () => {
  it('a trained network and a diverged-then-stopped one round-trip through JSON text', () => {
    const trained = new ApaluNeuralNetwork({ hiddenLayers: [3], activation: 'apalu', seed: 11 });
    trained.train(XOR, { iterations: 300, learningRate: 0.3 });
    roundTrip(trained, XOR.map((d) => d.input));

    const stopped = new ApaluNeuralNetwork(OPTIONS);
    expect(() => stopped.train(HUGE, { iterations: 200, learningRate: 0.5, errorThresh: 1e-9 })).toThrow(/training diverged/);
    const loaded = roundTrip(stopped, HUGE.map((d) => d.input));
    // and the loaded copy serialises the same again
    expect(JSON.stringify(loaded.toJSON())).toBe(JSON.stringify(stopped.toJSON()));
  });

  it('a weight or a set to NaN by hand: toJSON() refuses (E_STATE) instead of writing what fromJSON() refuses', () => {
    const net = new ApaluNeuralNetwork(OPTIONS);
    net.initialize();
    net.weights[1]![2]![1] = NaN;
    expect(() => net.toJSON()).toThrow(/layer 1's weights\[2\]\[1\] = NaN/);
    net.weights[1]![2]![1] = 0.1;
    net.apaluA[2]![0] = Infinity;
    expect(caught(() => net.toJSON()).code).toBe('E_STATE');
  });

  it('fromJSON() refuses non-finite weights and biases (E_JSON)', () => {
    const net = new ApaluNeuralNetwork(OPTIONS);
    net.initialize();
    const json = net.toJSON();
    json.layers[1]!.weights[0]![1] = Infinity;
    expect(caught(() => new ApaluNeuralNetwork().fromJSON(json)).message).toMatch(/layers\[1\]\.weights\[0\]\[1\] = Infinity/);
    const json2 = net.toJSON();
    json2.layers[2]!.biases[0] = NaN;
    expect(caught(() => new ApaluNeuralNetwork().fromJSON(json2)).code).toBe('E_JSON');
  });
});

describe('firstNonFiniteTyped (the per-update check)', () => {
  it('finds ±∞ and NaN and nothing else, in Float32Array and Float64Array', () => {
    const finite = [0, -0, 1e-45, -1e-45, 3.4028234663852886e38, -3.4028234663852886e38, 1, -2.5];
    for (const Type of [Float32Array, Float64Array]) {
      expect(firstNonFiniteTyped(Type.from(finite))).toBe(-1);
      expect(firstNonFiniteTyped(new Type(0))).toBe(-1);
      for (const bad of [Infinity, -Infinity, NaN]) {
        const values = Type.from([...finite, bad, 1]);
        expect(firstNonFiniteTyped(values)).toBe(finite.length);
      }
    }
  });
});
