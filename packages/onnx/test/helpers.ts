import { splitmix32 } from '@apalu/core';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-web';
import { type ExportOptions, createSession, exportTfjsModel } from '../src/index.js';

tf.setBackend('cpu');

/** Deterministic values in [lo, hi). */
export function seeded(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const next = splitmix32(seed);
  return Float32Array.from({ length: n }, () => lo + ((hi - lo) * next()) / 2 ** 32);
}

/** Replaces every weight with seeded values (variances stay positive), so runs are reproducible. */
export function seedWeights(model: tf.LayersModel, seed = 1): void {
  let s = seed;
  for (const layer of model.layers) {
    const names = layer.weights.map((w) => w.originalName ?? w.name);
    layer.setWeights(
      layer.getWeights().map((w, i) => {
        const n = w.size;
        const name = names[i]!;
        const positive = /variance|\/a$|\/b$|alpha/.test(name);
        return tf.tensor(seeded(n, s++, positive ? 0.3 : -0.5, positive ? 1.7 : 0.5), w.shape);
      }),
    );
  }
}

export interface Agreement {
  /** Largest |onnx − tfjs| over all outputs. */
  maxAbs: number;
  /** Largest |onnx − tfjs| / max(5e-6, 1e-5·|tfjs|): ≤ 1 is within the composed tolerance. */
  worstRatio: number;
  bytes: Uint8Array;
}

/** Runs the model in tfjs and its export (with `options`) in onnxruntime-web on the same inputs. */
export async function agreement(model: tf.LayersModel, inputs: Float32Array[], runtime?: typeof ort, options: ExportOptions = {}): Promise<Agreement> {
  const shapes = model.inputs.map((t, i) => [inputs[i]!.length / t.shape.slice(1).reduce<number>((p, d) => p * (d as number), 1), ...t.shape.slice(1)] as number[]);
  const ref = tf.tidy(() => {
    const out = model.predict(inputs.map((x, i) => tf.tensor(x, shapes[i]))) as tf.Tensor | tf.Tensor[];
    return (Array.isArray(out) ? out : [out]).map((t) => t.dataSync().slice());
  });
  const bytes = exportTfjsModel(model, options);
  const session = await createSession(bytes, runtime ? { runtime: runtime as never } : {});
  const Tensor = (runtime ?? ort).Tensor;
  const feeds = Object.fromEntries(session.inputNames.map((name, i) => [name, new Tensor('float32', inputs[i]!, shapes[i]!)]));
  const result = await session.run(feeds);
  let maxAbs = 0;
  let worstRatio = 0;
  session.outputNames.forEach((name, i) => {
    const got = result[name]!.data as Float32Array;
    const want = ref[i]!;
    if (got.length !== want.length) throw new Error(`output ${name}: ${got.length} values, tfjs gave ${want.length}`);
    for (let j = 0; j < got.length; j++) {
      const err = Math.abs(got[j]! - want[j]!);
      maxAbs = Math.max(maxAbs, err);
      worstRatio = Math.max(worstRatio, err / Math.max(5e-6, 1e-5 * Math.abs(want[j]!)));
    }
  });
  await session.release();
  return { maxAbs, worstRatio, bytes };
}

/** Runs `fn` and returns what it threw (undefined if nothing). */
export function thrown(fn: () => unknown): Error | undefined {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  return undefined;
}
