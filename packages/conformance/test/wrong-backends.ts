import { type ApaluBackend, apalu, apaluGrad, createBackend, validateCall } from '@apalu/core';

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
  validate?: boolean;
  sumInFloat32?: boolean;
  dropNaN?: boolean;
};

const rightChannel = (i: number, inner: number, channels: number) => Math.floor(i / inner) % channels;

export function wrongBackend(m: Mistakes): ApaluBackend {
  const value = m.value ?? apalu;
  const derivative = m.derivative ?? ((x, a, b) => apaluGrad(x, a, b).dx);
  const channel = m.channel ?? rightChannel;
  const sumChannel = m.sumChannel ?? channel;
  const check = (x: Float32Array, a: Float32Array, b: Float32Array, inner: number | undefined, dy?: Float32Array) => {
    if (m.validate !== false) validateCall(x, a, b, inner, dy);
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
      for (let i = 0; i < x.length; i++) {
        const c = channel(i, s, a.length);
        const g = apaluGrad(x[i] as number, a[c] ?? 1, b[c] ?? 1);
        dx[i] = (dy[i] as number) * derivative(x[i] as number, a[c] ?? 1, b[c] ?? 1);
        const k = sumChannel(i, s, a.length);
        const add = (arr: Float64Array, v: number) => {
          arr[k] = m.sumInFloat32 ? Math.fround((arr[k] as number) + Math.fround(v)) : (arr[k] as number) + v;
        };
        if ((x[i] as number) >= 0) add(da, (dy[i] as number) * g.da);
        else if ((x[i] as number) < 0 || !m.dropNaN) add(db, (dy[i] as number) * g.db);
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
  reference: createBackend,
};
