/** The forward and backward step of one brain.js layer with APALU, one a and b per neuron, computed by @apalu/core. */
import { apalu, apaluGrad } from '@apalu/core';

/** Anything a layer reads per neuron: a typed array or a plain array of numbers. */
export type NumberArray = ArrayLike<number>;
/** Anything a layer writes per neuron. */
export type WritableNumberArray = Float32Array | Float64Array;

/**
 * The forward step of one brain.js layer with APALU: neuron i has its own a[i], b[i];
 * f is computed in float64 by @apalu/core and rounded once on store (brain.js keeps
 * outputs in Float32Array). The network and `createBackend()` both run this function, so
 * the conformance kit checks the code that trains.
 */
export function activateLayer(sums: NumberArray, a: NumberArray, b: NumberArray, out: WritableNumberArray): void {
  for (let i = 0; i < out.length; i++) out[i] = apalu(sums[i] as number, a[i] as number, b[i] as number);
}

/**
 * The backward step of one layer. `errors` is the upstream gradient per neuron (brain.js
 * passes −∂L/∂y, so every result is a descent direction, like brain.js's own deltas):
 * deltas = errors·∂f/∂x, gradA = errors·∂f/∂a, gradB = errors·∂f/∂b.
 * ∂f/∂a is exactly 0 for x < 0 and ∂f/∂b for x ≥ 0; those entries are written as 0
 * rather than error·0, which would be NaN for an infinite error (as core's masked sums).
 */
export function backpropLayer(
  sums: NumberArray,
  errors: NumberArray,
  a: NumberArray,
  b: NumberArray,
  deltas: WritableNumberArray,
  gradA: WritableNumberArray,
  gradB: WritableNumberArray,
): void {
  for (let i = 0; i < deltas.length; i++) {
    const x = sums[i] as number;
    const e = errors[i] as number;
    const g = apaluGrad(x, a[i] as number, b[i] as number);
    deltas[i] = e * g.dx;
    gradA[i] = x < 0 ? 0 : e * g.da;
    gradB[i] = x >= 0 ? 0 : e * g.db;
  }
}
