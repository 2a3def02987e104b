/**
 * The cases a backend built from a framework's own float32 ops on a GPU cannot pass when the
 * device flushes subnormals to zero (SwiftShader, most GPUs) and its exp/sigmoid/where turn NaN
 * into ±∞: a negative subnormal x then compares as 0 and takes the x ≥ 0 branch. Strict WGSL
 * kernels that handle the bits themselves run every case. Pass the result as `exclude`.
 */
export function gpuOpsExclusions(framework: string): Record<string, string> {
  const ftz = `${framework} ops flush subnormal x to 0 (x ≥ 0 branch taken for −1e-41)`;
  const nan = `${framework} ops turn NaN into ±∞`;
  return {
    'special-values': nan,
    'random-bits': `${nan}; ${ftz}`,
    magnitudes: ftz,
    'log-uniform': ftz,
    'near-zero-negative': ftz,
    'length-4': ftz,
    'length-5': ftz,
    'length-1023': ftz,
    'length-1M': ftz,
  };
}
