import vm from 'node:vm';
import { ApaluInputError, apalu } from '@apalu/core';
import { NeuralNetwork } from 'brain.js';
import { describe, expect, it } from 'vitest';
import { APALU_JSON_ACTIVATION, APALU_SOURCE, ApaluNeuralNetwork, assertPlainBrainNetwork, isApaluNetworkJSON, loadNeuralNetwork } from '../src/index.js';
import { XOR, uniformSource } from './helpers.js';

function trained(praxis: 'sgd' | 'adam' = 'adam') {
  const net = new ApaluNeuralNetwork({ hiddenLayers: [4, 3], activation: 'apalu', seed: 21, praxis, apalu: { a: { min: 0, max: 2 }, b: { min: 0, max: 2 } } });
  net.train(XOR, { iterations: 150, learningRate: praxis === 'adam' ? 0.01 : 0.05 });
  return net;
}

const COLORS = [
  { input: { r: 0.03, g: 0.7, b: 0.5 }, output: { black: 1 } },
  { input: { r: 0.16, g: 0.09, b: 0.2 }, output: { white: 1 } },
  { input: { r: 0.5, g: 0.5, b: 1.0 }, output: { white: 1 } },
];

function probeInputs(n: number): number[][] {
  const rand = uniformSource(77, -3, 3);
  return Array.from({ length: n }, () => [rand(), rand()]);
}

describe('toJSON / fromJSON', () => {
  for (const praxis of ['sgd', 'adam'] as const) {
    it(`${praxis}: round-trips exactly through JSON text (a and b included)`, () => {
      const net = trained(praxis);
      const text = JSON.stringify(net.toJSON());
      const json = JSON.parse(text);
      expect(json.type).toBe('ApaluNeuralNetwork');
      expect(json.trainOpts.activation).toBe(APALU_JSON_ACTIVATION);
      expect(json.layers[1].a).toHaveLength(4);
      expect(json.layers[2].b).toHaveLength(3);
      const copy = new ApaluNeuralNetwork().fromJSON(json);
      expect(JSON.stringify(copy.toJSON())).toBe(text);
      for (let l = 1; l <= net.outputLayer; l++) {
        expect(copy.apaluA[l]).toEqual(net.apaluA[l]);
        expect(copy.apaluB[l]).toEqual(net.apaluB[l]);
      }
      for (const x of probeInputs(50)) expect(copy.run(x)).toEqual(net.run(x));
    });
  }

  it('keeps input and output lookups', () => {
    const net = new ApaluNeuralNetwork({ hiddenLayers: [3], activation: 'apalu', seed: 1 });
    net.train(COLORS, { iterations: 50, learningRate: 0.05 });
    const copy = new ApaluNeuralNetwork().fromJSON(JSON.parse(JSON.stringify(net.toJSON())));
    expect(copy.run({ r: 1, g: 0.4, b: 0 })).toEqual(net.run({ r: 1, g: 0.4, b: 0 }));
    expect(Object.keys(copy.run({ r: 1 }) as object).sort()).toEqual(['black', 'white']);
  });

  it('a loaded network keeps training', () => {
    const net = new ApaluNeuralNetwork().fromJSON(JSON.parse(JSON.stringify(trained('sgd').toJSON())));
    const status = net.train(XOR, { iterations: 3000, learningRate: 0.05 });
    expect(status.error).toBeLessThanOrEqual(0.005);
  });

  it('rejects bad a or b before changing anything, naming the value', () => {
    const json = JSON.parse(JSON.stringify(trained().toJSON()));
    const target = trained('sgd');
    const before = JSON.stringify(target.toJSON());
    json.layers[2].b[1] = -0.5;
    expect(() => target.fromJSON(json)).toThrow(ApaluInputError);
    expect(() => target.fromJSON(json)).toThrow('layers[2].b[1] = -0.5');
    json.layers[2].b[1] = 1;
    json.layers[1].a = json.layers[1].a.slice(1);
    expect(() => target.fromJSON(json)).toThrow('layers[1] needs arrays a and b of length sizes[1] = 4');
    expect(JSON.stringify(target.toJSON())).toBe(before);
  });
});

