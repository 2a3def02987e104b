/**
 * exportTfjsModel's `opset` and `inlineFunctions`, and apaluModel's: each model is loaded in
 * onnxruntime-web and compared with tfjs's predict (or @apalu/core's float64 reference) within the
 * composed tolerance max(5e-6, 1e-5·|ref|).
 */
import { ApaluInputError, apalu } from '@apalu/core';
import { apaluLayer } from '@apalu/tfjs';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import * as entry from '../src/index.js';
import { APALU_DOMAIN, apaluModel, createSession, exportTfjsModel, formulations, onnx } from '../src/index.js';
import { agreement, seeded, seedWeights, thrown } from './helpers.js';

/**
 * A CNN that reaches every op whose schema changes somewhere in 13..21: Conv, BatchNormalization
 * (14, 15), AveragePool (19), MaxPool, Transpose / Flatten / Identity / Reshape (14, 19, 21),
 * Unsqueeze (a merge of different ranks), Gemm, MatMul, Softmax, Clip, Elu, plus Apalu layers per
 * element, per channel and per unit.
 */
function cnn(): tf.LayersModel {
  const image = tf.input({ shape: [8, 7, 3], name: 'image' });
  const side = tf.input({ shape: [4], name: 'side' });
  let x = apaluLayer().apply(image) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
  x = apaluLayer({ sharedAxes: [1, 2] }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.averagePooling2d({ poolSize: 2, padding: 'same' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: [2, 1] }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reshape({ targetShape: [8, 4] }).apply(x) as tf.SymbolicTensor;
  const s = tf.layers.dense({ units: 4, activation: 'elu' }).apply(side) as tf.SymbolicTensor;
  x = tf.layers.add().apply([x, s]) as tf.SymbolicTensor; // [N, 8, 4] + [N, 4] → Unsqueeze
  x = tf.layers.dense({ units: 5, activation: 'relu6' }).apply(x) as tf.SymbolicTensor; // MatMul + Add
  x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 6 }).apply(x) as tf.SymbolicTensor; // Gemm
  x = apaluLayer().apply(x) as tf.SymbolicTensor;
  const probs = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: [image, side], outputs: [probs, x] });
  seedWeights(model, 70);
  return model;
}

const OPSETS = [13, 14, 15, 17, 18, 19, 21];

function decode(bytes: Uint8Array) {
  const m = onnx.ModelProto.decode(bytes);
  return {
    opsets: m.opsetImport!.map((o) => [o.domain ?? '', Number(o.version)]),
    functions: m.functions ?? [],
    ops: m.graph!.node!.map((n) => (n.domain ? `${n.domain}.` : '') + n.opType),
    functionOpsets: (m.functions ?? []).map((f) => f.opsetImport!.map((o) => [o.domain ?? '', Number(o.version)])),
  };
}


describe('exportTfjsModel({ opset, inlineFunctions }) agrees with tfjs in onnxruntime-web', () => {
  const model = cnn();
  const inputs = [seeded(3 * 8 * 7 * 3, 71, -3, 3), seeded(3 * 4, 72, -2, 2)];

  it.for(OPSETS.flatMap((opset) => [false, true].map((inline) => [opset, inline] as const)))('opset %i, inlineFunctions %s', async ([opset, inline]) => {
    const { worstRatio, maxAbs, bytes } = await agreement(model, inputs, undefined, { opset, inlineFunctions: inline });
    expect(worstRatio, `max |err| ${maxAbs}`).toBeLessThanOrEqual(1);
    const m = decode(bytes);
    if (inline) {
      expect(m.opsets).toEqual([['', opset]]);
      expect(m.functions).toEqual([]);
      expect(m.ops.filter((op) => op.includes('.'))).toEqual([]); // every node in the default domain
      expect(m.ops).toContain('Exp');
    } else {
      expect(m.opsets).toEqual([['', opset], [APALU_DOMAIN, 1]]);
      expect(m.functionOpsets).toEqual([[['', opset]]]); // the function imports the model's opset (ONNX checker)
      expect(m.ops.filter((op) => op === `${APALU_DOMAIN}.Apalu`)).toHaveLength(3);
    }
  });

  it('defaults to opset 13 with the ai.apalu function', () => {
    const m = decode(exportTfjsModel(model));
    expect(m.opsets).toEqual([['', 13], [APALU_DOMAIN, 1]]);
    expect(m.functions).toHaveLength(1);
  });

  it.for(formulations)('inlineFunctions with formulation %s at opset 21', async (formulation) => {
    const { worstRatio, maxAbs } = await agreement(model, inputs, undefined, { opset: 21, inlineFunctions: true, formulation });
    expect(worstRatio, `max |err| ${maxAbs}`).toBeLessThanOrEqual(1);
  });

  it('a model without Apalu layers imports only the default domain at the chosen opset', () => {
    const plain = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] });
    expect(decode(exportTfjsModel(plain, { opset: 18 })).opsets).toEqual([['', 18]]);
    expect(decode(exportTfjsModel(plain, { opset: 18, inlineFunctions: true })).opsets).toEqual([['', 18]]);
  });

  it('refuses opset 12, 22, non-integers and a non-boolean inlineFunctions with ApaluInputError naming the value and the fix', () => {
    for (const opset of [12, 22, 17.5, Number.NaN, '17', null]) {
      const error = thrown(() => exportTfjsModel(model, { opset: opset as never }));
      expect(error).toBeInstanceOf(ApaluInputError);
      expect(error!.message).toContain(`opset = ${typeof opset === 'string' ? `"${opset}"` : String(opset)}`);
      expect(error!.message).toContain('exportTfjsModel writes default-domain opsets 13..21');
      expect(error!.message).toContain('pass an integer in that range');
    }
    for (const inlineFunctions of ['yes', 1, null]) {
      const error = thrown(() => exportTfjsModel(model, { inlineFunctions: inlineFunctions as never }));
      expect(error).toBeInstanceOf(ApaluInputError);
      expect(error!.message).toContain(`inlineFunctions = ${typeof inlineFunctions === 'string' ? `"${inlineFunctions}"` : String(inlineFunctions)}`);
      expect(error!.message).toContain('pass a boolean');
    }
  });
});

