import { splitmix32 } from '@apalu/core';
import { constraints, initializers, layers, type LayersModel, sequential } from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { Apalu } from '../src/node.js';
import { BACKENDS, tf, use } from './tf.js';

function circleData(n: number, seed: number) {
  const next = splitmix32(seed);
  const xs = new Float32Array(2 * n);
  const ys = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const p = (next() / 2 ** 32) * 2 - 1;
    const q = (next() / 2 ** 32) * 2 - 1;
    xs[2 * i] = p;
    xs[2 * i + 1] = q;
    ys[i] = p * p + q * q < 0.5 ? 1 : 0;
  }
  return { xs: tf.tensor2d(xs, [n, 2]), ys: tf.tensor2d(ys, [n, 1]) };
}

/** 8×8 images with a horizontal (class 0) or vertical (class 1) bar at a random place, plus noise. */
function barData(n: number, seed: number) {
  const next = splitmix32(seed);
  const xs = new Float32Array(n * 64);
  const ys = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const vertical = i % 2;
    const at = next() % 8;
    for (let p = 0; p < 64; p++) {
      const r = p >> 3;
      const c = p & 7;
      xs[i * 64 + p] = ((vertical ? c : r) === at ? 1 : 0) + 0.2 * ((next() / 2 ** 32) - 0.5);
    }
    ys[i * 2 + vertical] = 1;
  }
  return { xs: tf.tensor4d(xs, [n, 8, 8, 1]), ys: tf.tensor2d(ys, [n, 2]) };
}

const params = (m: LayersModel) =>
  m.layers.filter((l) => l instanceof Apalu).flatMap((l) => l.getWeights().map((w) => Array.from(w.dataSync())));

