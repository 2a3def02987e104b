import { describeConformance } from '@apalu/conformance/vitest';
import { conformanceVariants, createBackend } from '../src/index.js';

for (const variant of conformanceVariants) describeConformance(variant.name, () => createBackend(variant.options), { large: true });
