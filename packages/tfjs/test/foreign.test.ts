// Tensors from a second copy of TensorFlow.js, as npm installs one when @tensorflow/* versions
// disagree. A second module instance of tfjs-layers (its UMD file, loaded beside the one the
// package imports) has its own SymbolicTensor class, as another installed copy does.
import { createRequire } from 'node:module';
import { ApaluInputError } from '@apalu/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Apalu, apalu } from '../src/node.js';
import { tf } from './tf.js';

const require = createRequire(import.meta.url);
const otherLayers = require('@tensorflow/tfjs-layers/dist/tf-layers.js') as typeof import('@tensorflow/tfjs-layers');

const ours = /ours: @tensorflow\/tfjs-core 4\.22\.0, @tensorflow\/tfjs-layers 4\.22\.0;.*npm ls @tensorflow\/tfjs-core @tensorflow\/tfjs-layers.*one version.*npm dedupe/;

describe('tensors from another copy of TensorFlow.js', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });

  it('a model built with another copy of tfjs-layers: the Apalu layer says so when it is added', () => {
    expect(otherLayers.SymbolicTensor).not.toBe((require('@tensorflow/tfjs-layers') as typeof otherLayers).SymbolicTensor);
    const build = () => otherLayers.sequential({ layers: [otherLayers.layers.dense({ units: 4, inputShape: [3] }), new Apalu({ name: 'act' }) as never] });
    expect(build).toThrow(ApaluInputError);
    expect(build).toThrow(/^act's input is a SymbolicTensor from another copy of TensorFlow\.js/);
    expect(build).toThrow(ours);
  });

  it('the op names the argument, both versions and the fix, before tfjs fails inside', () => {
    const symbolic = otherLayers.input({ shape: [3] });
    expect(() => apalu(symbolic as never, [1], [1])).toThrow(/^x is a SymbolicTensor from another copy/);
    expect(() => apalu(symbolic as never, [1], [1])).toThrow(ours);
    // A tensor of a copy whose class records its version (and lacks this copy's methods).
    class Tensor {
      static version_core = '4.15.0';
      dataId = {};
      shape = [2];
      dtype = 'float32';
    }
    expect(() => apalu([-1, 2], new Tensor() as never, [1])).toThrow(/^a is a tensor from another copy.*the tensor's: 4\.15\.0\)/);
  });

  it("another copy's concrete tensors pass (tfjs-core accepts them: one engine per process) and compute", async () => {
    const x = otherLayers.layers.dense({ units: 1, kernelInitializer: 'ones', useBias: false }).apply(tf.tensor2d([[-1], [2]])) as tf.Tensor;
    const y = await (apalu(x, [1], [1]) as tf.Tensor).data();
    expect(y[0]).toBeCloseTo(Math.expm1(-1), 6);
    expect(y[1]).toBeCloseTo(2 * (1 + 1 / (1 + Math.exp(-1.702 * 2))), 5);
  });
});
