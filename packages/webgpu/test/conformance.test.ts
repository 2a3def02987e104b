import { describeConformance } from '@apalu/conformance/vitest';
import { describe, it } from 'vitest';
import { conformanceVariants } from '../src/conformance.js';
import { createBackend } from '../src/index.js';
import { probeGpu } from './gpu.js';

const gpu = await probeGpu();
// The 16M case takes ≈ 4 min on SwiftShader on 2 shared cores, one 16M backward call over 60 s (the
// kit's default per-call limit): an emulated GPU gets a longer per-call limit; a call that never settles
// still fails its case by name.
if (gpu.ok) {
  for (const variant of conformanceVariants) {
    describeConformance(variant.name, () => createBackend(variant.options), { large: true, timeout: 900_000, callTimeout: 400_000 });
  }
}
else describe.skip(`APALU conformance: webgpu (no WebGPU adapter: ${gpu.reason})`, () => it('needs a GPU', () => {}));
