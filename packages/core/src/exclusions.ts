/**
 * Classes of x a variant may declare it cannot compute (`excludeInputs`): the kit does not
 * compare those elements (nor the da, db of their channels) and runs everything else, so an
 * exclusion never hides a whole case. Plain data, so variants survive structured cloning.
 */
export const INPUT_CLASSES = {
  /** −2^−126 < x < 0: a device that flushes subnormals to zero sees −0 there. */
  'negative-subnormal': (x: number) => x < 0 && x > -1.1754943508222875e-38,
  /** 0 < x < 2^−126: flushed to +0, so f = 1.5·a·x and the da term dy·1.5·x come out 0 (visible once a or dy is large). */
  'positive-subnormal': (x: number) => x > 0 && x < 1.1754943508222875e-38,
  /** x is NaN. */
  nan: (x: number) => Number.isNaN(x),
} as const satisfies Record<string, (x: number) => boolean>;

export type InputClass = keyof typeof INPUT_CLASSES;

/** Input class → why the variant cannot compute it. */
export type InputExclusions = Readonly<Partial<Record<InputClass, string>>>;

/**
 * The inputs a backend built from a framework's own float32 ops on a GPU cannot compute when
 * the device flushes subnormals to zero (SwiftShader, most GPUs) and its exp/sigmoid/where turn
 * NaN into ±∞: a negative subnormal x compares as 0 and takes the x ≥ 0 branch (∂f/∂x = 1.5·a
 * instead of b), a positive subnormal x comes out as +0 (f and its da term scaled by a huge a or
 * dy make that visible), and NaN comes out as ±∞. Strict WGSL kernels that handle the bits themselves
 * compute every input. Pass the result as `excludeInputs`.
 */
export function gpuOpsInputExclusions(framework: string): InputExclusions {
  return {
    'negative-subnormal': `${framework} ops flush subnormal x to 0, so x = −1e-41 takes the x ≥ 0 branch`,
    'positive-subnormal': `${framework} ops flush subnormal x to 0, so f(1e-41) and its da term are 0 (off the class once a or dy is large)`,
    nan: `${framework} ops turn NaN into ±∞`,
  };
}
