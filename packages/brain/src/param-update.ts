/**
 * Updates of the per-neuron a and b, by the same rules brain.js applies to the weights of
 * the same layer, followed by the clamp that keeps them > 0. `step` holds descent
 * directions (brain.js's sign convention: error·∂f/∂p with error = −∂L/∂y).
 */

/** brain.js's default praxis: change = learningRate·step + momentum·change; p += change. */
export function sgdMomentumUpdate(
  params: Float32Array | Float64Array,
  step: ArrayLike<number>,
  change: Float64Array,
  learningRate: number,
  momentum: number,
  floor: number,
): void {
  for (let i = 0; i < params.length; i++) {
    const c = learningRate * (step[i] as number) + momentum * (change[i] as number);
    change[i] = c;
    // floor is a normal float32 (2^-126 ≤ minParam, checked in resolveParamOptions), so it
    // is still > 0 once params, a Float32Array, rounds it.
    params[i] = Math.max(floor, (params[i] as number) + c);
  }
}

export interface AdamSettings {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** The step count t ≥ 1 brain.js keeps in `iterations` (one per trained pattern). */
  t: number;
}

/** Adam as brain.js applies it to weights (bias-corrected first and second moments). */
export function adamUpdate(
  params: Float32Array | Float64Array,
  step: ArrayLike<number>,
  m: Float64Array,
  v: Float64Array,
  s: AdamSettings,
  floor: number,
): void {
  const c1 = 1 - Math.pow(s.beta1, s.t);
  const c2 = 1 - Math.pow(s.beta2, s.t);
  for (let i = 0; i < params.length; i++) {
    const g = step[i] as number;
    const mi = s.beta1 * (m[i] as number) + (1 - s.beta1) * g;
    const vi = s.beta2 * (v[i] as number) + (1 - s.beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    // As in sgdMomentumUpdate, floor ≥ 2^-126 stays > 0 in float32.
    params[i] = Math.max(floor, (params[i] as number) + (s.learningRate * (mi / c1)) / (Math.sqrt(vi / c2) + s.epsilon));
  }
}
