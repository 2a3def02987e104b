/**
 * `model.fit` with Apalu layers on tfjs's webgl backend against the cpu backend, from the same
 * seeded start: a dense model and a conv model whose Apalu shares a, b across height and width
 * (`sharedAxes: [1, 2]`). Returns every weight after training on each backend and the tensors
 * each run left behind (tf.memory() before and after). Loaded on demand (the end-to-end test
 * and the devtools console: `await apaluPlayground.webglFit()`).
 */
import { Apalu } from '@apalu/tfjs';
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
