import { ApaluInputError } from '@apalu/core';
import { NeuralNetwork } from 'brain.js';
import { describe, expect, it } from 'vitest';
import { ApaluNeuralNetwork, DEFAULT_MIN_PARAM, DEFAULT_PARAM_INIT, loadNeuralNetwork } from '../src/index.js';
import { XOR } from './helpers.js';

const PROBES = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
  [0.3, -2],
  [5, 5],
];

function trainedXor() {
  const net = new ApaluNeuralNetwork({ hiddenLayers: [3], activation: 'apalu', seed: 1 });
  net.train(XOR, { iterations: 3000, learningRate: 0.05 });
  return net;
}

function outputs(net: { run(input: number[]): unknown }): number[][] {
  return PROBES.map((x) => Array.from(net.run(x) as Float32Array));
}

/** Expects `f` to throw an ApaluInputError whose message contains every one of `parts`. */
function expectInputError(f: () => unknown, ...parts: string[]): void {
  let thrown: unknown;
  try {
    f();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ApaluInputError);
  for (const part of parts) expect((thrown as Error).message).toContain(part);
}

describe('a, b and minParam are checked as the float32 they are stored in', () => {
  it('a constant a that rounds to 0 or a b that rounds to ∞ in float32 is refused, naming the value', () => {
    expectInputError(() => new ApaluNeuralNetwork({ activation: 'apalu', apalu: { a: 1e-50 } }), 'apalu.a = 1e-50 rounds to 0 as a float32', 'e.g. 1');
    expectInputError(() => new ApaluNeuralNetwork({ activation: 'apalu', apalu: { b: 1e39 } }), 'apalu.b = 1e+39 rounds to Infinity as a float32');
    // A float32 subnormal is still > 0, so it is accepted and stored as its float32 value.
    const tiny = new ApaluNeuralNetwork({ inputSize: 2, hiddenLayers: [2], outputSize: 1, activation: 'apalu', seed: 1, apalu: { a: 1e-40 } });
    tiny.initialize();
    expect(Array.from(tiny.apaluA[1]!)).toEqual([Math.fround(1e-40), Math.fround(1e-40)]);
    // The network's own JSON with that a reloads (fromJSON applies the same rule) and runs the same.
    const copy = new ApaluNeuralNetwork().fromJSON(JSON.parse(JSON.stringify(tiny.toJSON())));
    expect(Array.from(copy.apaluA[1]!)).toEqual([Math.fround(1e-40), Math.fround(1e-40)]);
    expect(outputs(copy)).toEqual(outputs(tiny));
  });

  it('a range whose max is outside the normal float32 range is refused (it drew NaN or ∞)', () => {
    expectInputError(() => new ApaluNeuralNetwork({ activation: 'apalu', apalu: { a: { min: 0, max: 1e-50 } } }), 'apalu.a = {"min":0,"max":1e-50}: max must lie in [2^-126');
    expectInputError(() => new ApaluNeuralNetwork({ activation: 'apalu', apalu: { b: { min: 0, max: 1e39 } } }), 'apalu.b = {"min":0,"max":1e+39}');
  });

  it('minParam must lie in [2^-126, 3.4e38]: 1e-50 would round to 0 in the float32 clamp', () => {
    expectInputError(() => new ApaluNeuralNetwork({ activation: 'apalu', apalu: { minParam: 1e-50 } }), 'apalu.minParam = 1e-50', '2^-126', 'e.g. 1e-3');
    expectInputError(() => new ApaluNeuralNetwork({ activation: 'apalu', apalu: { minParam: 1e39 } }), 'apalu.minParam = 1e+39');
    const least = new ApaluNeuralNetwork({ inputSize: 2, outputSize: 1, activation: 'apalu', apalu: { minParam: 2 ** -126 } });
    least.initialize();
    expect(least.apaluOptions.minParam).toBe(2 ** -126);
  });

  it('at minParam = 2^-126 the clamp keeps a and b > 0 and the network’s own JSON reloads', () => {
    const net = new ApaluNeuralNetwork({ hiddenLayers: [4], activation: 'apalu', seed: 5, apalu: { a: 0.01, b: 0.01, minParam: 2 ** -126 } });
    // Targets far below anything reachable push every a and b down at a large rate.
    net.train(
      XOR.map((d) => ({ input: d.input, output: [-50] })),
      { iterations: 20, learningRate: 0.9, errorThresh: 1e-9 },
    );
    const params = [...net.apaluA.slice(1), ...net.apaluB.slice(1)].flatMap((p) => Array.from(p));
    expect(Math.min(...params)).toBe(2 ** -126);
    const copy = new ApaluNeuralNetwork().fromJSON(JSON.parse(JSON.stringify(net.toJSON())));
    expect(outputs(copy)).toEqual(outputs(net));
  });

  it('fromJSON refuses a = 1e-50 (0 as float32) and b = 1e39 (∞) and keeps the network', () => {
    const net = trainedXor();
    const text = JSON.stringify(net.toJSON());
    const before = outputs(net);
    const tinyA = JSON.parse(text);
    tinyA.layers[1].a[0] = 1e-50;
    expectInputError(() => net.fromJSON(tinyA), 'fromJSON: layers[1].a[0] = 1e-50 rounds to 0 as a float32');
    const hugeB = JSON.parse(text);
    hugeB.layers[2].b[0] = 1e39;
    expectInputError(() => net.fromJSON(hugeB), 'fromJSON: layers[2].b[0] = 1e+39 rounds to Infinity as a float32');
    expect(outputs(net)).toEqual(before);
    expect(JSON.stringify(net.toJSON())).toBe(text);
  });
});

