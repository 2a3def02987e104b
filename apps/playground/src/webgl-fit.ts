/**
 * `model.fit` with Apalu layers on tfjs's webgl backend against the cpu backend, from the same
 * seeded start: a dense model and a conv model whose Apalu shares a, b across height and width
 * (`sharedAxes: [1, 2]`). Returns every weight after training on each backend and the tensors
 * each run left behind (tf.memory() before and after). Loaded on demand (the end-to-end test
 * and the devtools console: `await apaluPlayground.webglFit()`).
 */
import { Apalu, apalu } from '@apalu/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

export interface FitRun {
  backend: string;
  /** Every weight of the model after training, in model.getWeights() order (name → values). */
  weights: { name: string; values: number[] }[];
  /** The Apalu layers ran the fused kernel (tfjs's profile lists Apalu/ApaluGrad). */
  kernels: string[];
  /** tf.memory().numTensors after everything was disposed, minus before. */
  leakedTensors: number;
  finalLoss: number;
}

function seeded(seed: number, n: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

function build(kind: 'dense' | 'conv'): tfl.Sequential {
  const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
  const m = tfl.sequential();
  if (kind === 'dense') {
    m.add(tfl.layers.dense({ name: 'd1', units: 16, inputShape: [8], kernelInitializer: init(1) }));
    m.add(new Apalu({ name: 'apalu1' }));
    m.add(tfl.layers.dense({ name: 'd2', units: 3, kernelInitializer: init(2) }));
  } else {
    m.add(tfl.layers.conv2d({ name: 'c1', inputShape: [6, 6, 2], filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: init(3) }));
    m.add(new Apalu({ name: 'apalu1', sharedAxes: [1, 2] }));
    m.add(tfl.layers.flatten({ name: 'flat' }));
    m.add(tfl.layers.dense({ name: 'd2', units: 3, kernelInitializer: init(4) }));
  }
  return m;
}

async function fitOn(backend: 'cpu' | 'webgl', kind: 'dense' | 'conv', steps: number): Promise<FitRun> {
  await tf.setBackend(backend);
  await tf.ready();
  const before = tf.memory().numTensors;
  const batch = 16;
  const shape = kind === 'dense' ? [batch * steps, 8] : [batch * steps, 6, 6, 2];
  const size = shape.reduce((p, q) => p * q, 1);
  const x = tf.tensor(seeded(11, size).map((v) => v * 6), shape);
  const y = tf.tensor(seeded(12, batch * steps * 3), [batch * steps, 3]);
  const model = build(kind);
  const optimizer = tf.train.sgd(0.1);
  model.compile({ optimizer, loss: 'meanSquaredError' });
  const kernels = new Set<string>();
  const profile = await tf.profile(async () => {
    const h = await model.fit(x, y, { epochs: 1, batchSize: batch, shuffle: false, verbose: 0 });
    return tf.scalar(h.history.loss?.[0] as number);
  });
  for (const k of profile.kernels) if (k.name.startsWith('Apalu')) kernels.add(k.name);
  const finalLoss = (profile.result as tf.Tensor).dataSync()[0] as number;
  (profile.result as tf.Tensor).dispose();
  const weights = model.weights.map((w) => ({ name: w.originalName, values: Array.from(w.read().dataSync()) }));
  model.dispose();
  optimizer.dispose();
  tf.dispose([x, y]);
  return { backend, weights, kernels: [...kernels].sort(), leakedTensors: tf.memory().numTensors - before, finalLoss };
}

/** Both models, `steps` SGD steps each, on cpu and on webgl. */
export async function webglFit(steps = 4): Promise<Record<'dense' | 'conv', { cpu: FitRun; webgl: FitRun }>> {
  const previous = tf.getBackend();
  try {
    const out = {} as Record<'dense' | 'conv', { cpu: FitRun; webgl: FitRun }>;
    for (const kind of ['dense', 'conv'] as const) out[kind] = { cpu: await fitOn('cpu', kind, steps), webgl: await fitOn('webgl', kind, steps) };
    return out;
  } finally {
    if (previous) await tf.setBackend(previous);
  }
}

/**
 * The webgl kernels with packed textures (WEBGL_PACK, tfjs's default: x arrives packed from a
 * packed op) and with WEBGL_PACK off: f, dx, da, db as float32 bits, which must be identical
 * (the same programs run on unpacked copies). Shape [8, 3, 50] with a, b of shape [3, 1] (C = 3,
 * S = 50), so the layout's inner size is not 1; over tfjs's 128-element CPU hand-off, so it runs
 * on the GPU.
 */
export async function webglPackCompare(): Promise<{ packed: number[][]; unpacked: number[][]; packedInput: boolean }> {
  const previous = tf.getBackend();
  await tf.setBackend('webgl');
  await tf.ready();
  const pack = tf.env().getBool('WEBGL_PACK');
  const run = (packFlag: boolean) => {
    tf.env().set('WEBGL_PACK', packFlag);
    const outs = tf.tidy(() => {
      // x from a packed op where packing is on (tf.add of two tensors runs packed then).
      const x = tf.add(tf.tensor3d(seeded(21, 1200).map((v) => v * 8), [8, 3, 50]), tf.scalar(0.25));
      const dy = tf.tensor3d(seeded(22, 1200), [8, 3, 50]);
      const a = tf.tensor2d([0.5, 1, 1.5], [3, 1]);
      const b = tf.tensor2d([1.25, 0.75, 2], [3, 1]);
      const f = (p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => apalu(p, q, r, 'kernel');
      return [f(x, a, b), ...tf.grads(f)([x, a, b], dy)];
    });
    const bits = outs.map((t) => Array.from(new Uint32Array(Float32Array.from(t.dataSync()).buffer)));
    tf.dispose(outs);
    return bits;
  };
  try {
    const packed = run(true);
    const packedInput = (() => {
      const t = tf.add(tf.tensor3d(seeded(21, 1200), [8, 3, 50]), tf.scalar(0.25));
      const isPacked = (tf.backend() as unknown as { texData: { get(id: object): { isPacked?: boolean } } }).texData.get(t.dataId).isPacked === true;
      t.dispose();
      return isPacked;
    })();
    const unpacked = run(false);
    return { packed, unpacked, packedInput };
  } finally {
    tf.env().set('WEBGL_PACK', pack);
    if (previous) await tf.setBackend(previous);
  }
}
