import { ApaluInputError, constant, uniform } from '@apalu/core';
import { constraints, initializers, input, layers, loadLayersModel, model as functional, regularizers, sequential } from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { Apalu, apaluLayer, registerApalu } from '../src/node.js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel, saveModel } from './node-files.js';
import { saveToMemory } from './save.js';
import { tf, use } from './tf.js';

describe('Apalu layer', () => {
  it('has weights a and b shaped like PReLU alpha, in that order, after Dense and after Conv2D', async () => {
    await use('cpu');
    const dense = sequential({ layers: [layers.dense({ units: 6, inputShape: [4] }), apaluLayer()] });
    const act = dense.layers[1] as Apalu;
    expect(act.getClassName()).toBe('Apalu');
    expect(act.weights.map((w) => w.originalName.split('/').pop())).toEqual(['a', 'b']);
    expect(act.weights.map((w) => w.shape)).toEqual([[6], [6]]);

    const conv = sequential({
      layers: [layers.conv2d({ filters: 5, kernelSize: 3, inputShape: [8, 8, 2], padding: 'same' }), apaluLayer({ sharedAxes: [1, 2] })],
    });
    const prelu = sequential({
      layers: [layers.conv2d({ filters: 5, kernelSize: 3, inputShape: [8, 8, 2], padding: 'same' }), layers.prelu({ sharedAxes: [1, 2] })],
    });
    expect(conv.layers[1]!.weights.map((w) => w.shape)).toEqual([prelu.layers[1]!.weights[0]!.shape, prelu.layers[1]!.weights[0]!.shape]);
    expect(conv.layers[1]!.weights[0]!.shape).toEqual([1, 1, 5]);
  });

  it('initialises a and b from the paper’s seeded uniform(0, 2), and from tfjs or @apalu/core initializers', async () => {
    await use('cpu');
    const m = sequential({ layers: [layers.dense({ units: 3, inputShape: [2] }), new Apalu()] });
    const [a, b] = m.layers[1]!.getWeights().map((t) => Array.from(t.dataSync()));
    expect(a).toEqual(Array.from(uniform(0, 2, 0)(3)));
    expect(b).toEqual(Array.from(uniform(0, 2, 1)(3)));
    const n = sequential({
      layers: [layers.dense({ units: 3, inputShape: [2] }), new Apalu({ aInitializer: initializers.constant({ value: 0.5 }), bInitializer: constant(1.25) })],
    });
    const [a2, b2] = n.layers[1]!.getWeights().map((t) => Array.from(t.dataSync()));
    expect(a2).toEqual([0.5, 0.5, 0.5]);
    expect(b2).toEqual([1.25, 1.25, 1.25]);
  });

  it('computes the op in Sequential and functional models', async () => {
    await use('cpu');
    const inp = input({ shape: [3] });
    const out = new Apalu({ aInitializer: 'ones', bInitializer: 'ones' }).apply(inp) as ReturnType<typeof input>;
    const m = functional({ inputs: inp, outputs: out });
    const y = (m.predict(tf.tensor2d([[-1, 0, 2]])) as tf.Tensor).dataSync();
    expect(y[0]).toBeCloseTo(Math.expm1(-1), 6);
    expect(y[1]).toBe(0);
    expect(y[2]).toBeCloseTo(2 * (1 + 1 / (1 + Math.exp(-1.702 * 2))), 6);
  });

  it('floors the initial a and b at minParam, so an untrained model predicts the same after save and load', async () => {
    await use('cpu');
    const m = sequential({ layers: [layers.dense({ units: 3, inputShape: [2], kernelInitializer: 'ones' }), new Apalu({ minParam: 0.5, aInitializer: constant(0.1) })] });
    expect(Array.from((m.layers[1]!.getWeights()[0] as tf.Tensor).dataSync())).toEqual([0.5, 0.5, 0.5]);
    const x = tf.tensor2d([[1, 2]]);
    const before = Array.from((m.predict(x) as tf.Tensor).dataSync());
    registerApalu();
    const loaded = await loadLayersModel((await saveToMemory(m)).handler);
    expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(before);
  });

  it('applies a constraint once per write (setWeights, loading), as tf.layers.prelu does', async () => {
    await use('cpu');
    const c = () => constraints.minMaxNorm({ minValue: 0, maxValue: 1, rate: 0.5, axis: 0 });
    const layer = new Apalu({ aConstraint: c() });
    layer.build([null, 2]);
    const prelu = layers.prelu({ alphaConstraint: c() });
    prelu.build([null, 2]);
    const w = tf.tensor1d([3, 4]);
    layer.setWeights([w, tf.ones([2])]);
    prelu.setWeights([w]);
    const once = Array.from(c().apply(w).dataSync());
    expect(Array.from((layer.getWeights()[0] as tf.Tensor).dataSync())).toEqual(once);
    expect(Array.from((prelu.getWeights()[0] as tf.Tensor).dataSync())).toEqual(once);
  });

  it('round-trips toJSON / loadLayersModel exactly, config and predictions', async () => {
    await use('cpu');
    const m = sequential({
      layers: [
        layers.conv2d({ filters: 4, kernelSize: 3, inputShape: [6, 6, 1] }),
        new Apalu({
          sharedAxes: [1, 2],
          aRegularizer: regularizers.l2({ l2: 1e-3 }),
          bConstraint: constraints.nonNeg(),
          aInitializer: uniform(0.5, 1.5, 7),
          minParam: 1e-2,
          precision: 'fast',
        }),
        layers.flatten(),
        layers.dense({ units: 2 }),
        new Apalu({ aInitializer: 'ones', bInitializer: initializers.randomUniform({ minval: 0.5, maxval: 1, seed: 3 }) }),
      ],
    });
    const x = tf.randomNormal([3, 6, 6, 1], 0, 1, 'float32', 9);
    const before = (m.predict(x) as tf.Tensor).dataSync();
    const { artifacts, handler } = await saveToMemory(m);
    registerApalu();
    const loaded = await loadLayersModel(handler);
    expect(loaded.layers[1]!.getConfig()).toEqual(m.layers[1]!.getConfig());
    expect(loaded.layers[4]!.getConfig()).toEqual(m.layers[4]!.getConfig());
    expect(JSON.stringify(loaded.toJSON(null, false))).toBe(JSON.stringify(m.toJSON(null, false)));
    expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from(before));
    const layerJson = JSON.stringify((artifacts.modelTopology as { config: { layers: unknown[] } }).config.layers[1]);
    expect(layerJson).toContain('"class_name":"Apalu"');
    expect(layerJson).toContain('"a_initializer":{"class_name":"ApaluInitializer","config":{"name":"uniform","min":0.5,"max":1.5,"seed":7}}');
    expect(layerJson).toContain('"shared_axes":[1,2]');
    expect(layerJson).toContain('"precision":"fast"');
    expect((loaded.layers[1] as Apalu).precision).toBe('fast');
    expect((loaded.layers[4] as Apalu).precision).toBe('strict');
    // MaxNorm rescales by norm / (norm + 1e-7) on every write, loading included (stock tfjs
    // layers do the same), so only its configuration round-trips bit for bit.
    const withMaxNorm = new Apalu({ aConstraint: constraints.maxNorm({ maxValue: 3, axis: 0 }), bRegularizer: 'l1l2' });
    expect(new Apalu(JSON.parse(JSON.stringify(withMaxNorm.getConfig()))).getConfig()).toEqual(withMaxNorm.getConfig());
  });

  it('saves to a directory and loads back with the README route (model.json + weights.bin)', async () => {
    await use('cpu');
    const m = sequential({ layers: [layers.dense({ units: 5, inputShape: [3] }), new Apalu({ sharedAxes: 1 })] });
    const x = tf.randomNormal([4, 3], 0, 2, 'float32', 8);
    const dir = join(await mkdtemp(join(tmpdir(), 'apalu-tfjs-')), 'model');
    await saveModel(m, dir);
    const loaded = await loadModel(dir);
    expect(loaded.layers[1]!.getWeights()[0]!.shape).toEqual([1]);
    expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((m.predict(x) as tf.Tensor).dataSync()));
  });

  it('predicts the same on wasm as on cpu after save and load (composed tolerance)', async () => {
    await use('cpu');
    const m = sequential({ layers: [layers.dense({ units: 16, inputShape: [8] }), new Apalu(), layers.dense({ units: 4 }), new Apalu()] });
    const x = tf.randomNormal([32, 8], 0, 2, 'float32', 4);
    const onCpu = (m.predict(x) as tf.Tensor).dataSync();
    const xs = x.dataSync();
    const { handler } = await saveToMemory(m);
    await use('wasm');
    const loaded = await loadLayersModel(handler);
    const onWasm = (loaded.predict(tf.tensor(xs, [32, 8])) as tf.Tensor).dataSync();
    for (let i = 0; i < onCpu.length; i++) {
      expect(Math.abs((onWasm[i] as number) - (onCpu[i] as number))).toBeLessThanOrEqual(Math.max(5e-6, 1e-5 * Math.abs(onCpu[i] as number)));
    }
  });

  it.each([
    ['a sharedAxes axis beyond the input rank', () => sequential({ layers: [layers.dense({ units: 3, inputShape: [2] }), new Apalu({ sharedAxes: [2] })] }), /sharedAxes contains 2 but the input has rank 2/],
    ['sharedAxes 0 (the batch axis)', () => new Apalu({ sharedAxes: 0 }), /sharedAxes = 0/],
    ['a non-integer sharedAxes', () => new Apalu({ sharedAxes: [1.5] }), /sharedAxes = \[1.5\]/],
    ['an int32 input', () => new Apalu().apply(input({ shape: [3], dtype: 'int32' })), /int32 input/],
    ['a float16-like layer dtype', () => new Apalu({ dtype: 'int32' }), /dtype = 'int32'/],
    ['minParam 0', () => new Apalu({ minParam: 0 }), /minParam = 0/],
    ['minParam 0 as float32', () => new Apalu({ minParam: 1e-46 }), /minParam = 1e-46: the floor .*float32/],
    ['minParam ∞ as float32', () => new Apalu({ minParam: 1e39 }), /minParam = 1e\+39/],
    ['an unknown precision', () => new Apalu({ precision: 'half' as never }), /precision = "half": use 'strict'.*or 'fast'/],
    ['a zero initializer', () => sequential({ layers: [layers.dense({ units: 3, inputShape: [2] }), new Apalu({ aInitializer: 'zeros' })] }), /aInitializer gave a\[0\] = 0/],
    ['an unknown initializer name', () => new Apalu({ bInitializer: 'glorotUniformish' }), /bInitializer = "glorotUniformish": no tfjs initializer/],
    ['a regularizer passed as a constraint', () => new Apalu({ aConstraint: regularizers.l2() as never }), /aConstraint = L1L2 is not a tfjs constraint/],
    ['an unknown non-shared axis size', () => new Apalu().apply(input({ shape: [null, 3] })), /input axis 1 has unknown size/],
  ])('rejects %s when the model is built, with a clear message', async (_, build, message) => {
    await use('cpu');
    expect(build).toThrow(ApaluInputError);
    expect(build).toThrow(message);
  });
});
