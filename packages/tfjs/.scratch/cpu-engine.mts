import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { apalu } from '../src/index.ts';
import { setCpuKernelEngine, cpuKernelEngine } from '../src/kernels/cpu-engine.ts';
await tf.setBackend('cpu');
const size = 1 << 20, C = 64;
const x = tf.randomNormal([size / C, C], 0, 2, 'float32', 1);
const dy = tf.randomNormal([size / C, C], 0, 1, 'float32', 2);
const a = tf.randomUniform([C], 0.5, 1.5, 'float32', 3);
const b = tf.randomUniform([C], 0.5, 1.5, 'float32', 4);
const g = tf.grads((t: tf.Tensor, p: tf.Tensor, q: tf.Tensor) => apalu(t, p, q));
const res: Record<string, Float32Array[]> = {};
for (const e of ['js', 'wasm'] as const) {
  setCpuKernelEngine(e);
  const y = apalu(x, a, b);
  const gs = g([x, a, b], dy);
  res[e] = [y, ...gs].map((t) => t.dataSync() as Float32Array);
}
for (let k = 0; k < 4; k++) {
  const [p, q] = [res.js[k], res.wasm[k]];
  let diff = 0, maxrel = 0;
  for (let i = 0; i < p.length; i++) if (p[i] !== q[i]) { diff++; maxrel = Math.max(maxrel, Math.abs(p[i] - q[i]) / Math.abs(p[i])); }
  console.log(['y', 'dx', 'da', 'db'][k], 'differ', diff, 'of', p.length, 'maxrel', maxrel);
}
const time = (f: () => void, n = 20) => { const ts = []; for (let i = 0; i < n; i++) { const t0 = performance.now(); f(); ts.push(performance.now() - t0); } ts.sort((p, q) => p - q); return ts[n >> 1]; };
const eg = tf.grad((t: tf.Tensor) => tf.elu(t));
for (let r = 0; r < 3; r++) {
  setCpuKernelEngine(undefined);
  const row: Record<string, number> = {};
  row.elu = time(() => tf.elu(x).dispose());
  row.wasm = time(() => apalu(x, a, b).dispose());
  row.wasmFast = time(() => apalu(x, a, b, { precision: 'fast' }).dispose());
  setCpuKernelEngine('js');
  row.js = time(() => apalu(x, a, b).dispose());
  setCpuKernelEngine(undefined);
  row.eluFB = time(() => eg(x, dy).dispose(), 10);
  row.wasmFB = time(() => tf.dispose(g([x, a, b], dy)), 10);
  console.log(cpuKernelEngine(), Object.entries(row).map(([k, v]) => `${k} ${v.toFixed(2)}`).join('  '), ' ratio', (row.wasm / row.elu).toFixed(3), (row.wasmFB / row.eluFB).toFixed(3));
}
