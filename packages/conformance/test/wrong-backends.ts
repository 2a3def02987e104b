import {
  APALU_K,
  type ApaluBackend,
  ApaluInputError,
  apalu,
  apaluGrad,
  backward,
  createBackend,
  forward,
  validateCall,
  validateParams,
} from '@apalu/core';

/**
 * Deliberately wrong backends: each has one bug a real kernel could have. The kit's own
 * tests prove it catches every one of them.
 */
type Mistakes = {
  name: string;
  value?: (x: number, a: number, b: number) => number;
  derivative?: (x: number, a: number, b: number) => number;
  channel?: (i: number, inner: number, channels: number) => number;
  sumChannel?: (i: number, inner: number, channels: number) => number;
  /** false: no validation; a function: this validation instead of validateCall. */
  validate?: boolean | ((x: Float32Array, a: Float32Array, b: Float32Array, inner: number | undefined, dy?: Float32Array) => void);
  sumInFloat32?: boolean;
  dropNaN?: boolean;
  /**
   * da, db terms as mask·dy·x·(1 + σ(kx)) and mask·dy·expm1(min(x, 0)) on every element, the
   * way a graph of framework ops multiplies by a 0/1 mask: x = −∞ gives 0·∞ = NaN in da.
   */
  maskedSums?: boolean;
  /** Kahan summation without a guard for non-finite terms: one +∞ term turns the sum into ∞ − ∞ = NaN. */
  unguardedKahan?: boolean;
};

const rightChannel = (i: number, inner: number, channels: number) => Math.floor(i / inner) % channels;

export function wrongBackend(m: Mistakes): ApaluBackend {
  const value = m.value ?? apalu;
  const derivative = m.derivative ?? ((x, a, b) => apaluGrad(x, a, b).dx);
  const channel = m.channel ?? rightChannel;
  const sumChannel = m.sumChannel ?? channel;
  const check = (x: Float32Array, a: Float32Array, b: Float32Array, inner: number | undefined, dy?: Float32Array) => {
    if (typeof m.validate === 'function') m.validate(x, a, b, inner, dy);
    else if (m.validate !== false) validateCall(x, a, b, inner, dy);
  };
  return {
    name: m.name,
    accuracy: 'strict',
    async forward(x, a, b, layout) {
      check(x, a, b, layout?.inner);
      const s = layout?.inner ?? 1;
      return x.map((v, i) => value(v, a[channel(i, s, a.length)] ?? 1, b[channel(i, s, a.length)] ?? 1));
    },
    async backward(x, dy, a, b, layout) {
      check(x, a, b, layout?.inner, dy);
      const s = layout?.inner ?? 1;
      const dx = new Float32Array(x.length);
      const da = new Float64Array(a.length);
      const db = new Float64Array(a.length);
      const compensation = new Map<Float64Array, Float64Array>([
        [da, new Float64Array(a.length)],
        [db, new Float64Array(a.length)],
      ]);
      for (let i = 0; i < x.length; i++) {
        const c = channel(i, s, a.length);
        const g = apaluGrad(x[i] as number, a[c] ?? 1, b[c] ?? 1);
        dx[i] = (dy[i] as number) * derivative(x[i] as number, a[c] ?? 1, b[c] ?? 1);
        const k = sumChannel(i, s, a.length);
        const add = (arr: Float64Array, v: number) => {
          if (m.unguardedKahan) {
            const comp = compensation.get(arr) as Float64Array;
            const y = v - (comp[k] as number);
            const t = (arr[k] as number) + y;
            comp[k] = t - (arr[k] as number) - y;
            arr[k] = t;
            return;
          }
          arr[k] = m.sumInFloat32 ? Math.fround((arr[k] as number) + Math.fround(v)) : (arr[k] as number) + v;
        };
        const v = x[i] as number;
        if (m.maskedSums) {
          add(da, (v >= 0 ? 1 : 0) * (dy[i] as number) * (v * (1 + 1 / (1 + Math.exp(-APALU_K * v)))));
          add(db, (v < 0 ? 1 : 0) * (dy[i] as number) * Math.expm1(Math.min(v, 0)));
        } else if (v >= 0) add(da, (dy[i] as number) * g.da);
        else if (v < 0 || !m.dropNaN) add(db, (dy[i] as number) * g.db);
      }
      return { dx, da: Float32Array.from(da), db: Float32Array.from(db) };
    },
  };
}

