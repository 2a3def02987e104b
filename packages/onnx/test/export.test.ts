import { ApaluInputError } from '@apalu/core';
import { apaluLayer } from '@apalu/tfjs';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ExportError, exportTfjsModel, onnx, supportedLayers } from '../src/index.js';
import { agreement, seeded, seedWeights } from './helpers.js';

describe('exportTfjsModel: every supported layer agrees with tfjs (cpu) in onnxruntime-web', () => {
  it('Sequential CNN: Conv2D (same, strides, dilation), DepthwiseConv2D, BatchNormalization, pools, Flatten, Dropout, Dense', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [13, 11, 3], filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
        tf.layers.conv2d({ filters: 5, kernelSize: [2, 3], dilationRate: 2, padding: 'same', activation: 'elu' }),
        tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'valid', activation: 'tanh' }),
        tf.layers.batchNormalization({ epsilon: 0.01 }),
        tf.layers.maxPooling2d({ poolSize: 2, strides: 1, padding: 'same' }),
        tf.layers.averagePooling2d({ poolSize: [2, 1], padding: 'valid' }),
        tf.layers.flatten(),
        tf.layers.dropout({ rate: 0.5 }),
        tf.layers.dense({ units: 7, activation: 'sigmoid' }),
        tf.layers.batchNormalization({ center: false }),
        tf.layers.dense({ units: 4, activation: 'softmax' }),
      ],
    });
    seedWeights(model, 10);
    const { worstRatio, maxAbs, bytes } = await agreement(model, [seeded(2 * 13 * 11 * 3, 3)]);
    expect(worstRatio, `max |err| ${maxAbs}`).toBeLessThanOrEqual(1);
    // NHWC → NCHW once at the input and back once before Flatten; the conv stack stays NCHW.
    const ops = onnx.ModelProto.decode(bytes).graph!.node!.map((n) => n.opType);
    expect(ops.filter((op) => op === 'Transpose')).toHaveLength(2);
  });

  it('functional graph: branches, Add, Concatenate, Activation, Reshape, GlobalAveragePooling2D, average pooling with same padding, a nested model, two outputs', async () => {
    const input = tf.input({ shape: [9, 9, 2], name: 'image' });
    const stem = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }).apply(input) as tf.SymbolicTensor;
    const left = tf.layers.activation({ activation: 'relu' }).apply(stem) as tf.SymbolicTensor;
    const right = tf.layers.conv2d({ filters: 4, kernelSize: 1, activation: 'sigmoid' }).apply(stem) as tf.SymbolicTensor;
    const sum = tf.layers.add().apply([left, right]) as tf.SymbolicTensor;
    const pooled = tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(sum) as tf.SymbolicTensor;
    const joined = tf.layers.concatenate().apply([pooled, tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(stem) as tf.SymbolicTensor]) as tf.SymbolicTensor;
    const inner = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [5, 5, 8], filters: 3, kernelSize: 2, activation: 'tanh' })] });
    const nested = inner.apply(joined) as tf.SymbolicTensor;
    const gap = tf.layers.globalAveragePooling2d({}).apply(joined) as tf.SymbolicTensor;
    const flat = tf.layers.reshape({ targetShape: [48] }).apply(nested) as tf.SymbolicTensor;
    const features = tf.layers.concatenate({ axis: 1 }).apply([gap, flat]) as tf.SymbolicTensor;
    const head = tf.layers.dense({ units: 3 }).apply(features) as tf.SymbolicTensor;
    const reshaped = tf.layers.reshape({ targetShape: [4, 2, 3] }).apply(tf.layers.dense({ units: 24 }).apply(features) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const probs = tf.layers.activation({ activation: 'softmax' }).apply(reshaped) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: [head, probs] });
    seedWeights(model, 20);
    const { worstRatio, maxAbs } = await agreement(model, [seeded(3 * 9 * 9 * 2, 4)]);
    expect(worstRatio, `max |err| ${maxAbs}`).toBeLessThanOrEqual(1);
  });

  it('two inputs, merge layers, activation layers, BatchNormalization on NHWC input and on a rank-3 tensor', async () => {
    const a = tf.input({ shape: [6, 6, 3], name: 'a' });
    const b = tf.input({ shape: [6, 6, 3], name: 'b' });
    const bn = tf.layers.batchNormalization().apply(a) as tf.SymbolicTensor;
    const prod = tf.layers.multiply().apply([bn, b]) as tf.SymbolicTensor;
    const conv = tf.layers.conv2d({ filters: 3, kernelSize: 1 }).apply(prod) as tf.SymbolicTensor;
    const diff = tf.layers.add().apply([conv, b, prod]) as tf.SymbolicTensor;
    const stats = [tf.layers.maximum(), tf.layers.minimum(), tf.layers.average()].map((l) => l.apply([diff, conv]) as tf.SymbolicTensor);
    const acts = [
      tf.layers.reLU({ maxValue: 0.5 }).apply(stats[0]!) as tf.SymbolicTensor,
      tf.layers.leakyReLU({ alpha: 0.1 }).apply(stats[1]!) as tf.SymbolicTensor,
      tf.layers.elu().apply(stats[2]!) as tf.SymbolicTensor,
      tf.layers.prelu({ sharedAxes: [1, 2] }).apply(diff) as tf.SymbolicTensor,
    ];
    const all = tf.layers.concatenate({ axis: 3 }).apply(acts) as tf.SymbolicTensor;
    const seq = tf.layers.reshape({ targetShape: [36, 12] }).apply(all) as tf.SymbolicTensor;
    const norm = tf.layers.batchNormalization({ axis: 2 }).apply(seq) as tf.SymbolicTensor;
    const dense = tf.layers.dense({ units: 5, activation: 'relu6' }).apply(norm) as tf.SymbolicTensor;
    const out = tf.layers.softmax({ axis: 2 }).apply(dense) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [a, b], outputs: out });
    seedWeights(model, 30);
    const { worstRatio, maxAbs } = await agreement(model, [seeded(2 * 108, 5), seeded(2 * 108, 6)]);
    expect(worstRatio, `max |err| ${maxAbs}`).toBeLessThanOrEqual(1);
  });

  it('Apalu layers in every parameter shape: per element on NHWC input, per element and per channel on NCHW, per unit; a fixed batch', async () => {
    const model = tf.sequential({
      layers: [
        apaluLayer({ inputShape: [5, 4, 3] }), // a, b [5, 4, 3] on the NHWC input itself
        tf.layers.conv2d({ filters: 2, kernelSize: 2 }),
        apaluLayer(), // [4, 3, 2], permuted to [2, 4, 3] for NCHW
        tf.layers.conv2d({ filters: 3, kernelSize: 1 }),
        apaluLayer({ sharedAxes: [1, 2] }), // [1, 1, 3] → [3, 1, 1]
        tf.layers.flatten(),
        tf.layers.dense({ units: 4 }),
        apaluLayer(), // [4]
      ],
    });
    seedWeights(model, 40);
    const x = seeded(2 * 60, 7, -3, 3);
    const { worstRatio, maxAbs } = await agreement(model, [x]);
    expect(worstRatio, `max |err| ${maxAbs}`).toBeLessThanOrEqual(1);
    const fixed = onnx.ModelProto.decode(exportTfjsModel(model, { batch: 2 }));
    expect(fixed.graph!.input![0]!.type!.tensorType!.shape!.dim!.map((d) => Number(d.dimValue))).toEqual([2, 5, 4, 3]);
  });

  it('names an unsupported layer and lists the supported ones; writes nothing', () => {
    const model = tf.sequential({ layers: [tf.layers.conv1d({ inputShape: [8, 2], filters: 2, kernelSize: 3, name: 'my_conv1d' })] });
    let error: unknown;
    try {
      exportTfjsModel(model);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExportError);
    // An input error in the one taxonomy: the model is what must change.
    expect(error).toBeInstanceOf(ApaluInputError);
    expect(error).toMatchObject({ name: 'ExportError', code: 'E_UNSUPPORTED_LAYER', kind: 'input' });
    expect((error as Error).message).toMatch(/layer "my_conv1d" \(Conv1D\) is not supported/);
    for (const name of ['Dense', 'Conv2D', 'DepthwiseConv2D', 'Apalu', 'BatchNormalization']) expect((error as Error).message).toContain(name);
    expect(supportedLayers).toContain('Apalu');
  });

  it('names an unsupported activation and a non-model argument', () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2, activation: 'mish', name: 'd1' })] });
    expect(() => exportTfjsModel(model)).toThrow(/layer "d1": activation "mish" is not supported. Supported activations: linear, relu/);
    expect(() => exportTfjsModel({} as never)).toThrow(/must be a tf.LayersModel/);
  });
});

