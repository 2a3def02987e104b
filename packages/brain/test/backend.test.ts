import { ApaluInputError, createBackend as createReference } from '@apalu/core';
import { describe, expect, it } from 'vitest';
import { conformanceVariants } from '../src/conformance.js';
import * as main from '../src/index.js';
import { createBackend } from '../src/index.js';
import { uniformSource } from './helpers.js';

const SPECIALS = [0, -0, 1e-45, -1e-45, 1e-38, -1e-38, 1e-7, -1e-7, 0.5, -0.5, 17, -17, 88.7, -88.7, 1e38, -1e38, 3.4e38, -3.4e38, Infinity, -Infinity, NaN];

function sample(n: number, seed: number): Float32Array {
  const rand = uniformSource(seed, -20, 20);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = i < SPECIALS.length ? SPECIALS[i]! : rand();
  return x;
}

function sameBits(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i]) && !(actual[i] === 0 && expected[i] === 0)) {
      expect.fail(`element ${i}: ${actual[i]} vs ${expected[i]}`);
    }
  }
}

// The conformance kit compares against this same float64 reference within the strict
// bounds; the brain backend does the same arithmetic, so it matches to the bit.
describe('createBackend (the network’s activateLayer/backpropLayer) equals core’s reference', () => {
  for (const [channels, inner] of [[1, 1], [3, 1], [3, 7], [64, 1]] as const) {
    it(`C = ${channels}, S = ${inner}`, async () => {
      const backend = await createBackend();
      const reference = await createReference();
      expect(backend.accuracy).toBe('strict');
      const n = channels * inner * 40;
      const x = sample(n, channels + inner);
      const dy = sample(n, 99).map((v) => (Number.isFinite(v) ? v : 1));
      const a = Float32Array.from({ length: channels }, (_, c) => 0.25 + 0.03 * c);
      const b = Float32Array.from({ length: channels }, (_, c) => 1.7 - 0.02 * c);
      const layout = { inner };
      sameBits(await backend.forward(x, a, b, layout), await reference.forward(x, a, b, layout));
      const got = await backend.backward(x, dy, a, b, layout);
      const want = await reference.backward(x, dy, a, b, layout);
      sameBits(got.dx, want.dx);
      sameBits(got.da, want.da);
      sameBits(got.db, want.db);
    });
  }

  it('length 0 and bad input', async () => {
    const backend = await createBackend();
    const one = new Float32Array([1]);
    expect(await backend.forward(new Float32Array(0), one, one)).toHaveLength(0);
    await expect(backend.forward(new Float32Array(3), new Float32Array([1, -1]), new Float32Array([1, 1]))).rejects.toThrow(ApaluInputError);
    await expect(backend.forward(new Float32Array(3), one, new Float32Array([0]))).rejects.toThrow('b[0] = 0');
    await expect(backend.backward(new Float32Array(3), new Float32Array(2), one, one)).rejects.toThrow('dy.length = 2');
  });

  it('lists its variants in the ./conformance subpath, not in the main entry', () => {
    expect(conformanceVariants.map((v) => v.name)).toEqual(['brain-neuron']);
    expect('conformanceVariants' in main).toBe(false);
  });
});
