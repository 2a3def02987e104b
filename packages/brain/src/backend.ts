/** createBackend of @apalu/brain: the conformance kit's view of the exact per-neuron activation code ApaluNeuralNetwork trains with. */
import { type ApaluBackend, type ApaluLayout, CompensatedSum, validateBackwardCall, validateForwardCall } from '@apalu/core';
import { activateLayer, backpropLayer } from './neuron-layer.js';

/** Options of `createBackend`; none yet (one variant). */
export type BrainBackendOptions = Record<string, never>;

/**
 * One neuron per channel, per-element a and b as a brain.js layer holds them: channel c of
 * the SPEC layout is neuron c, and an input of length n·C·S is n·S passes through the layer.
 */
function expandParams(a: Float32Array, b: Float32Array, inner: number): { rowA: Float64Array; rowB: Float64Array } {
  const rowA = new Float64Array(a.length * inner);
  const rowB = new Float64Array(a.length * inner);
  for (let j = 0; j < rowA.length; j++) {
    const c = Math.floor(j / inner);
    rowA[j] = a[c] as number;
    rowB[j] = b[c] as number;
  }
  return { rowA, rowB };
}

/**
 * The conformance backend of @apalu/brain: the activation math exactly as
 * ApaluNeuralNetwork runs it (activateLayer, backpropLayer), strict class.
 *
 * It keeps the call contract of the SPEC.md shipped in @apalu/core (section 7): x and dy are
 * Float32Arrays (anything else, or a missing dy, is E_TYPE), a detached or out-of-bounds x,
 * dy, a or b is E_DETACHED, all checked by @apalu/core before anything is computed; a
 * rejected check is a rejected promise. The whole computation runs synchronously inside
 * the call, so x, dy, a and b are read before the promise is returned: writing to them or
 * transferring their buffers afterwards never changes the result. It holds no resources
 * and has no dispose().
 */
export async function createBackend(_options: BrainBackendOptions = {}): Promise<ApaluBackend> {
  return {
    name: 'brain-neuron',
    accuracy: 'strict',
    async forward(x: Float32Array, a: Float32Array, b: Float32Array, layout?: ApaluLayout): Promise<Float32Array> {
      const { channels, inner } = validateForwardCall(x, a, b, layout);
      const { rowA, rowB } = expandParams(a, b, inner);
      const row = channels * inner;
      const out = new Float32Array(x.length);
      for (let off = 0; off < x.length; off += row) activateLayer(x.subarray(off, off + row), rowA, rowB, out.subarray(off, off + row));
      return out;
    },
    async backward(x: Float32Array, dy: Float32Array, a: Float32Array, b: Float32Array, layout?: ApaluLayout) {
      const { channels, inner } = validateBackwardCall(x, dy, a, b, layout);
      const { rowA, rowB } = expandParams(a, b, inner);
      const row = channels * inner;
      const dx = new Float32Array(x.length);
      const gradA = new Float64Array(row);
      const gradB = new Float64Array(row);
      const sumA = Array.from({ length: channels }, () => new CompensatedSum());
      const sumB = Array.from({ length: channels }, () => new CompensatedSum());
      for (let off = 0; off < x.length; off += row) {
        backpropLayer(x.subarray(off, off + row), dy.subarray(off, off + row), rowA, rowB, dx.subarray(off, off + row), gradA, gradB);
        for (let j = 0; j < row; j++) {
          const c = Math.floor(j / inner);
          (sumA[c] as CompensatedSum).add(gradA[j] as number);
          (sumB[c] as CompensatedSum).add(gradB[j] as number);
        }
      }
      return {
        dx,
        da: Float32Array.from(sumA, (s) => s.value),
        db: Float32Array.from(sumB, (s) => s.value),
      };
    },
  };
}
