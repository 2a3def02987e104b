import { createBackend } from '@apalu/core';
import type { Family } from '../types.js';

/** @apalu/core's reference backend: float64 math rounded once (the baseline, not a fast path). */
export async function loadCore(): Promise<Family> {
  const backend = await createBackend();
  return {
    entries: [
      {
        id: 'core-reference',
        role: 'apalu',
        source: '@apalu/core',
        group: 'JavaScript and WebAssembly',
        accuracy: backend.accuracy,
        note: 'float64 reference',
        directions: ['forward', 'backward'],
        peers: ['js-loop (Math.expm1)'],
        prepare: async (input, direction) => ({
          run: () => (direction === 'forward' ? backend.forward(input.x, input.a, input.b) : backend.backward(input.x, input.dy, input.a, input.b)),
        }),
      },
    ],
    unavailable: [],
  };
}