describe('apaluModel({ inlineFunctions, opset })', () => {
  const x = Float32Array.from([0, -0, Number.NaN, 1e-45, -1e-45, -1e-8, 0.5, -0.5, 17, -17, 89, -89, 3e38, -3e38, ...Array.from({ length: 400 }, (_, i) => Math.sin(i * 12.9898) * 20)]);
  const a = [0.25, 1.9];
  const b = [1.2, 0.3];

  it.for(formulations.flatMap((f) => [13, 21].map((opset) => [f, opset] as const)))('%s at opset %i: plain nodes only, matches @apalu/core', async ([formulation, opset]) => {
    const bytes = apaluModel({ a, b, formulation, opset, inlineFunctions: true });
    const m = decode(bytes);
    expect(m.opsets).toEqual([['', opset]]);
    expect(m.functions).toEqual([]);
    const session = await createSession(bytes);
    const y = (await session.run({ x: new ort.Tensor('float32', x, [x.length / 2, 2]) })).y!.data as Float32Array;
    await session.release();
    const bad: string[] = [];
    for (let i = 0; i < x.length; i++) {
      const ref = Math.fround(apalu(x[i]!, Math.fround(a[i % 2]!), Math.fround(b[i % 2]!)));
      const ok = Object.is(y[i], ref) || (Number.isNaN(ref) ? Number.isNaN(y[i]) : Math.abs(y[i]! - ref) <= Math.max(5e-6, 1e-5 * Math.abs(ref)));
      if (!ok) bad.push(`x=${x[i]} got ${y[i]} ref ${ref}`);
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('refuses inlineFunctions that is not a boolean', () => {
    const error = thrown(() => apaluModel({ a, b, inlineFunctions: 'true' as never }));
    expect(error).toBeInstanceOf(ApaluInputError);
    expect(error!.message).toMatch(/inlineFunctions = "true": apaluModel takes true .* pass a boolean/);
  });
});

describe('createSession on a runtime older than the model opset', () => {
  // onnxruntime-web 1.17.x (ONNX 1.15) runs opsets up to 20 and refuses opset 21 with a bare
  // number (its wasm exception pointer); 1.18 runs 21. Checked against the real 1.17.0 and
  // 1.18.0 in a fresh npm project (README, "Install"); here a stand-in runtime throws the same way.
  const runtime = (web: string) => ({
    Tensor: ort.Tensor,
    env: { versions: { web } },
    InferenceSession: {
      create: () => Promise.reject(14621728),
    },
  });

  it('names the opset, the runtime version and the fix', async () => {
    const bytes = apaluModel({ a: [1], b: [1], opset: 21 });
    const error = await createSession(bytes, { runtime: runtime('1.17.0') as never }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApaluInputError);
    expect((error as Error).message).toBe(
      'the model imports default-domain opset 21, but onnxruntime-web 1.17.0 runs opsets up to 20: export it with { opset: 20 } (or lower), or install onnxruntime-web 1.18 or later.',
    );
    expect((error as Error & { cause: unknown }).cause).toBe(14621728);
  });

  it('passes any other failure through unchanged', async () => {
    await expect(createSession(apaluModel({ a: [1], b: [1], opset: 20 }), { runtime: runtime('1.17.0') as never })).rejects.toBe(14621728);
    await expect(createSession(apaluModel({ a: [1], b: [1], opset: 21 }), { runtime: runtime('1.18.0') as never })).rejects.toBe(14621728);
  });
});

describe('entries', () => {
  it('conformanceVariants lives in @apalu/onnx/conformance, not in the main entry', () => {
    expect('conformanceVariants' in entry).toBe(false);
  });
});

describe('exportTfjsModel batch option', () => {
  const small = () => tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });

  it('refuses −1, 1.5, 0, {}, NaN and an empty name with ApaluInputError naming the value and the fix', () => {
    const model = small();
    for (const [batch, shown] of [[-1, '-1'], [1.5, '1.5'], [0, '0'], [{}, '{}'], [Number.NaN, 'NaN'], ['', '""'], [true, 'true']] as const) {
      const error = thrown(() => exportTfjsModel(model, { batch: batch as never }));
      expect(error, `batch = ${shown}`).toBeInstanceOf(ApaluInputError);
      expect(error).toMatchObject({ code: 'E_OPTION' });
      expect(error!.message).toContain(`batch = ${shown}: exportTfjsModel takes a positive integer`);
    }
  });

  it('a positive integer fixes the batch dimension, a name makes it symbolic; both run', async () => {
    const model = small();
    for (const batch of [2, 'N'] as const) {
      const bytes = exportTfjsModel(model, { batch });
      const dim = onnx.ModelProto.decode(bytes).graph!.input![0]!.type!.tensorType!.shape!.dim![0]!;
      expect(batch === 2 ? Number(dim.dimValue) : dim.dimParam).toBe(batch);
      const session = await createSession(bytes);
      const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', new Float32Array(6), [2, 3]) });
      expect(out[session.outputNames[0]!]!.dims).toEqual([2, 2]);
      await session.release();
    }
  });
});
