/** The input classes (subnormals, NaN, infinite dy …) a variant may declare it cannot compute, and the usual exclusions of GPU ops. */
const FLT_MIN = 1.1754943508222875e-38; // 2^−126, the smallest normal float32

/** One element of a call as the input classes see it: its x, its channel's a and b, and dy in a backward call. */
export interface InputElement {
  x: number;
  a: number;
  b: number;
  dy?: number;
}

/**
 * Classes of input elements (by x, the channel's a, b, or the upstream gradient dy of a backward call) a variant
 * may declare it cannot compute (`excludeInputs`): the kit does not compare those elements (nor
 * the da, db of their channels) and runs everything else, so an exclusion never hides a whole
 * case. Plain data, so variants survive structured cloning.
 */
export const INPUT_CLASSES = {
  /** −2^−126 < x < 0: a device that flushes subnormals to zero sees −0 there. */
  'negative-subnormal': ({ x }: InputElement) => x < 0 && x > -FLT_MIN,
  /** 0 < x < 2^−126: flushed to +0, so f = 1.5·a·x and the da term dy·1.5·x come out 0 (visible once a or dy is large). */
  'positive-subnormal': ({ x }: InputElement) => x > 0 && x < FLT_MIN,
  /** x is NaN. */
  nan: ({ x }: InputElement) => Number.isNaN(x),
  /** 0 < |dy| < 2^−126 (backward only): flushed to 0, so dx = dy·b·e^x is 0 even where b is huge enough to make it a normal number. */
  'subnormal-dy': ({ dy }: InputElement) => dy !== undefined && dy !== 0 && Math.abs(dy) < FLT_MIN,
  /** The element's channel has a or b below 2^−126: flushed to 0, so dy = ∞ gives ∞·0 = NaN and f, ∂f/∂x lose the channel's scale. */
  'subnormal-param': ({ a, b }: InputElement) => a < FLT_MIN || b < FLT_MIN,
  /** dy = ±∞ at x < 0 where b·e^x < 2^−126 (backward only): the factor is flushed to 0, so dx = ∞·0 = NaN instead of ±∞. */
  'infinite-dy-underflow': ({ x, b, dy }: InputElement) => dy !== undefined && !Number.isFinite(dy) && !Number.isNaN(dy) && x < 0 && b * Math.exp(x) < FLT_MIN,
  /**
   * −2^−6 < x < 0 where the framework's expm1 is float32 e^x − 1: it is off by up to 6e-8
   * absolutely (0 for x = −4e-27), more than the composed class allows of b·expm1(x) and of
   * the db terms dy·expm1(x) once b or dy is large.
   */
  'expm1-cancels': ({ x }: InputElement) => x < 0 && x > -0.015625,
  /**
   * A product a graph of framework ops forms is a nonzero float32 below 2^−126 (flushed to 0):
   * a·x, dy·a, dy·x for x ≥ 0; e^(x/2), b·e^(x/2), dy·e^(x/2), dy·expm1(x) for x < 0 — e.g.
   * x = −2^−6, b = 2^−126, dy = 4.3e32 gives dx = 0 instead of 5e-6.
   */
  'subnormal-product': ({ x, a, b, dy }: InputElement) => {
    const tiny = (v: number) => v !== 0 && Math.abs(v) < FLT_MIN;
    if (Number.isNaN(x) || !Number.isFinite(x)) return false;
    if (x >= 0) return tiny(a * x) || (dy !== undefined && Number.isFinite(dy) && (tiny(dy * a) || tiny(dy * x)));
    const h = Math.exp(x / 2);
    return tiny(h) || tiny(b * h) || (dy !== undefined && Number.isFinite(dy) && (tiny(dy * h) || tiny(dy * Math.expm1(x))));
  },
} as const satisfies Record<string, (element: InputElement) => boolean>;

export type InputClass = keyof typeof INPUT_CLASSES;

/** Input class → why the variant cannot compute it. */
export type InputExclusions = Readonly<Partial<Record<InputClass, string>>>;

/**
 * The inputs a backend built from a framework's own float32 ops on a GPU cannot compute when
 * the device flushes subnormals to zero (SwiftShader, most GPUs) and its exp/sigmoid/where turn
 * NaN into ±∞: a negative subnormal x compares as 0 and takes the x ≥ 0 branch (∂f/∂x = 1.5·a
 * instead of b), a positive subnormal x comes out as +0 (f and its da term scaled by a huge a or
 * dy make that visible), a subnormal dy, a, b or b·e^x comes out as 0 (visible in dx once b is
 * huge, or as ∞·0 = NaN where dy = ±∞), and NaN comes out as ±∞. Strict WGSL kernels that handle the bits themselves
 * compute every input. Pass the result as `excludeInputs`; `expm1Cancels` adds x just below 0 for
 * frameworks whose expm1 is e^x − 1 (tfjs's webgl and webgpu ops), `subnormalProducts` the elements
 * where a product of @apalu/tfjs's composed graph falls below 2^−126.
 */
export function gpuOpsInputExclusions(framework: string, options: { expm1Cancels?: boolean; subnormalProducts?: boolean } = {}): InputExclusions {
  return {
    'negative-subnormal': `${framework} ops flush subnormal x to 0, so x = −1e-41 takes the x ≥ 0 branch`,
    'positive-subnormal': `${framework} ops flush subnormal x to 0, so f(1e-41) and its da term are 0 (off the class once a or dy is large)`,
    nan: `${framework} ops turn NaN into ±∞`,
    'subnormal-dy': `${framework} ops flush a subnormal dy to 0, so dx = dy·b·e^x is 0 where b ≥ 2^100 would make it normal`,
    'subnormal-param': `${framework} ops flush a subnormal a or b to 0, so dy = ∞ gives ∞·0 = NaN in dx`,
    'infinite-dy-underflow': `${framework} ops flush b·e^x below 2^−126 to 0, so dy = ±∞ gives ∞·0 = NaN in dx`,
    ...(options.expm1Cancels ? { 'expm1-cancels': `${framework}'s expm1 is e^x − 1 in float32, which cancels just below 0 (expm1(−4e-27) = 0)` } : {}),
    ...(options.subnormalProducts ? { 'subnormal-product': `${framework} ops flush a product of the graph below 2^−126 (a·x, dy·a, dy·x, b·e^(x/2), dy·e^(x/2), dy·expm1(x)) to 0` } : {}),
  };
}
