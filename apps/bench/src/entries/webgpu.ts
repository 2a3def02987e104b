import type { Family } from '../types.js';

export async function loadWebgpu(): Promise<Family> {
  throw new Error('not yet measured');
}
