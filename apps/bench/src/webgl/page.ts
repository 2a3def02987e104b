/**
 * The in-page half of the WebGL bench (bundled by run.ts for Debian chromium on SwiftShader):
 * times APALU through @apalu/tfjs's webgl kernels and its composed path beside tf.elu, tf.prelu
 * and tf.relu on tfjs's webgl backend, in one page and one run, and one MLP training epoch
 * with Apalu against the same MLP with ReLU. Exposes `globalThis.apaluWebglBench`.
 */
import { Apalu, apalu, createBackend } from '@apalu/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

export interface WebglBenchRow {
  /** 'apalu kernel', "apalu kernel 'fast'", 'apalu composed', 'tf.elu', 'tf.prelu', 'tf.relu'. */
  name: string;
  direction: 'forward' | 'forward+backward';
  /** Median over the rounds of the mean time per call, ms. */
  medianMs: number;
  /** Every round's mean time per call, ms. */
  roundsMs: number[];
  /** tfjs kernels one call runs (tf.profile). */
  kernels: number;
}

export interface WebglEpochRow {
  activation: 'apalu' | 'apalu-fast' | 'relu';
  medianMs: number;
  roundsMs: number[];
}

export interface WebglBenchResult {
  renderer: string;
  webglVersion: number;
  /** The class createBackend({ tfBackend: 'webgl' }) declares here (the kernels' probe). */
  kernelAccuracy: string;
  elements: number;
  channels: number;
  rows: WebglBenchRow[];
  epoch: WebglEpochRow[];
  epochSetup: string;
}

const median = (v: number[]) => {
  const s = [...v].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** A seeded uniform generator (mulberry32), so every run times the same numbers. */
function uniform(seed: number, n: number, lo: number, hi: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}

/** Mean ms per call of `reps` calls, waiting for the last call's results (the GPU runs them in order). */
async function timeCalls(f: () => tf.Tensor[], reps: number): Promise<number> {
  let last: tf.Tensor[] = [];
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) {
    tf.dispose(last);
    last = f();
  }
  await Promise.all(last.map((t) => t.data()));
  const ms = (performance.now() - t0) / reps;
  tf.dispose(last);
  return ms;
}

async function kernelCount(f: () => tf.Tensor[]): Promise<number> {
  const info = await tf.profile(() => f());
  tf.dispose(info.result as tf.Tensor[]);
  return info.kernels.length;
}

