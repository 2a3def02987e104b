import { describeConformance } from '@apalu/conformance/vitest';
import { conformanceVariants } from '../src/conformance.js';
import { createBackend } from '../src/index.js';

for (const variant of conformanceVariants) describeConformance(variant.name, () => createBackend(variant.options), { large: true });