describe.each(BACKENDS)('training with model.fit on %s', (backend) => {
  it.each(['strict', 'fast'] as const)('an MLP learns a circle and moves a and b (precision %s)', async (precision) => {
    await use(backend);
    const { xs, ys } = circleData(512, 1);
    const m = sequential({
      layers: [layers.dense({ units: 16, inputShape: [2], kernelInitializer: initializers.glorotUniform({ seed: 1 }) }), new Apalu({ precision }), layers.dense({ units: 1, activation: 'sigmoid' })],
    });
    m.compile({ optimizer: tf.train.adam(0.05), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const before = params(m);
    const h = await m.fit(xs, ys, { epochs: 40, batchSize: 64, verbose: 0, shuffle: false });
    const acc = h.history['acc'] as number[];
    expect(acc[acc.length - 1]).toBeGreaterThan(0.9);
    const after = params(m);
    expect(after.flat().some((v, i) => v !== before.flat()[i])).toBe(true);
    expect(Math.min(...after.flat())).toBeGreaterThan(0);
  }, 60_000);

  it('a small CNN (Conv2D → Apalu with sharedAxes [1, 2]) learns bars', async () => {
    await use(backend);
    const { xs, ys } = barData(128, 2);
    const m = sequential({
      layers: [
        layers.conv2d({
          filters: 4,
          kernelSize: 3,
          padding: 'same',
          inputShape: [8, 8, 1],
          kernelInitializer: initializers.glorotUniform({ seed: 2 }),
          // tfjs-backend-wasm 4.22.0 has no Conv2DBackpropFilter kernel: no Conv2D trains there,
          // whatever its activation, so on wasm the filters stay at their seeded values.
          trainable: backend !== 'wasm',
        }),
        new Apalu({ sharedAxes: [1, 2] }),
        layers.maxPooling2d({ poolSize: 2 }),
        layers.flatten(),
        layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    m.compile({ optimizer: tf.train.adam(0.02), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const h = await m.fit(xs, ys, { epochs: 15, batchSize: 32, verbose: 0, shuffle: false });
    const acc = h.history['acc'] as number[];
    expect(acc[acc.length - 1]).toBeGreaterThan(0.9);
    expect(m.layers[1]!.getWeights()[0]!.shape).toEqual([1, 1, 4]);
  }, 60_000);

  it('trains with sharedAxes that do not map to one (C, S) layout (composed path)', async () => {
    await use(backend);
    const { xs, ys } = barData(64, 6);
    const m = sequential({
      layers: [
        layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', inputShape: [8, 8, 1], trainable: backend !== 'wasm', kernelInitializer: initializers.glorotUniform({ seed: 6 }) }),
        new Apalu({ sharedAxes: [2] }),
        layers.flatten(),
        layers.dense({ units: 2, activation: 'softmax', kernelInitializer: initializers.glorotUniform({ seed: 7 }) }),
      ],
    });
    m.compile({ optimizer: tf.train.adam(0.02), loss: 'categoricalCrossentropy' });
    const before = params(m).flat();
    const h = await m.fit(xs, ys, { epochs: 3, batchSize: 32, verbose: 0, shuffle: false });
    const loss = h.history['loss'] as number[];
    expect(loss[2]).toBeLessThan(loss[0] as number);
    expect(m.layers[1]!.getWeights()[0]!.shape).toEqual([8, 1, 3]);
    expect(params(m).flat().some((v, i) => v !== before[i])).toBe(true);
  }, 60_000);

  it('stops fit with E_DIVERGED naming the layer and the step when a step would make a or b non-finite; a, b keep their values from before it', async () => {
    await use(backend);
    const xs = tf.randomNormal([64, 4], 0, 1, 'float32', 1);
    const ys = tf.randomNormal([64, 1], 0, 1, 'float32', 2);
    const apaluLayer = new Apalu({ name: 'act' });
    const m = sequential({
      layers: [
        layers.dense({ units: 8, inputShape: [4], kernelInitializer: initializers.glorotUniform({ seed: 1 }) }),
        apaluLayer,
        layers.dense({ units: 1, kernelInitializer: initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    // SGD(100) here made a and b NaN (wasm) or ∞ at step 4, and fit then threw E_PARAM over ruined weights.
    m.compile({ optimizer: tf.train.sgd(100), loss: 'meanSquaredError' });
    let steps = 0;
    let last = params(m);
    const fit = m.fit(xs, ys, {
      epochs: 3,
      batchSize: 16,
      verbose: 0,
      shuffle: false,
      callbacks: {
        onBatchEnd: async () => {
          steps++;
          last = params(m);
        },
      },
    });
    await expect(fit).rejects.toThrow(/Apalu layer 'act': training step \d+ \(update \d+ of its weight [ab]\) would make [ab]\[\d+\] = (NaN|-?Infinity).*keep their values from before that step.*learning rate is too high/);
    expect(steps).toBeLessThan(12);
    const after = params(m);
    expect(after).toEqual(last);
    expect(after.flat().every((v) => Number.isFinite(v) && v > 0)).toBe(true);
    // The layer still runs (no E_PARAM from its own weights; layers before it took the step and may be ruined).
    expect(() => tf.dispose(m.predict(xs) as tf.Tensor)).not.toThrow();
  }, 60_000);

  it('where the backend cannot read synchronously, skips the non-finite write and throws E_DIVERGED at the next one', async () => {
    await use(backend);
    const xs = tf.randomNormal([64, 4], 0, 1, 'float32', 1);
    const ys = tf.randomNormal([64, 1], 0, 1, 'float32', 2);
    const m = sequential({
      layers: [
        layers.dense({ units: 8, inputShape: [4], kernelInitializer: initializers.glorotUniform({ seed: 1 }) }),
        new Apalu({ name: 'act_async' }),
        layers.dense({ units: 1, kernelInitializer: initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    m.compile({ optimizer: tf.train.sgd(100), loss: 'meanSquaredError' });
    // As on webgpu in Node: a synchronous read of the guard's boolean fails.
    const original = tf.Tensor.prototype.dataSync;
    tf.Tensor.prototype.dataSync = function (this: tf.Tensor) {
      if (this.dtype === 'bool' && this.size === 1) throw new Error('no synchronous read here');
      return original.call(this) as never;
    } as typeof original;
    const seen: number[][] = [];
    try {
      const fit = m.fit(xs, ys, { epochs: 3, batchSize: 16, verbose: 0, shuffle: false, callbacks: { onBatchEnd: async () => void seen.push(params(m).flat()) } });
      await expect(fit).rejects.toThrow(/Apalu layer 'act_async': training step \d+ .*non-finite \(∞ or NaN; this step was skipped for [ab]\).*learning rate is too high/);
    } finally {
      tf.Tensor.prototype.dataSync = original;
    }
    expect(seen.every((p) => p.every((v) => Number.isFinite(v) && v > 0))).toBe(true);
    expect(params(m).flat().every((v) => Number.isFinite(v) && v > 0)).toBe(true);
  }, 60_000);

  it.each([
    ['sgd(100)', () => tf.train.sgd(100)],
    ['adam(1)', () => tf.train.adam(1)],
  ])('keeps a and b ≥ minParam after every step under an aggressive learning rate (%s)', async (_, optimizer) => {
    await use(backend);
    const { xs } = circleData(256, 3);
    const minParam = 1e-3;
    // Only a and b train, towards an all-zero output: steps this large overshoot far below 0
    // without the floor (plain tfjs leaves them there: optimizers ignore layer constraints).
    const m = sequential({
      layers: [
        layers.dense({ units: 8, inputShape: [2], trainable: false, kernelInitializer: initializers.glorotUniform({ seed: 3 }), biasInitializer: 'ones' }),
        new Apalu({ minParam }),
      ],
    });
    m.compile({ optimizer: optimizer(), loss: 'meanSquaredError' });
    const before = params(m).flat();
    let lowest = Number.POSITIVE_INFINITY;
    let steps = 0;
    await m.fit(xs, tf.zeros([256, 8]), {
      epochs: 3,
      batchSize: 32,
      verbose: 0,
      callbacks: {
        onBatchEnd: async () => {
          steps++;
          lowest = Math.min(lowest, ...params(m).flat());
        },
      },
    });
    expect(steps).toBe(24);
    expect(lowest).toBe(Math.fround(minParam));
    const after = params(m).flat();
    expect(after.every((v) => Number.isFinite(v) && v >= Math.fround(minParam))).toBe(true);
    expect(after.some((v, i) => v !== before[i])).toBe(true);
  }, 60_000);

  it('applies aConstraint during fit (stock tfjs layers skip it)', async () => {
    await use(backend);
    const { xs, ys } = circleData(128, 4);
    const m = sequential({
      layers: [
        layers.dense({ units: 4, inputShape: [2], kernelInitializer: initializers.glorotUniform({ seed: 4 }) }),
        new Apalu({ aConstraint: constraints.minMaxNorm({ minValue: 0, maxValue: 0.5, axis: 0, rate: 1 }) }),
        layers.dense({ units: 1, kernelInitializer: initializers.glorotUniform({ seed: 5 }) }),
      ],
    });
    m.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    await m.fit(xs, ys, { epochs: 2, batchSize: 32, verbose: 0 });
    const [a] = params(m);
    // ‖a‖ ≤ 0.5 (the initial uniform(0, 2) values are far above it).
    expect(Math.hypot(...a!)).toBeLessThanOrEqual(0.5 + 1e-6);
    expect(Math.min(...a!)).toBeGreaterThan(0);
  }, 60_000);
});
