import { createBackend } from '../src/index.ts';
const n = 1 << 20, C = 64;
for (const precision of ['fast', 'strict'] as const) {
  const b1 = await createBackend({ threads: 1, precision });
  const b2 = await createBackend({ threads: 2, precision });
  const x = Float32Array.from({ length: n }, () => (Math.random() * 2 - 1) * 4);
  const dy = Float32Array.from({ length: n }, () => Math.random() * 2 - 1);
  const a = new Float32Array(C).fill(0.8), b = new Float32Array(C).fill(1.2);
  const t = async (be: typeof b1) => { const t0 = performance.now(); await be.backward(x, dy, a, b); return performance.now() - t0; };
  for (let i = 0; i < 5; i++) { await t(b1); await t(b2); }
  const r1 = [], r2 = [];
  for (let i = 0; i < 40; i++) { r1.push(await t(b1)); r2.push(await t(b2)); }
  const med = (v: number[]) => v.sort((p, q) => p - q)[v.length >> 1];
  console.log(precision, '1 thread', med(r1).toFixed(3), '2 threads', med(r2).toFixed(3));
  await b1.dispose(); await b2.dispose();
}