describe('a plain brain.NeuralNetwork is told which class to use', () => {
  it('fromJSON on APALU JSON: brain.js’s own error names ApaluNeuralNetwork', () => {
    const json = JSON.parse(JSON.stringify(trained().toJSON()));
    expect(() => new NeuralNetwork().fromJSON(json)).toThrow(/ApaluNeuralNetwork from @apalu\/brain/);
  });

  it("options { activation: 'apalu' }: brain.js rejects them (its message only quotes 'apalu'); assertPlainBrainNetwork names the class", () => {
    expect(() => new NeuralNetwork({ activation: 'apalu' } as never)).toThrow('[activation, apalu]');
    expect(() => assertPlainBrainNetwork({ activation: 'apalu' })).toThrow(/new ApaluNeuralNetwork\(\)\.fromJSON\(json\)/);
    expect(() => assertPlainBrainNetwork(trained().toJSON())).toThrow(ApaluInputError);
    const plain = new NeuralNetwork({ hiddenLayers: [2] });
    plain.train(XOR, { iterations: 1 });
    expect(() => assertPlainBrainNetwork(plain.toJSON())).not.toThrow();
  });

  it("JSON of a non-APALU ApaluNeuralNetwork (praxis 'sgd' included) loads in brain.NeuralNetwork", () => {
    const net = new ApaluNeuralNetwork({ hiddenLayers: [3], activation: 'tanh', praxis: 'sgd', seed: 2 });
    net.train(XOR, { iterations: 20, praxis: 'sgd' });
    const json = JSON.parse(JSON.stringify(net.toJSON()));
    expect(isApaluNetworkJSON(json)).toBe(false);
    const plain = new NeuralNetwork().fromJSON(json);
    expect(plain.run([0, 1])).toEqual(net.run([0, 1]));
  });

  it('loadNeuralNetwork picks the class from the JSON', () => {
    const apaluJSON = trained().toJSON();
    expect(isApaluNetworkJSON(apaluJSON)).toBe(true);
    expect(loadNeuralNetwork(apaluJSON)).toBeInstanceOf(ApaluNeuralNetwork);
    const plain = new NeuralNetwork({ hiddenLayers: [3] });
    plain.train(XOR, { iterations: 10 });
    const loaded = loadNeuralNetwork(plain.toJSON());
    expect(loaded).not.toBeInstanceOf(ApaluNeuralNetwork);
    expect(loaded.run([0, 1])).toEqual(plain.run([0, 1]));
  });
});

describe('toFunction()', () => {
  it('APALU_SOURCE is @apalu/core’s apalu, bit for bit', () => {
    const f = vm.runInNewContext(`(${APALU_SOURCE})`) as (x: number, a: number, b: number) => number;
    const rand = uniformSource(5, -40, 40);
    const xs = [0, -0, 1e-45, -1e-45, 1e-8, -1e-8, 0.5, -0.5, 20, -20, 89, 1e4, -1e4, 3e38, -3e38, Infinity, -Infinity, NaN];
    for (let i = 0; i < 2000; i++) xs.push(rand());
    for (const [a, b] of [[1, 1], [0.25, 1.7], [1.9, 0.01]] as const) {
      for (const x of xs) expect(Object.is(f(x, a, b), apalu(x, a, b)), `x = ${x}`).toBe(true);
    }
  });

  it('equals run() bit for bit and stands alone (evaluated in an empty context)', () => {
    const net = trained();
    const fn = net.toFunction();
    const standalone = vm.runInNewContext(`(${fn.toString()})`) as (input: number[]) => number[];
    for (const x of probeInputs(200)) {
      const expected = Array.from(net.run(x) as Float32Array);
      expect(fn(x)).toEqual(expected);
      expect(standalone(x)).toEqual(expected);
    }
  });

  it('keeps lookups and accepts a source callback', () => {
    const net = new ApaluNeuralNetwork({ hiddenLayers: [3], activation: 'apalu', seed: 1 });
    net.train(COLORS, { iterations: 50, learningRate: 0.05 });
    let seen = '';
    const fn = net.toFunction((src) => ((seen = src), src));
    expect(seen).toContain('function apalu');
    for (const c of COLORS) expect(fn(c.input)).toEqual(net.run(c.input));
  });
});

describe('options are checked early', () => {
  it.each([
    [{ activation: 'swish' }, "activation = \"swish\": ApaluNeuralNetwork runs 'apalu', 'sigmoid'"],
    [{ praxis: 'rmsprop' }, 'praxis = "rmsprop"'],
    [{ seed: 1.5 }, 'seed = 1.5'],
    [{ apalu: { a: -1 } }, 'constant(-1)'],
    [{ apalu: { b: { min: 2, max: 1 } } }, 'uniform(2, 1)'],
    [{ apalu: { a: 'big' } }, 'apalu.a = "big"'],
    [{ apalu: { minParam: 0 } }, 'apalu.minParam = 0'],
    [{ learningRate: 3 }, '[learningRate, 3]'],
  ])('%j', (options, message) => {
    expect(() => new ApaluNeuralNetwork(options as never)).toThrow(message);
  });

  it('an unknown activation passed to train() is rejected too', () => {
    const net = new ApaluNeuralNetwork({ activation: 'apalu' });
    expect(() => net.train(XOR, { activation: 'gelu' } as never)).toThrow(ApaluInputError);
  });
});