describe('a failed fromJSON leaves the network as it was', () => {
  const breakers: [string, (json: any) => void, string][] = [
    ['a missing weights row set', (j) => delete j.layers[2].weights, 'fromJSON: layers[2].weights needs sizes[2] = 1 rows (got undefined)'],
    ['a weights row too short', (j) => (j.layers[1].weights[0] = [0.5]), 'fromJSON: layers[1].weights[0] needs sizes[0] = 2 numbers (got length 1)'],
    ['too few weights rows', (j) => (j.layers[1].weights = j.layers[1].weights.slice(0, 2)), 'fromJSON: layers[1].weights needs sizes[1] = 3 rows (got length 2)'],
    ['biases that are not numbers', (j) => (j.layers[2].biases = 'x'), "fromJSON: layers[2].biases needs sizes[2] = 1 numbers (got 'x')"],
    ['sizes that do not match the layers', (j) => (j.sizes = [2, 3, 1, 1]), 'fromJSON: layers has 3 entries but sizes has 4'],
    ['a misspelt option in options.apalu', (j) => (j.options.apalu = { minparam: 0.1 }), 'fromJSON: options.apalu.minparam: unknown option'],
    ['an unknown activation', (j) => (j.trainOpts.activation = 'swish'), 'fromJSON: trainOpts.activation = "swish"'],
  ];
  for (const [what, spoil, message] of breakers) {
    it(`${what}: ApaluInputError naming the field; run() output unchanged`, () => {
      const net = trainedXor();
      const text = JSON.stringify(net.toJSON());
      const before = outputs(net);
      const json = JSON.parse(text);
      spoil(json);
      expectInputError(() => net.fromJSON(json), message);
      expect(outputs(net)).toEqual(before);
      expect(JSON.stringify(net.toJSON())).toBe(text);
      // and it still trains where it left off
      expect(net.train(XOR, { iterations: 1, learningRate: 0.05 }).error).toBeLessThan(0.01);
    });
  }

  it('a value brain.js itself refuses (trainOpts.learningRate = 5) also leaves it unchanged', () => {
    const net = trainedXor();
    const text = JSON.stringify(net.toJSON());
    const before = outputs(net);
    const json = JSON.parse(text);
    json.trainOpts.learningRate = 5;
    json.options.hiddenLayers = [7];
    expect(() => net.fromJSON(json)).toThrow('[learningRate, 5]');
    expect(outputs(net)).toEqual(before);
    expect(JSON.stringify(net.toJSON())).toBe(text);
    expect(net.options).toEqual(JSON.parse(text).options);
  });
});

describe('JSON without trainOpts loads, as in brain.js', () => {
  it('plain brain.js NeuralNetwork JSON with trainOpts deleted runs as brain.js runs it', () => {
    const brain = new NeuralNetwork({ hiddenLayers: [2] });
    brain.train(XOR, { iterations: 200 });
    const json = JSON.parse(JSON.stringify(brain.toJSON()));
    delete json.trainOpts;
    const theirs = new NeuralNetwork().fromJSON(json);
    const ours = new ApaluNeuralNetwork().fromJSON(json);
    expect(ours.trainOpts.activation).toBe('sigmoid');
    expect(outputs(ours)).toEqual(outputs(theirs));
    expect(outputs(loadNeuralNetwork(json))).toEqual(outputs(theirs));
  });

  it('APALU JSON without trainOpts loads into a network built with activation apalu', () => {
    const net = trainedXor();
    const json = JSON.parse(JSON.stringify(net.toJSON()));
    delete json.trainOpts;
    const copy = new ApaluNeuralNetwork({ activation: 'apalu' }).fromJSON(json);
    expect(outputs(copy)).toEqual(outputs(net));
  });
});

describe('misspelt or misplaced options are refused, not ignored', () => {
  it.each([
    [{ apalu: { min: 0, max: 2 } }, ['apalu.min: unknown option', 'apalu takes a, b, minParam, trainable', 'apalu: { a: { min: 0, max: 2 }']],
    [{ apalu: { minparam: 0.1 } }, ['apalu.minparam: unknown option (did you mean minParam?)', 'a, b, minParam, trainable']],
    [{ apalu: { a: null } }, ['apalu.a = null', 'leave apalu.a out for the default']],
    [{ apalu: { minParam: null } }, ['apalu.minParam = null']],
    [{ apalu: [] }, ['apalu = []', 'a, b, minParam, trainable']],
    [{ apalu: null }, ['apalu = null']],
    [{ apalu: { a: { min: 0, max: 2, seed: 3 } } }, ['unknown key apalu.a.seed']],
    [{ minParam: 1e-4 }, ["options.minParam: APALU's minParam goes under apalu", 'apalu: { minParam: 0.0001 }']],
    [{ apalu: { b: { min: 1, max: 0 } } }, ['apalu.b = {"min":1,"max":0}: uniform(1, 0)']],
    [{ seed: 2 ** 60 }, ['seed = 1152921504606847000', 'safe integer (≤ 2^53 − 1']],
  ])('%j', (options, parts) => {
    expectInputError(() => new ApaluNeuralNetwork({ activation: 'apalu', ...options } as never), ...parts);
  });

  it('a key given as undefined still means the default', () => {
    const net = new ApaluNeuralNetwork({ inputSize: 2, outputSize: 1, activation: 'apalu', apalu: { a: undefined, b: undefined, minParam: undefined, trainable: undefined } });
    net.initialize();
    expect(net.apaluOptions).toEqual({ a: DEFAULT_PARAM_INIT, b: DEFAULT_PARAM_INIT, minParam: DEFAULT_MIN_PARAM, trainable: true });
  });
});
