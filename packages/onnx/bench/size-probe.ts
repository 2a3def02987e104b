/**
 * Measures whether onnxruntime-web can finish calls of a given size (for ORT_WEB_LARGEST_CALL in
 * src/limits.ts): `node --import tsx bench/size-probe.ts <forward length> <backward length> [formulation]`
 * runs forward then backward four times, on both graph shapes, in one process (the size check is
 * bypassed by passing onnxruntime-web as an unnamed runtime) and prints one JSON line. Run each size
 * in a fresh process: after a failed call the wasm memory stays grown. Needs ~3× x's bytes of RAM
 * beside ORT's 4 GiB; minutes per run.
 */
import * as ort from 'onnxruntime-web';
import { createBackend, type Formulation } from '../src/index.js';
const [fStr, bStr, formulation = 'shared-exp'] = process.argv.slice(2);
const nf = Number(fStr), nb = Number(bStr);
const runtime = { InferenceSession: ort.InferenceSession, Tensor: ort.Tensor, env: { wasm: ort.env.wasm } };
const backend = await createBackend({ runtime: runtime as never, executionProviders: ['wasm'], formulation: formulation as Formulation });
const mk = (n: number) => { const x = new Float32Array(n); for (let i = 0; i < n; i++) x[i] = ((i % 2001) - 1000) / 50; return x; };
const a = Float32Array.of(1, 2), b = Float32Array.of(1, 2);
const t0 = Date.now();
let step = '';
try {
  for (const layout of [undefined, { inner: 4 }, undefined, { inner: 4 }]) {
    if (nf > 0) { step = `forward ${nf} ${JSON.stringify(layout)}`; let x: Float32Array | undefined = mk(nf); const y = await backend.forward(x, a, b, layout); x = undefined; if (y.length !== nf) throw new Error('len'); }
    if (nb > 0) { step = `backward ${nb} ${JSON.stringify(layout)}`; let x: Float32Array | undefined = mk(nb); const g = await backend.backward(x, x, a, b, layout); x = undefined; if (g.dx.length !== nb) throw new Error('len'); }
  }
  console.log(JSON.stringify({ nf, nb, formulation, ok: true, s: (Date.now() - t0) / 1000 }));
} catch (e) {
  console.log(JSON.stringify({ nf, nb, formulation, ok: false, step, error: String(e).slice(0, 160) }));
}
process.exit(0);
