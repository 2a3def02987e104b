import { describeConformance } from '@apalu/conformance/vitest';
import { conformanceVariants } from '../src/conformance.js';
import { createBackend } from '../src/index.js';

// Every variant, every case; the 16M-element case for the SIMD build and its threaded form.
for (const variant of conformanceVariants) {
  describeConformance(variant.name, () => createBackend(variant.options), { large: variant.options.simd });
}
