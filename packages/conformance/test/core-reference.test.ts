import { createBackend } from '@apalu/core';
import { describeConformance } from '../src/vitest.js';

// Core's reference backend passes the strict class on the whole SPEC input set, 16M case included.
describeConformance('core-reference', () => createBackend(), { large: true });
