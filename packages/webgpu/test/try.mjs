import { createBackend } from '/work/main/packages/webgpu/dist/index.js';
import * as core from '@apalu/core';
const be = await createBackend();
console.log('device ok');
const xs = new Float32Array([-1e-45, -1e-38, -1e-8, -1e-3, -0.5, -1, -10, -17, -20, -87, -88.7, -89, -1e4, 0, -0, 1e-45, 1e-38, 1e-8, 1e-3, 0.5, 1, 10, 17, 20, 87, 88.7, 89, 1e4, 3e38, NaN, Infinity, -Infinity, 2.5]);
const a = new Float32Array([0.25]), b = new Float32Array([1.3]);
const t0 = Date.now();
const y = await be.forward(xs, a, b);
console.log('fwd ms', Date.now() - t0);
const ulp = (g, w) => { const f = new Float32Array([g, w]); const u = new Int32Array(f.buffer); const o = (v) => v < 0 ? -2147483648 - v : v; if (Number.isNaN(g) && Number.isNaN(w)) return 0; return Math.abs(o(u[0]) - o(u[1])); };
for (let i = 0; i < xs.length; i++) { const w = Math.fround(core.apalu(xs[i], a[0], b[0])); const u = ulp(y[i], w); if (u > 0) console.log(xs[i], y[i], w, 'ulp', u); }
const dy = new Float32Array(xs.length).fill(0.75);
const g = await be.backward(xs.map(v => Number.isNaN(v) ? 1 : v), dy, a, b);
const ref = core.backward(new Float64Array(xs.map(v => Number.isNaN(v) ? 1 : v)), new Float64Array(dy), a, b);
for (let i = 0; i < xs.length; i++) { const u = ulp(g.dx[i], Math.fround(ref.dx[i])); if (u > 0) console.log('dx', xs[i], g.dx[i], ref.dx[i], 'ulp', u); }
console.log(g.da, ref.da, g.db, ref.db);
be.dispose();