const f32 = Math.fround;

export const WRONG_BACKENDS = {
  /** exp(x) − 1 in float32: catastrophic cancellation as x → 0⁻. */
  cancellation: () => wrongBackend({ name: 'exp-minus-one', value: (x, a, b) => (x < 0 ? f32(b * (f32(Math.exp(x)) - 1)) : apalu(x, a, b)) }),
  /** x > 0 instead of x ≥ 0: at exactly 0 ∂f/∂x comes from the negative side (b, not 1.5a). */
  branchAtZero: () => wrongBackend({ name: 'branch-at-zero', derivative: (x, a, b) => (x > 0 || Number.isNaN(x) ? apaluGrad(x, a, b).dx : b * Math.exp(x)) }),
  /** The channel index shifted by one. */
  channelOffByOne: () => wrongBackend({ name: 'channel-off-by-one', channel: (i, s, c) => (Math.floor(i / s) + 1) % c }),
  /** da/db summed per i mod C, ignoring the inner size. */
  sumWrongAxis: () => wrongBackend({ name: 'sum-wrong-axis', sumChannel: (i, _s, c) => i % c }),
  /** No parameter validation: a ≤ 0 accepted. */
  acceptsBadParams: () => wrongBackend({ name: 'no-validation', validate: false }),
  /** Sums accumulated naively in float32. */
  float32Sums: () => wrongBackend({ name: 'float32-sums', sumInFloat32: true }),
  /** σ computed with a sloppy exp (a few ULP off on the positive side). */
  sloppyPositive: () => wrongBackend({ name: 'sloppy-positive', value: (x, a, b) => (x > 0 ? apalu(x, a, b) * (1 + 4e-7) : apalu(x, a, b)) }),
  /** NaN inputs dropped from the parameter gradients (a masked kernel that forgets NaN). */
  swallowsNaN: () =>
    wrongBackend({
      name: 'swallows-nan',
      dropNaN: true,
    }),
  /** Sums by 0/1 mask over every element: correct for finite x, NaN in da where x = −∞. */
  maskedSums: () => wrongBackend({ name: 'masked-sums', maskedSums: true }),
  /** Compensated sums that turn a +∞ term into NaN (right for every finite input). */
  unguardedKahan: () => wrongBackend({ name: 'unguarded-kahan', unguardedKahan: true }),
  /** Checks x.length against C only, not C·S: x.length = 6 with C = 2, S = 2 is accepted. */
  layoutCheckedByCOnly: () =>
    wrongBackend({
      name: 'layout-checked-by-c-only',
      validate: (x, a, b, inner, dy) => {
        validateParams(a, b);
        const s = inner ?? 1;
        if (!(Number.isSafeInteger(s) && s >= 1)) throw new ApaluInputError('E_LAYOUT', `inner = ${String(inner)}: must be a positive integer`);
        if (x.length % a.length !== 0) throw new ApaluInputError('E_LAYOUT', `x.length = ${x.length} is not a multiple of C = ${a.length}`);
        if (dy !== undefined && dy.length !== x.length) throw new ApaluInputError('E_LENGTH', `dy.length = ${dy.length} but x.length = ${x.length}`);
      },
    }),
  /** Reads layout.inner without a guard: crashes on forward(x, a, b), the default channels-last call. */
  needsLayout: (): ApaluBackend => ({
    name: 'needs-layout',
    accuracy: 'strict',
    forward: async (x, a, b, layout) => forward(x, a, b, { inner: layout!.inner }),
    backward: async (x, dy, a, b, layout) => backward(x, dy, a, b, { inner: layout!.inner }),
  }),
  /** Without a layout assumes channels-first with S = x.length / C instead of S = 1. */
  wrongDefaultInner: (): ApaluBackend => {
    const inner = (x: Float32Array, a: Float32Array, layout?: { inner?: number }) => layout?.inner ?? (x.length / a.length || 1);
    return {
      name: 'wrong-default-inner',
      accuracy: 'strict',
      forward: async (x, a, b, layout) => forward(x, a, b, { inner: inner(x, a, layout) }),
      backward: async (x, dy, a, b, layout) => backward(x, dy, a, b, { inner: inner(x, a, layout) }),
    };
  },
  reference: createBackend,
};