export async function run(options: { elements?: number; channels?: number; reps?: number; rounds?: number; epochRounds?: number; digits?: number } = {}): Promise<WebglBenchResult> {
  const { elements = 1 << 20, channels = 64, reps = 10, rounds = 5, epochRounds = 3, digits = 512 } = options;
  await tf.setBackend('webgl');
  await tf.ready();
  const backend = tf.backend() as unknown as { gpgpu: { gl: WebGL2RenderingContext } };
  const gl = backend.gpgpu.gl;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  const apaluBackend = await createBackend({ tfBackend: 'webgl', path: 'kernel' });

  // Channels-last like the Node bench: x [n / C, C] uniform on [−6, 6), dy on [−1, 1), a, b, alpha per channel.
  const x = tf.tensor2d(uniform(1, elements, -6, 6), [elements / channels, channels]);
  const dy = tf.tensor2d(uniform(2, elements, -1, 1), [elements / channels, channels]);
  const a = tf.tensor1d(uniform(3, channels, 0.5, 1.5));
  const b = tf.tensor1d(uniform(4, channels, 0.5, 1.5));
  const alpha = tf.tensor1d(uniform(5, channels, 0.1, 0.3));

  const forward: Record<string, () => tf.Tensor[]> = {
    'apalu kernel': () => [apalu(x, a, b, 'kernel')],
    "apalu kernel 'fast'": () => [apalu(x, a, b, { path: 'kernel', precision: 'fast' })],
    'apalu composed': () => [apalu(x, a, b, 'composed')],
    'tf.elu': () => [tf.elu(x)],
    'tf.prelu': () => [tf.prelu(x as tf.Tensor, alpha)],
    'tf.relu': () => [tf.relu(x)],
  };
  const both: Record<string, () => tf.Tensor[]> = {
    'apalu kernel': () => tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => apalu(p, q, r, 'kernel'))([x, a, b], dy),
    "apalu kernel 'fast'": () => tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => apalu(p, q, r, { path: 'kernel', precision: 'fast' }))([x, a, b], dy),
    'apalu composed': () => tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => apalu(p, q, r, 'composed'))([x, a, b], dy),
    'tf.elu': () => tf.grads((p: tf.Tensor) => tf.elu(p))([x], dy),
    'tf.prelu': () => tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.prelu(p, q))([x, alpha], dy),
    'tf.relu': () => tf.grads((p: tf.Tensor) => tf.relu(p))([x], dy),
  };
  const rows: WebglBenchRow[] = [];
  for (const [direction, table] of [['forward', forward], ['forward+backward', both]] as const) {
    const names = Object.keys(table);
    const samples = new Map<string, number[]>(names.map((n) => [n, []]));
    // Warm-up (shader compiles, texture pools), then rounds that interleave the rows.
    for (const n of names) await timeCalls(table[n] as () => tf.Tensor[], 2);
    for (let round = 0; round < rounds; round++) {
      for (const n of names) samples.get(n)?.push(await timeCalls(table[n] as () => tf.Tensor[], reps));
    }
    for (const n of names) {
      const roundsMs = samples.get(n) as number[];
      rows.push({ name: n, direction, medianMs: median(roundsMs), roundsMs, kernels: await kernelCount(table[n] as () => tf.Tensor[]) });
    }
  }
  tf.dispose([x, dy, a, b, alpha]);

  // One epoch of the datasets app's MNIST MLP (784 → 128 → 64 → 10, softmax) over `digits`
  // seeded random 28×28 images with random labels (the time does not depend on the values).
  const xs = tf.tensor2d(uniform(6, digits * 784, 0, 1), [digits, 784]);
  const labels = tf.oneHot(tf.tensor1d(Array.from(uniform(7, digits, 0, 10), Math.floor), 'int32'), 10);
  const epoch: WebglEpochRow[] = [];
  const models = new Map<WebglEpochRow['activation'], tfl.Sequential>();
  for (const activation of ['apalu', 'apalu-fast', 'relu'] as const) {
    const m = tfl.sequential();
    m.add(tfl.layers.dense({ units: 128, inputShape: [784], kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }));
    const act = () => (activation === 'relu' ? tfl.layers.reLU() : new Apalu(activation === 'apalu-fast' ? { precision: 'fast' } : {}));
    m.add(act());
    m.add(tfl.layers.dense({ units: 64, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }));
    m.add(act());
    m.add(tfl.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }));
    m.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
    await m.fit(xs, labels, { epochs: 1, batchSize: 32, shuffle: false, verbose: 0 });
    models.set(activation, m);
    epoch.push({ activation, medianMs: 0, roundsMs: [] });
  }
  for (let round = 0; round < epochRounds; round++) {
    for (const row of epoch) {
      const t0 = performance.now();
      await (models.get(row.activation) as tfl.Sequential).fit(xs, labels, { epochs: 1, batchSize: 32, shuffle: false, verbose: 0 });
      row.roundsMs.push(performance.now() - t0);
    }
  }
  for (const row of epoch) row.medianMs = median(row.roundsMs);
  for (const m of models.values()) m.dispose();
  tf.dispose([xs, labels]);

  return {
    renderer,
    webglVersion: tf.env().getNumber('WEBGL_VERSION'),
    kernelAccuracy: apaluBackend.accuracy,
    elements,
    channels,
    rows,
    epoch,
    epochSetup: `MLP 784 → 128 → 64 → 10 (Adam 1e-3, batch 32), ${digits} seeded random 28×28 inputs, one epoch`,
  };
}

(globalThis as unknown as { apaluWebglBench: { run: typeof run } }).apaluWebglBench = { run };
