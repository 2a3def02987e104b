import { createBackend } from '../src/index.ts';
const n = 1 << 20, C = 64;
const x = Float32Array.from({ length: n }, () => (Math.random() * 2 - 1) * 4);
const dy = Float32Array.from({ length: n }, () => Math.random() * 2 - 1);
const dxOut = new Float32Array(n), yOut = new Float32Array(n);
const med = (v: number[]) => v.sort((p, q) => p - q)[v.length >> 1];
for (const precision of ['fast', 'strict'] as const) {
  const res: Record<string, number> = {};
  for (const threads of [1, 2]) {
    const be = await createBackend({ threads, precision });
    const scr = be.scratchBytes(C);
    const aP = 0, bP = 256, daP = 512, dbP = 768, sP = 1024, xP = 1024 + scr + 64 & ~63, dyP = xP + 4 * n;
    be.reserve(dyP + 4 * n);
    const h = new Float32Array(be.memory.buffer);
    h.fill(0.9, 0, 128);
    const fw = async () => { h.set(x, xP / 4); await be.forwardAt(xP, dyP, n, aP, bP, C, 1); yOut.set(h.subarray(dyP / 4, dyP / 4 + n)); };
    const bw = async () => { h.set(x, xP / 4); h.set(dy, dyP / 4); await be.backwardAt(xP, dyP, dyP, daP, dbP, n, aP, bP, C, 1, sP); dxOut.set(h.subarray(dyP / 4, dyP / 4 + n)); };
    for (const [k, f] of [['fwd', fw], ['bwd', bw]] as const) {
      for (let i = 0; i < 10; i++) await f();
      const r = [];
      for (let i = 0; i < 60; i++) { const t0 = performance.now(); await f(); r.push(performance.now() - t0); }
      res[`${k}${threads}`] = med(r);
    }
    await be.dispose();
  }
  console.log(precision, Object.entries(res).map(([k, v]) => `${k} ${v.toFixed(3)}`).join('  '));
}
