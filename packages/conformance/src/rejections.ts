import type { ApaluBackend } from '@apalu/core';

/** Inputs @apalu/core's SPEC.md says a backend must reject before writing anything. */
export interface RejectionCase {
  name: string;
  description: string;
  call(backend: ApaluBackend, x: Float32Array): Promise<unknown>;
}

const f = (values: number[]) => Float32Array.from(values);

function both(name: string, description: string, a: number[], b: number[], inner?: number, length = 6): RejectionCase[] {
  const layout = inner === undefined ? undefined : { inner };
  return [
    { name: `${name}/forward`, description, call: (backend, x) => backend.forward(x.subarray(0, length), f(a), f(b), layout) },
    {
      name: `${name}/backward`,
      description,
      call: (backend, x) => backend.backward(x.subarray(0, length), new Float32Array(length).fill(1), f(a), f(b), layout),
    },
  ];
}

export const REJECTION_CASES: readonly RejectionCase[] = [
  ...both('rejects-a-zero', 'a = 0 (SPEC: every a > 0)', [0], [1]),
  ...both('rejects-b-zero', 'b = 0 in the second channel', [1, 1], [1, 0]),
  ...both('rejects-a-negative', 'a = −0.5', [-0.5], [1]),
  ...both('rejects-b-negative', 'b = −1 in the second channel', [1, 1], [1, -1]),
  ...both('rejects-a-nan', 'a = NaN', [Number.NaN], [1]),
  ...both('rejects-b-nan', 'b = NaN', [1], [Number.NaN]),
  ...both('rejects-a-infinite', 'a = +∞', [Number.POSITIVE_INFINITY], [1]),
  ...both('rejects-b-infinite', 'b = +∞', [1], [Number.POSITIVE_INFINITY]),
  ...both('rejects-no-channels', 'a and b empty (C = 0)', [], []),
  ...both('rejects-channel-mismatch', 'a.length = 2, b.length = 3', [1, 1], [1, 1, 1]),
  ...both('rejects-layout', 'x.length = 5 is not a multiple of C·S = 2', [1, 1], [1, 1], 1, 5),
  ...both('rejects-layout-inner', 'x.length = 6 is a multiple of C = 2 but not of C·S = 2·2 = 4', [1, 1], [1, 1], 2, 6),
  ...both('rejects-inner-zero', 'inner = 0', [1], [1], 0),
  ...both('rejects-inner-fraction', 'inner = 1.5', [1], [1], 1.5),
  {
    name: 'rejects-dy-length/backward',
    description: 'dy shorter than x',
    call: (backend, x) => backend.backward(x.subarray(0, 6), new Float32Array(5).fill(1), f([1]), f([1])),
  },
  {
    name: 'rejects-dy-longer/backward',
    description: 'dy longer than x',
    call: (backend, x) => backend.backward(x.subarray(0, 6), new Float32Array(7).fill(1), f([1]), f([1])),
  },
];
