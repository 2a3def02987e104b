import { instantiateKernels } from '../src/index.ts';
const n = 1 << 20;
const mem = new WebAssembly.Memory({ initial: 256 });
const k = await instantiateKernels(mem);
const raw = k.raw;
const h = new Float32Array(mem.buffer);
const xP = 65536, dyP = xP + 4 * n, dxP = dyP + 4 * n, aP = 0, bP = 1024, daP = 2048, dbP = 3072, sP = 8192;
for (let i = 0; i < n; i++) { h[xP / 4 + i] = (Math.random() * 2 - 1) * 4; h[dyP / 4 + i] = Math.random() * 2 - 1; }
h.fill(0.9, 0, 512);
const med = (v: number[]) => v.sort((p, q) => p - q)[v.length >> 1];
const res: Record<string, number[]> = {};
const cases: Record<string, () => void> = {};
for (const [C, S] of (process.env.CS ? JSON.parse(process.env.CS) : [[1, 1], [64, 4], [64, 16], [64, 64], [64, 256], [64, 1024], [3, 5]])) for (const p of [0, 1] as const) {
  cases[`fwd C${C} S${S} p${p}`] = () => raw.forward(xP, dxP, n, aP, bP, C, S, p);
  cases[`bwd C${C} S${S} p${p}`] = () => raw.backward(xP, dyP, dxP, daP, dbP, n, aP, bP, C, S, sP, p);
}
for (let r = 0; r < 15; r++) for (const [name, f] of Object.entries(cases)) { const t0 = performance.now(); f(); f(); const t = (performance.now() - t0) / 2; (res[name] ??= []).push(t); }
for (const [name, v] of Object.entries(res)) console.log(name.padEnd(20), (n / med(v) / 1000).toFixed(0), 'M/s');
