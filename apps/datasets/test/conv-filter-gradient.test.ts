import { describe, expect, it } from 'vitest';
import { rng } from '../src/data/random.js';
import { initTf, tf } from '../src/tf.js';

type Case = { name: string; x: [number, number, number, number]; f: [number, number, number, number]; strides: number | [number, number]; pad: 'same' | 'valid' };

const cases: Case[] = [
  { name: '3×3 same, stride 1 (the CNN)', x: [2, 6, 6, 1], f: [3, 3, 1, 4], strides: 1, pad: 'same' },
  { name: '5×5 same, 8 → 4 channels (the Deep SVDD encoder)', x: [3, 7, 7, 8], f: [5, 5, 8, 4], strides: 1, pad: 'same' },
  { name: '3×2 valid, strides [2, 1]', x: [2, 9, 7, 3], f: [3, 2, 3, 2], strides: [2, 1], pad: 'valid' },
  { name: '4×4 same, stride 2 (asymmetric padding)', x: [1, 8, 8, 2], f: [4, 4, 2, 3], strides: 2, pad: 'same' },
];

function values(n: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
}

async function filterGrad(backend: 'cpu' | 'wasm', c: Case, x: Float32Array, w: Float32Array): Promise<Float32Array> {
  await initTf(backend);
  return tf.tidy(() => {
    const g = tf.grad((f: tf.Tensor) => tf.sum(tf.square(tf.conv2d(tf.tensor4d(x, c.x), f as tf.Tensor4D, c.strides, c.pad))));
    return g(tf.tensor4d(w, c.f)).dataSync() as Float32Array;
  });
}

describe('Conv2DBackpropFilter on wasm (the fill-in) against tfjs-backend-cpu', () => {
  it.each(cases)('$name', async (c) => {
    const x = values(c.x.reduce((a, b) => a * b), 1);
    const w = values(c.f.reduce((a, b) => a * b), 2);
    const reference = await filterGrad('cpu', c, x, w);
    const got = await filterGrad('wasm', c, x, w);
    expect(got.length).toBe(reference.length);
    const scale = Math.max(...reference.map(Math.abs));
    got.forEach((v, i) => expect(Math.abs(v - reference[i]!)).toBeLessThan(1e-4 * scale));
    await initTf('wasm');
  });
});
