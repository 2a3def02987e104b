import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { onnx } from '../src/index.js';
import { agreement, seeded, seedWeights } from './helpers.js';

// The README's supported layers that the other exporter tests do not build: each against tfjs
// predict (cpu), run in onnxruntime-web.
describe('exportTfjsModel: GlobalMaxPooling2D and the dropout and noise layers agree with tfjs', () => {
  it('GlobalMaxPooling2D on the input and after a conv (a value held as NCHW), then Dense', async () => {
    const input = tf.input({ shape: [7, 6, 3], name: 'image' });
    const direct = tf.layers.globalMaxPooling2d({}).apply(input) as tf.SymbolicTensor;
    const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'tanh' }).apply(input) as tf.SymbolicTensor;
    const pooled = tf.layers.globalMaxPooling2d({}).apply(conv) as tf.SymbolicTensor;
    const head = tf.layers.dense({ units: 2 }).apply(tf.layers.concatenate().apply([direct, pooled]) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: [pooled, head] });
    seedWeights(model, 70);
    const { worstRatio, maxAbs, bytes } = await agreement(model, [seeded(3 * 7 * 6 * 3, 71, -2, 2)]);
    expect(worstRatio, `max |err| ${maxAbs}`).toBeLessThanOrEqual(1);
    const ops = onnx.ModelProto.decode(bytes).graph!.node!.map((n) => n.opType);
    expect(ops.filter((op) => op === 'GlobalMaxPool')).toHaveLength(2);
  });

  it('SpatialDropout1D, GaussianNoise, GaussianDropout, AlphaDropout and Dropout are the identity at inference', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [5, 4], units: 6, activation: 'elu' }),
        tf.layers.spatialDropout1d({ rate: 0.5 }),
        tf.layers.gaussianNoise({ stddev: 0.7 }),
        tf.layers.dense({ units: 5 }),
        tf.layers.gaussianDropout({ rate: 0.4 }),
        tf.layers.alphaDropout({ rate: 0.3 }),
        tf.layers.flatten(),
        tf.layers.dropout({ rate: 0.5 }),
        tf.layers.dense({ units: 3 }),
      ],
    });
    seedWeights(model, 80);
    const { worstRatio, maxAbs, bytes } = await agreement(model, [seeded(2 * 5 * 4, 81, -2, 2)]);
    expect(worstRatio, `max |err| ${maxAbs}`).toBeLessThanOrEqual(1);
    // Nothing is written for them: three dense layers (one Gemm, two MatMul + Add), the Elu and the Flatten.
    const ops = onnx.ModelProto.decode(bytes).graph!.node!.map((n) => n.opType).filter((op) => op !== 'Identity');
    expect(ops.sort()).toEqual(['Add', 'Add', 'Elu', 'Flatten', 'Gemm', 'MatMul', 'MatMul']);
  });
});