describe('exportTfjsModel: review fixes, each against tfjs predict', () => {
  it('a nested model applied twice computes each call from its own input (siamese), also two levels deep', async () => {
    const inner = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [3], units: 4, activation: 'tanh' }), apaluLayer(), tf.layers.dense({ units: 2 })],
    });
    const x1 = tf.input({ shape: [3], name: 'left' });
    const x2 = tf.input({ shape: [3], name: 'right' });
    const y1 = inner.apply(x1) as tf.SymbolicTensor;
    const y2 = inner.apply(x2) as tf.SymbolicTensor;
    const siamese = tf.model({ inputs: [x1, x2], outputs: tf.layers.concatenate().apply([y1, y2]) as tf.SymbolicTensor });
    seedWeights(siamese, 50);
    const x = [seeded(3 * 3, 8), seeded(3 * 3, 9, -3, 3)];
    const once = await agreement(siamese, x);
    expect(once.worstRatio, `max |err| ${once.maxAbs}`).toBeLessThanOrEqual(1);

    // The siamese model itself applied twice, with its inputs swapped: four calls of `inner`.
    const p = tf.input({ shape: [3], name: 'p' });
    const q = tf.input({ shape: [3], name: 'q' });
    const pq = siamese.apply([p, q]) as tf.SymbolicTensor;
    const qp = siamese.apply([q, p]) as tf.SymbolicTensor;
    const outer = tf.model({ inputs: [p, q], outputs: [pq, tf.layers.add().apply([pq, qp]) as tf.SymbolicTensor] });
    const twice = await agreement(outer, x);
    expect(twice.worstRatio, `max |err| ${twice.maxAbs}`).toBeLessThanOrEqual(1);
  });

  it("Flatten with dataFormat 'channelsFirst' at rank 3, 4 and 5, and after a conv (a value held as NCHW)", async () => {
    for (const [shape, seed] of [[[2, 3], 11], [[2, 3, 4], 12], [[2, 3, 2, 2], 13]] as const) {
      const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [...shape], dataFormat: 'channelsFirst' }), tf.layers.dense({ units: 3 })] });
      seedWeights(model, seed);
      const size = shape.reduce<number>((p, d) => p * d, 1);
      const { worstRatio, maxAbs } = await agreement(model, [seeded(2 * size, seed)]);
      expect(worstRatio, `rank ${shape.length + 1}: max |err| ${maxAbs}`).toBeLessThanOrEqual(1);
    }
    const conv = tf.sequential({
      layers: [tf.layers.conv2d({ inputShape: [4, 5, 2], filters: 3, kernelSize: 1 }), tf.layers.flatten({ dataFormat: 'channelsFirst' })],
    });
    seedWeights(conv, 14);
    const { worstRatio, maxAbs } = await agreement(conv, [seeded(2 * 40, 15)]);
    expect(worstRatio, `conv → flatten: max |err| ${maxAbs}`).toBeLessThanOrEqual(1);
  });

  it('merge layers with inputs of different ranks expand the lower-rank one at axis 1, as tfjs does (batch 1, 2, 4)', async () => {
    const a = tf.input({ shape: [4, 3], name: 'a' });
    const b = tf.input({ shape: [3], name: 'b' });
    const layers = [tf.layers.add(), tf.layers.multiply(), tf.layers.maximum(), tf.layers.minimum(), tf.layers.average()];
    const model = tf.model({ inputs: [a, b], outputs: layers.map((l, i) => l.apply(i % 2 === 0 ? [a, b] : [b, a]) as tf.SymbolicTensor) });
    for (const n of [1, 2, 4]) {
      const { worstRatio, maxAbs } = await agreement(model, [seeded(n * 12, 16 + n), seeded(n * 3, 20 + n, -2, 2)]);
      expect(worstRatio, `batch ${n}: max |err| ${maxAbs}`).toBeLessThanOrEqual(1);
    }
    // An image held as NCHW after a conv plus a [N, C] vector: tfjs makes the vector [N, 1, 1, C].
    const image = tf.input({ shape: [5, 4, 2], name: 'image' });
    const vector = tf.input({ shape: [6], name: 'vector' });
    const conv = tf.layers.conv2d({ filters: 3, kernelSize: 1 }).apply(image) as tf.SymbolicTensor;
    const dense = tf.layers.dense({ units: 3 }).apply(vector) as tf.SymbolicTensor;
    const mixed = tf.model({ inputs: [image, vector], outputs: tf.layers.add().apply([conv, dense]) as tf.SymbolicTensor });
    seedWeights(mixed, 60);
    for (const n of [1, 2, 4]) {
      const { worstRatio, maxAbs } = await agreement(mixed, [seeded(n * 40, 30 + n), seeded(n * 6, 40 + n)]);
      expect(worstRatio, `conv + dense, batch ${n}: max |err| ${maxAbs}`).toBeLessThanOrEqual(1);
    }
  });
});
